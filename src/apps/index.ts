import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { requireUser } from '../http/middleware/auth.ts';
import { addressRateLimit, rateLimit } from '../http/middleware/rate-limit.ts';
import { DailyQuotas, type QuotaStore } from '../http/middleware/rate-limit-quota.ts';
import { router } from '../http/openapi.ts';
import type { Clock } from '../platform/clock.ts';
import type { Federation, IdentityAdmin } from '../platform/identity.ts';
import type { LivePublisher } from '../platform/live.ts';
import type { MediaUrls } from '../platform/media.ts';
import type { Notifier } from '../platform/notifier.ts';
import type { ObjectEventHandler, ObjectStore } from '../platform/objects.ts';
import type { ScheduledJob } from '../platform/schedule.ts';
import type { StreamHandler } from '../platform/stream.ts';
import type { Table } from '../platform/table.ts';
import { AuditLog } from './admin/audit.ts';
import { adminRoutes, requireAdmin } from './admin/routes.ts';
import { deleteApiKeyLookupOnRemoval } from './api-keys/events.ts';
import type { UsagePlan } from './api-keys/plans.ts';
import { apiKeyRoutes } from './api-keys/routes.ts';
import { ApiKeysService } from './api-keys/service.ts';
import { bookmarkRoutes } from './bookmarks/routes.ts';
import { BookmarkService } from './bookmarks/service.ts';
import { type ScheduleOptions, ScheduleRunner } from './common/schedule.ts';
import { fileRoutes } from './files/routes.ts';
import { type FileLimits, FileService } from './files/service.ts';
import { noteRoutes } from './notes/routes.ts';
import { NoteService } from './notes/service.ts';
import { Deliverer } from './notifications/delivery.ts';
import { Inbox } from './notifications/inbox.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { NotificationSettingsService } from './notifications/settings.ts';
import { AlbumService } from './photos/albums.ts';
import { AvatarService } from './photos/avatars.ts';
import { cleanUpAfterDeletions, deleteMediaOfRemovedAccounts, processUploads } from './photos/events.ts';
import { avatarRoutes, photoRoutes } from './photos/routes.ts';
import { type PhotoLimits, PhotoService } from './photos/service.ts';
import { ShareService } from './photos/shares.ts';
import { siteRoutes } from './sites/routes.ts';
import { SiteService } from './sites/service.ts';
import { countSocialChanges, defaultFanOut, type FanOutOptions, spreadSocialChanges } from './social/events.ts';
import { FeedReader } from './social/feed.ts';
import { createSocialGraph, type SocialGraph } from './social/graphql/graph.ts';
import type { LiveSubscriptions } from './social/graphql/live.ts';
import { graphqlGuard } from './social/guard.ts';
import { SocialService } from './social/service.ts';
import { countTaskChanges } from './tasks/analytics.ts';
import { type AttachmentLimits, AttachmentService } from './tasks/attachments.ts';
import { deleteRemovedAttachments, keepTaskViewsInStep, recordAttachmentUploads } from './tasks/events.ts';
import { digestWorker, reminderWorker } from './tasks/reminders.ts';
import { taskRoutes } from './tasks/routes.ts';
import { TaskService } from './tasks/service.ts';
import { todoRoutes } from './todos/routes.ts';
import { TodoService } from './todos/service.ts';
import { deleteUserDataOnAccountRemoval } from './users/events.ts';
import { AccountExport, exportRoutes } from './users/export.ts';
import { type FederationProvider, FederationService } from './users/federation.ts';
import { federationRoutes } from './users/federation-routes.ts';
import { accountRoutes } from './users/routes.ts';
import type { AccountsService } from './users/service.ts';

/** The ports every app is built on; each runtime (one machine, Lambda) plugs in its adapters. */
export interface AppPorts {
  table: Table;
  clock: Clock;
  /** Where API keys' daily request counts are kept. */
  quotaStore: QuotaStore;
  objects: ObjectStore;
  media: MediaUrls;
  /** Email and SMS (reminders, digests, phone verification codes). */
  notifier: Notifier;
  /** Pushes to the social app's subscribers (an in-process bus, or AppSync). */
  live: LivePublisher;
  /** Where this runtime serves GraphQL subscriptions itself (one machine); absent on AWS. */
  liveSubscriptions?: LiveSubscriptions;
  /** Links between outside identities and accounts (the built-in issuer); absent on AWS for now. */
  federation?: Federation;
  /** The user pool's operator calls, for the console's users page (Cognito's Admin* calls on AWS). */
  identityAdmin: IdentityAdmin;
}

