import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { expectedVersion } from '../../http/conditional.ts';
import type { AppEnv } from '../../http/context.ts';
import { setHeader } from '../../http/headers.ts';
import { jsonBody, jsonResponse, problems, router } from '../../http/openapi.ts';
import { etagOf } from '../common/collection.ts';
import { BooleanQuery, PageQuery } from '../common/model.ts';
import { TimeZone } from '../tasks/model.ts';
import type { Inbox } from './inbox.ts';
import type { NotificationSettings, NotificationSettingsService } from './settings.ts';

const sub = (c: Context<AppEnv>) => c.get('caller').sub;

const E164 = z
  .string()
  .regex(
    /^\+[1-9]\d{6,14}$/,
    'must be a phone number in E.164 form: + then the country code and number, like +15555550100',
  )
  .openapi({ example: '+15555550100' });

const Channels = z.object({ email: z.boolean(), sms: z.boolean(), inApp: z.boolean() });
const SettingsSchema = z
  .object({
    channels: Channels,
    timeZone: z.string(),
    digest: z.object({ enabled: z.boolean(), hour: z.number().int() }),
    phone: z.object({ number: z.string(), verified: z.boolean() }).optional(),
    version: z.number().int(),
  })
  .openapi('NotificationSettings');

const SettingsChange = z
  .object({
    channels: Channels.partial().strict().optional(),
    timeZone: TimeZone.optional(),
    digest: z
      .object({
        enabled: z.boolean().optional(),
        hour: z.number().int('must be a whole hour').min(0).max(23, 'must be an hour from 0 to 23').optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'send at least one setting to change')
  .openapi('NotificationSettingsChange');

const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string().optional(),
    late: z.boolean(),
    read: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Notification');

const NotificationId = z.object({
  id: z.string().regex(/^\d{13}-[a-z0-9.-]{1,120}$/, 'must be a notification id returned by this API'),
});

/** `/v1/notifications`: the in-app inbox, and the settings for every channel (with phone verification). */
export function notificationRoutes(
  services: { inbox: Inbox; settings: NotificationSettingsService },
  signedIn: MiddlewareHandler<AppEnv>[],
) {
  const { inbox, settings } = services;
  const app = router();
  const common = { tags: ['Notifications'], security: [{ Bearer: [] }], middleware: signedIn };
  const settingsReply = (c: Context<AppEnv>, value: NotificationSettings) => {
    setHeader(c, 'ETag', etagOf(value.version));
    setHeader(c, 'Cache-Control', 'private, no-cache');
    return c.json(value, 200);
  };

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/notifications',
      summary: 'Your in-app notifications, newest first',
      request: {
        query: PageQuery.extend({
          unread: BooleanQuery.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(NotificationSchema), nextCursor: z.string().optional() }),
          'One page',
        ),
        ...problems,
      },
    }),
    async (c) => {
      setHeader(c, 'Cache-Control', 'private, no-cache');
      return c.json(await inbox.list(sub(c), c.req.valid('query')), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/notifications/unread-count',
      summary: 'How many are unread (exact up to 100; `capped` beyond)',
      responses: {
        200: jsonResponse(z.object({ unread: z.number().int(), capped: z.boolean() }), 'The count'),
        ...problems,
      },
    }),
    async (c) => {
      setHeader(c, 'Cache-Control', 'private, no-cache');
      return c.json(await inbox.unreadCount(sub(c)), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/notifications/read-all',
      summary: 'Mark every notification read',
      responses: { 200: jsonResponse(z.object({ marked: z.number().int() }), 'How many were unread'), ...problems },
    }),
    async (c) => c.json({ marked: await inbox.markAllRead(sub(c)) }, 200),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      // Not `/{id}/read`: a parameter beside the static paths is more than Hono's RegExpRouter takes.
      path: '/v1/notifications/read',
      summary: 'Mark one notification read',
      request: { ...jsonBody(NotificationId.strict().openapi('NotificationRead')) },
      responses: {
        204: { description: 'Read' },
        404: { ...problems[401], description: 'No such notification' },
        ...problems,
      },
    }),
    async (c) => {
      await inbox.markRead(sub(c), c.req.valid('json').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/notifications/settings',
      summary: 'Your channels, time zone, daily digest and phone',
      responses: { 200: jsonResponse(SettingsSchema, 'The settings (ETag: their version)'), ...problems },
    }),
    async (c) => settingsReply(c, await settings.get(sub(c))),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'patch',
      path: '/v1/notifications/settings',
      summary: 'Change your notification settings (If-Match honoured)',
      description: 'Turning on `sms` needs a verified phone: POST /v1/notifications/phone, then /verify with the code.',
      request: { ...jsonBody(SettingsChange) },
      responses: {
        200: jsonResponse(SettingsSchema, 'The new settings'),
        412: { ...problems[400], description: 'The If-Match ETag is stale' },
        422: { ...problems[400], description: 'SMS needs a verified phone' },
        ...problems,
      },
    }),
    async (c) => {
      const version = expectedVersion(c.req.header('if-match'), false);
      return settingsReply(c, await settings.update(sub(c), version, c.req.valid('json')));
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/notifications/phone',
      summary: 'Text a verification code to a phone number',
      request: { ...jsonBody(z.object({ phoneNumber: E164 }).strict().openapi('PhoneVerificationStart')) },
      responses: {
        202: jsonResponse(z.object({ expiresAt: z.string() }), 'A code is on its way'),
        ...problems,
      },
    }),
    async (c) => c.json(await settings.startPhoneVerification(sub(c), c.req.valid('json').phoneNumber), 202),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/notifications/phone/verify',
      summary: 'Prove the phone with the texted code',
      request: {
        ...jsonBody(
          z
            .object({ code: z.string().regex(/^\d{6}$/, 'must be the 6 digits from the text message') })
            .strict()
            .openapi('PhoneVerificationCode'),
        ),
      },
      responses: { 200: jsonResponse(SettingsSchema, 'The settings, with the verified phone'), ...problems },
    }),
    async (c) => settingsReply(c, await settings.verifyPhone(sub(c), c.req.valid('json').code)),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/v1/notifications/phone',
      summary: 'Forget the phone (SMS turns off)',
      responses: { 200: jsonResponse(SettingsSchema, 'The settings'), ...problems },
    }),
    async (c) => settingsReply(c, await settings.removePhone(sub(c))),
  );

  return app;
}
