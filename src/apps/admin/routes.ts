/**
 * The operator console's API, `/v1/admin/*`: users (search, disable, enable, sign out
 * everywhere, delete), a read-only browser of the table's items, and the audit log. Only members
 * of the `admins` group get in, checked against the user pool on every request (not only the
 * token's `cognito:groups`, which lives for an hour), so a revoked admin is out at once.
 * Every action is written to the audit log before it is answered.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { jsonResponse, problem, problems, router } from '../../http/openapi.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { ADMINS_GROUP, type AdminUserRecord, type IdentityAdmin } from '../../platform/identity.ts';
import { indexKeys, type Table } from '../../platform/table.ts';
import { appOf } from '../common/item-apps.ts';
import { profileKey } from '../users/profile.ts';
import type { AccountsService } from '../users/service.ts';
import type { AuditEvent, AuditLog } from './audit.ts';

const tags = ['Operator console'];

const SubParam = z.object({ sub: z.string().min(1).max(128) });
const AdminUserSchema = z
  .object({
    sub: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    name: z.string(),
    enabled: z.boolean(),
    groups: z.array(z.string()),
    mfaEnabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('AdminUser');
const view = (user: AdminUserRecord) => ({
  sub: user.sub,
  email: user.email,
  emailVerified: user.emailVerified,
  name: user.name,
  enabled: user.enabled,
  groups: user.groups,
  mfaEnabled: user.mfaEnabled,
  createdAt: user.createdAt,
});

/** Writes the audit entry for an action by the signed-in caller, from where the request came. */
export function auditedBy(audit: AuditLog) {
  return (c: Context<AppEnv>, event: Pick<AuditEvent, 'action' | 'target' | 'details'>) => {
    const email = c.get('profile')?.email;
    const userAgent = c.req.header('User-Agent');
    return audit.record({
      ...event,
      actor: { sub: c.get('caller').sub, ...(typeof email === 'string' ? { email } : {}) },
      origin: { address: c.get('clientIp'), ...(userAgent ? { userAgent: userAgent.slice(0, 200) } : {}) },
    });
  };
}

/** The answer every operator route gives to anyone else, for the OpenAPI document. */
export const notAdmin = { 403: problem('Not a member of the admins group') };

/** Members of `admins` only, asked of the user pool itself. */
export function requireAdmin(identity: IdentityAdmin): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const groups = await identity.groupsOf(c.get('caller').sub);
    if (!groups.includes(ADMINS_GROUP)) throw forbidden('The operator console is for members of the admins group');
    await next();
  };
}

export interface AdminDeps {
  identity: IdentityAdmin;
  accounts: AccountsService;
  table: Table;
  audit: AuditLog;
}