export interface AppSettings {
  accounts: AccountsService;
  /** Requests per second without an API key, per user and per address (bursts of twice that). */
  rateLimits: { perUser: number; perAddress: number };
  /** API key usage plans; the first is the default. */
  usagePlans?: UsagePlan[];
  fileLimits: FileLimits;
  photoLimits: PhotoLimits;
  attachmentLimits: AttachmentLimits;
  /** When the social feed stops fanning an account's posts out; default 10,000 followers. */
  fanOut?: FanOutOptions;
  /** Who runs the scheduled jobs: one process on one machine, many invocations on AWS. */
  schedule: Pick<ScheduleOptions, 'runnerId' | 'soleRunner'>;
  /** The web app's address, for the links it opens (share links' gallery pages). */
  webUrl: string;
  /** The API's public address, where outside sign-in providers send the browser back; default `webUrl`. */
  apiUrl?: string;
  /** Outside OpenID Connect and SAML providers to sign in with (`FEDERATION_PROVIDERS`). */
  federationProviders?: FederationProvider[];
  onBackgroundError(error: unknown, what: string): void;
}

/** The HTTP route groups: on AWS each is one Lambda function (`src/functions/catalog.ts`). */
export const routeGroupNames = [
  'auth',
  'todos',
  'notes',
  'bookmarks',
  'sites',
  'files',
  'photos',
  'tasks',
  'notifications',
  'api-keys',
  'admin',
] as const;
export type RouteGroupName = (typeof routeGroupNames)[number];

export interface Apps {
  /** HTTP routes of every app by group; one machine mounts them all. */
  routes: Record<RouteGroupName, OpenAPIHono<AppEnv>>;
  /** Change-stream handlers (DynamoDB Streams on AWS). */
  streamHandlers: StreamHandler[];
  /** Object event handlers (S3 notifications on AWS, the durable queue on one machine). */
  objectHandlers: ObjectEventHandler[];
  /** The social app's GraphQL API (graphql-yoga on one machine, the AppSync data source on AWS). */
  socialGraph: SocialGraph;
  /** Who may call `/graphql` on one machine: a signed-in user, or an API key for public queries. */
  graphqlGuard: MiddlewareHandler<AppEnv>;
  /** Jobs run once a minute (EventBridge on AWS, the local scheduler on one machine). */
  scheduledJobs: ScheduledJob[];
  /** Writes what is held in memory (daily counts); call before closing the stores. */
  close(): Promise<void>;
  /**
   * For the runtime's own operator routes beside the console's API (`routes.admin`): the chain
   * that lets only admins in, and the audit log.
   */
  operator: { adminOnly: MiddlewareHandler<AppEnv>[]; audit: AuditLog };
}

/**
 * The apps, wired to ports: the one list of what Stratus serves, shared by the one-machine
 * runtime and the Lambda entry points.
 */
