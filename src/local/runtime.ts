import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import pino from 'pino';
import { CachedTable } from '../adapters/cached-table.ts';
import { type Database, openDatabase } from '../adapters/local/database.ts';
import {
  DiskObjectStore,
  isObjectRoute,
  loadOrCreateObjectSigningSecret,
  objectEventQueueHandler,
  objectRoutes,
} from '../adapters/local/disk-object-store.ts';
import { LocalLiveBus } from '../adapters/local/live-bus.ts';
import { LocalIdentity } from '../adapters/local/local-identity.ts';
import { LocalMediaUrls, publicMediaRoutes } from '../adapters/local/local-media.ts';
import { OutboxNotifier } from '../adapters/local/outbox-notifier.ts';
import { SmtpNotifier } from '../adapters/local/smtp-notifier.ts';
import { SqliteQueue, type SqliteQueueOptions } from '../adapters/local/sqlite-queue.ts';
import { SqliteQuotaStore } from '../adapters/local/sqlite-rate-store.ts';
import { SqliteTable } from '../adapters/local/sqlite-table.ts';
import { type DispatcherOptions, LocalStreamDispatcher } from '../adapters/local/stream-dispatcher.ts';
import { loadOrCreateSigningKeys } from '../adapters/local/token-keys.ts';
import { composeApps } from '../apps/index.ts';
import { createProfileOnConfirmation } from '../apps/users/profile.ts';
import { AccountsService } from '../apps/users/service.ts';
import { AuthThrottle, type ThrottleLimits } from '../apps/users/throttle.ts';
import { createHttpApp } from '../http/app.ts';
import type { AppEnv } from '../http/context.ts';
import { docsRoutes } from '../http/docs.ts';
import { RouteMetrics } from '../http/route-metrics.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import { ChannelNotifier, type Notifier } from '../platform/notifier.ts';
import type { Table } from '../platform/table.ts';
import { keepBlobsIn, type RunningBackups, startBackups, stopCapturingChanges } from './backup/backups.ts';
import type { Config } from './config.ts';
import { createGraphqlServer } from './graphql.ts';
import { devOutboxRoutes, wellKnownRoutes } from './local-routes.ts';
import { operatorRoutes } from './operator-routes.ts';
import { LocalScheduler } from './scheduler.ts';
import { loadWebApp } from './web-app.ts';

/** The app client id of the built-in issuer (Cognito's app client id plays this role on AWS). */
export const LOCAL_CLIENT_ID = 'stratus-local';

const TTL_SWEEP_MS = 30_000;
const GAUGE_SAMPLE_MS = 15_000;

export interface RuntimeOptions {
  clock?: Clock;
  throttle?: ThrottleLimits;
  stream?: DispatcherOptions;
  queue?: SqliteQueueOptions;
}