export function adminRoutes(deps: AdminDeps, signedInChain: MiddlewareHandler<AppEnv>[]) {
  const { identity, accounts, table, audit } = deps;
  const app = router();
  const asAdmin = { security: [{ Bearer: [] }], middleware: [...signedInChain, requireAdmin(identity)] };

  const audited = auditedBy(audit);
  const existing = async (sub: string) => {
    const user = await identity.adminGetUser(sub);
    if (!user) throw notFound('No user has this id');
    return user;
  };
  const notYourself = (c: Context<AppEnv>, sub: string, what: string) => {
    if (c.get('caller').sub === sub) throw conflict('OwnAccount', `You cannot ${what} your own account here`);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/users',
      tags,
      summary: 'Users by email prefix or part of the name, in email order',
      ...asAdmin,
      request: {
        query: z.object({
          query: z.string().max(200).optional(),
          after: z.string().max(320).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ users: z.array(AdminUserSchema), next: z.string().optional() }),
          'A page of users',
        ),
        ...notAdmin,
        ...problems,
      },
    }),
    async (c) => {
      const { query, after, limit } = c.req.valid('query');
      const page = await identity.listUsers({ limit, ...(query ? { query } : {}), ...(after ? { after } : {}) });
      return c.json({ users: page.users.map(view), ...(page.next ? { next: page.next } : {}) }, 200);
    },
  );

  const action = (path: string, summary: string, run: (c: Context<AppEnv>, sub: string) => Promise<string>) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/admin/users/{sub}/${path}`,
        tags,
        summary,
        ...asAdmin,
        request: { params: SubParam },
        responses: {
          200: jsonResponse(AdminUserSchema, 'Done; the user as it is now'),
          404: problem('No user has this id'),
          409: problem('Not on your own account'),
          ...notAdmin,
          ...problems,
        },
      }),
      async (c) => {
        const { sub } = c.req.valid('param');
        await existing(sub);
        const auditAction = await run(c, sub);
        await audited(c, { action: auditAction, target: sub });
        return c.json(view(await existing(sub)), 200);
      },
    );

  action('disable', 'Disable: no sign-in, and every session ends', async (c, sub) => {
    notYourself(c, sub, 'disable');
    await identity.setEnabled(sub, false);
    await accounts.signOutEverywhere(sub);
    return 'user.disable';
  });
  action('enable', 'Enable again', async (_c, sub) => {
    await identity.setEnabled(sub, true);
    return 'user.enable';
  });
  action('sign-out', 'End every session of the user', async (_c, sub) => {
    await accounts.signOutEverywhere(sub);
    return 'user.sign-out';
  });

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/admin/users/{sub}',
      tags,
      summary: 'Delete the account and, through the change stream, everything it owns',
      ...asAdmin,
      request: { params: SubParam },
      responses: {
        204: { description: 'Deleted' },
        404: problem('No user has this id'),
        409: problem('Not your own account'),
        ...notAdmin,
        ...problems,
      },
    }),
    async (c) => {
      const { sub } = c.req.valid('param');
      notYourself(c, sub, 'delete');
      const user = await existing(sub);
      await audited(c, { action: 'user.delete', target: sub, details: { email: user.email } });
      await identity.adminDeleteUser(sub);
      // As for DELETE /v1/me: the profile's REMOVE on the change stream deletes everything else it owns.
      await table.delete(profileKey(sub));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/items',
      tags,
      summary: 'Items of one partition of the table or an index, read-only, each with the app it belongs to',
      ...asAdmin,
      request: {
        query: z.object({
          partition: z.string().min(1).max(1024),
          index: z.enum(Object.keys(indexKeys) as [string, ...string[]]).optional(),
          cursor: z.string().max(4096).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            items: z.array(z.object({ app: z.string(), item: z.record(z.string(), z.unknown()) })),
            cursor: z.string().optional(),
          }),
          'A page of items',
        ),
        ...notAdmin,
        ...problems,
      },
    }),
    async (c) => {
      const { partition, index, cursor, limit } = c.req.valid('query');
      const page = await table.query({
        partition,
        limit,
        ...(index ? { index: index as keyof typeof indexKeys } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return c.json(
        {
          items: page.items.map((item) => ({ app: appOf(item), item: item as unknown as Record<string, never> })),
          ...(page.cursor ? { cursor: page.cursor } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/audit',
      tags,
      summary: 'The audit log, newest first, with whether its hash chain holds',
      ...asAdmin,
      request: {
        query: z.object({
          before: z.coerce.number().int().min(2).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            entries: z.array(z.record(z.string(), z.unknown())),
            before: z.number().optional(),
            chain: z.object({ intact: z.boolean(), at: z.number().optional() }),
          }),
          'Entries, newest first',
        ),
        ...notAdmin,
        ...problems,
      },
    }),
    async (c) => {
      const { before, limit } = c.req.valid('query');
      const page = await audit.read(limit, before);
      return c.json(page as unknown as { entries: Record<string, unknown>[]; chain: { intact: boolean } }, 200);
    },
  );

  return app;
}