export function composeApps(ports: AppPorts, settings: AppSettings): Apps {
  const { table, clock } = ports;
  const { accounts, rateLimits, usagePlans } = settings;
  const apiKeys = new ApiKeysService(table, clock, {
    ...(usagePlans ? { plans: usagePlans, defaultPlan: usagePlans[0]?.name } : {}),
    onBackgroundError: (error) => settings.onBackgroundError(error, 'api key last-used write'),
  });
  const files = new FileService(table, ports.objects, clock, settings.fileLimits);
  const photos = new PhotoService(table, ports.objects, ports.media, clock, settings.photoLimits);
  const albums = new AlbumService(table, clock, photos);
  const shares = new ShareService(table, clock, photos, albums, (token) => `${settings.webUrl}/s/${token}`);
  const avatars = new AvatarService(table, ports.objects, ports.media, clock, settings.photoLimits, (sub, url) =>
    accounts.setPicture(sub, url),
  );
  const notificationSettings = new NotificationSettingsService(table, ports.notifier, clock);
  const inbox = new Inbox(table, clock);
  const deliverer = new Deliverer(table, ports.notifier, notificationSettings, inbox, settings.webUrl);
  const tasks = new TaskService(table, clock, (sub) => notificationSettings.timeZone(sub));
  const attachments = new AttachmentService(table, ports.objects, clock, settings.attachmentLimits);
  const quotas = new DailyQuotas(ports.quotaStore, clock, {
    onFlushError: (error) => settings.onBackgroundError(error, 'daily quota flush'),
  });
  const perAddressSpec = { ratePerSecond: rateLimits.perAddress, burst: 2 * rateLimits.perAddress };
  /** Every signed-in route: the session check, then the usage plan or default rate limit. */
  const signedIn: MiddlewareHandler<AppEnv>[] = [
    requireUser((token) => accounts.authenticate(token)),
    rateLimit({
      apiKeys,
      clock,
      quotas,
      perUser: { ratePerSecond: rateLimits.perUser, burst: 2 * rateLimits.perUser },
      perAddress: perAddressSpec,
    }),
  ];
  const fanOut = settings.fanOut ?? defaultFanOut;
  /**
   * Routes open to anyone (sign-up and sign-in, public sites, shared galleries) are limited per
   * client address first, from one budget: the signed-in routes have theirs in `signedIn`.
   */
  const openToAnyone = addressRateLimit({ clock, perAddress: perAddressSpec });
  const publicly = (path: string) => {
    const routes = router();
    routes.use(path, openToAnyone);
    return routes;
  };
  const withFederation = (routes: OpenAPIHono<AppEnv>) => {
    if (!ports.federation) return routes;
    const service = new FederationService(
      settings.federationProviders ?? [],
      ports.federation,
      table,
      clock,
      settings.apiUrl ?? settings.webUrl,
      (error, provider) => settings.onBackgroundError(error, `sign-in with ${provider}`),
    );
    return routes.route('/', federationRoutes(service, signedIn, settings.webUrl));
  };
  const social = new SocialService(table, clock, photos, ports.live);
  // Built on first use: only the GraphQL function and the one-machine server need it.
  let socialGraph: SocialGraph | undefined;
  const graph = () =>
    (socialGraph ??= createSocialGraph({
      table,
      clock,
      social,
      feed: new FeedReader(table),
      media: ports.media,
      ...(ports.liveSubscriptions ? { subscriptions: ports.liveSubscriptions } : {}),
      onUnexpectedError: (error) => settings.onBackgroundError(error, 'GraphQL resolver'),
    }));
  const audit = new AuditLog(table, clock);
  return {
    operator: { adminOnly: [...signedIn, requireAdmin(ports.identityAdmin)], audit },
    get socialGraph() {
      return graph();
    },
    graphqlGuard: graphqlGuard({
      signedIn,
      apiKeys,
      clock,
      quotas,
      perAddress: perAddressSpec,
    }),
    routes: {
      auth: withFederation(
        publicly('/v1/auth/*')
          .route('/', accountRoutes(accounts, signedIn))
          .route('/', avatarRoutes(avatars, signedIn))
          .route('/', exportRoutes(new AccountExport(table, ports.objects), signedIn)),
      ),
      todos: todoRoutes(new TodoService(table, clock), signedIn),
      notes: noteRoutes(new NoteService(table, clock), signedIn),
      bookmarks: bookmarkRoutes(new BookmarkService(table, clock), signedIn),
      sites: publicly('/v1/sites/*').route('/', siteRoutes(new SiteService(table))),
      files: fileRoutes(files, signedIn),
      photos: publicly('/v1/shared/*').route('/', photoRoutes({ photos, albums, shares }, signedIn)),
      tasks: taskRoutes({ tasks, attachments, table, clock }, signedIn),
      notifications: notificationRoutes({ inbox, settings: notificationSettings }, signedIn),
      'api-keys': apiKeyRoutes(apiKeys, signedIn),
      admin: adminRoutes({ identity: ports.identityAdmin, accounts, table, audit }, signedIn),
    },
    streamHandlers: [
      deleteUserDataOnAccountRemoval(table),
      deleteApiKeyLookupOnRemoval(table),
      files.accountRemovalHandler(),
      cleanUpAfterDeletions(table, ports.objects, albums, shares),
      deleteMediaOfRemovedAccounts(ports.objects),
      keepTaskViewsInStep(table, ports.objects, clock),
      deleteRemovedAttachments(ports.objects),
      countTaskChanges(table, clock),
      countSocialChanges(table, clock, ports.live, fanOut),
      spreadSocialChanges(table, ports.live, fanOut),
    ],
    objectHandlers: [files.objectHandler(), processUploads(photos, avatars), recordAttachmentUploads(attachments)],
    scheduledJobs: [
      new ScheduleRunner(
        table,
        clock,
        [reminderWorker(table, deliverer, clock), digestWorker(table, notificationSettings, deliverer, clock)],
        { ...settings.schedule, onError: (error) => settings.onBackgroundError(error, 'scheduled delivery') },
      ),
    ],
    close: () => quotas.close(),
  };
}