export interface LocalRuntime {
  config: Config;
  app: OpenAPIHono<AppEnv>;
  db: Database;
  /** The app's table: SQLite, behind the read cache unless READ_CACHE_MB=0. */
  table: Table;
  sqliteTable: SqliteTable;
  dispatcher: LocalStreamDispatcher;
  scheduler: LocalScheduler;
  queue: SqliteQueue;
  objects: DiskObjectStore;
  identity: LocalIdentity;
  outbox: OutboxNotifier;
  logger: pino.Logger;
  /** WebSocket upgrades (GraphQL subscriptions over graphql-ws), for the HTTPS server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

/** The composition root of the one-machine runtime: picks the local adapters and wires the apps. */
export async function createLocalRuntime(config: Config, options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const clock = options.clock ?? systemClock;
  // Log lines are buffered and written every second (and at exit): one write per request took
  // a third of a small request's time under load (bench/README.md).
  const logOutput = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  const logFlush = setInterval(() => logOutput.flush(), 1000).unref();
  const logger = pino({ level: config.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, logOutput);
  const db = openDatabase(join(config.dataDir, 'stratus.db'));
  const sqliteTable = new SqliteTable(db, clock);
  const table: Table =
    config.readCacheBytes > 0 ? new CachedTable(sqliteTable, { maxBytes: config.readCacheBytes, clock }) : sqliteTable;
  const outbox = new OutboxNotifier(join(config.dataDir, 'outbox'));
  const smtp = config.smtpUrl ? new SmtpNotifier(config.smtpUrl, config.mailFrom) : undefined;
  const notifier: Notifier = new ChannelNotifier({ email: smtp ?? outbox, sms: outbox });
  const keys = await loadOrCreateSigningKeys(config.dataDir);
  const issuer = config.publicUrl;
  const identity = new LocalIdentity({
    db,
    keys,
    notifier,
    issuer,
    clientId: LOCAL_CLIENT_ID,
    clock,
    hooks: { postConfirmation: createProfileOnConfirmation(table, () => new Date(clock.now())) },
  });
  const accounts = new AccountsService(identity, table, clock, new AuthThrottle(options.throttle, clock));

  // The object store needs the queue, and the queue's handlers need the apps: subscribe them after.
  const queue = new SqliteQueue(db, [], {
    clock,
    onError: (handler, error, attempt) => logger.warn({ handler, attempt, err: error }, 'queue handler failed'),
    ...options.queue,
  });
  const objects = await DiskObjectStore.open({
    dir: join(config.dataDir, 'objects'),
    db,
    queue,
    publicUrl: config.publicUrl,
    secret: await loadOrCreateObjectSigningSecret(config.dataDir),
    ...(config.backups ? { keepBlob: keepBlobsIn(config.backups.dir, logger) } : {}),
    clock,
  });
  const live = new LocalLiveBus();
  const apps = composeApps(
    {
      live,
      liveSubscriptions: live,
      federation: identity,
      identityAdmin: identity,
      table,
      clock,
      quotaStore: new SqliteQuotaStore(db, clock),
      objects,
      media: new LocalMediaUrls(objects, config.publicUrl, clock),
      notifier,
    },
    {
      accounts,
      fileLimits: config.fileLimits,
      photoLimits: config.photoLimits,
      attachmentLimits: config.attachmentLimits,
      fanOut: config.fanOut,
      // One process owns the data folder: a claim left by another runner id is from one that died.
      schedule: { runnerId: randomUUID(), soleRunner: true },
      webUrl: config.publicUrl,
      rateLimits: config.rateLimits,
      ...(config.usagePlans ? { usagePlans: config.usagePlans } : {}),
      ...(config.federationProviders ? { federationProviders: config.federationProviders } : {}),
      onBackgroundError: (error, what) => logger.warn({ err: error }, `${what} failed`),
    },
  );

  const dispatcher = new LocalStreamDispatcher(db, apps.streamHandlers, {
    clock,
    onError: (consumer, error, attempt) => logger.warn({ consumer, attempt, err: error }, 'stream handler failed'),
    ...options.stream,
  });
  // After the last store that makes tables: the change capture covers every table there is.
  const backups: RunningBackups | undefined = config.backups
    ? startBackups({
        db,
        dataDir: config.dataDir,
        backupDir: config.backups.dir,
        everyMinutes: config.backups.everyMinutes,
        keep: config.backups.keep,
        retentionDays: config.backups.retentionDays,
        logger,
      })
    : undefined;
  if (!backups) stopCapturingChanges(db);
  const stopListening = sqliteTable.onChange(() => dispatcher.wake());
  dispatcher.start();
  for (const handler of apps.objectHandlers) queue.subscribe(objectEventQueueHandler(handler));
  queue.start();
  const scheduler = new LocalScheduler(apps.scheduledJobs, {
    clock,
    tickMs: config.schedulerTickMs,
    onError: (job, error) => logger.warn({ job, err: error }, 'scheduled job failed'),
  });
  scheduler.start();
  const sweeper = setInterval(() => sqliteTable.sweepExpired(), TTL_SWEEP_MS).unref();
  // For the console's charts: the queue's depth and the stream's lag, a few times a minute.
  const metrics = new RouteMetrics(() => clock.now());
  const sampleGauges = () => {
    metrics.gauge('queueDepth', queue.depth());
    metrics.gauge('streamLag', Math.max(0, ...Object.values(dispatcher.lag())));
  };
  const gaugeSampler = setInterval(sampleGauges, GAUGE_SAMPLE_MS).unref();

  const graphql = createGraphqlServer({
    graph: apps.socialGraph,
    guard: apps.graphqlGuard,
    authenticate: async (token) => ({ sub: (await accounts.authenticate(token)).claims.sub }),
    origins: config.corsOrigins,
  });

  // The web app, when built (`npm start` builds it first); without it, the API alone.
  const web = loadWebApp(config.webDir);
  const app = createHttpApp({
    appRoutes: Object.values(apps.routes),
    corsOrigins: config.corsOrigins,
    clientIp: socketAddress,
    logRequest: (entry) => {
      metrics.record(entry);
      logger.info(entry, 'request');
    },
    logError: (error, requestId) => logger.error({ err: error, requestId }, 'unhandled error'),
    extraRoutes: [
      wellKnownRoutes(issuer, keys),
      devOutboxRoutes(outbox),
      docsRoutes(),
      objectRoutes(objects),
      graphql.routes,
      operatorRoutes({
        queue,
        dispatcher,
        outbox,
        metrics,
        audit: apps.operator.audit,
        adminOnly: apps.operator.adminOnly,
      }),
      publicMediaRoutes(objects),
      ...(web ? [web.routes] : []),
    ],
    unlimitedBody: isObjectRoute,
    fallback: web?.page,
  });

  return {
    config,
    app,
    db,
    table,
    sqliteTable,
    dispatcher,
    scheduler,
    queue,
    objects,
    identity,
    outbox,
    logger,
    handleUpgrade: graphql.handleUpgrade,
    async close() {
      await graphql.close();
      clearInterval(sweeper);
      clearInterval(gaugeSampler);
      await scheduler.stop();
      stopListening();
      await dispatcher.stop();
      await queue.stop();
      await apps.close();
      smtp?.close();
      await backups?.stop();
      db.close();
      clearInterval(logFlush);
      logOutput.flushSync();
    },
  };
}

/** On one machine the client is whoever is on the other end of the socket (no proxy is trusted). */
const socketAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('clientIp', getConnInfo(c).remote.address ?? 'unknown');
  await next();
};
