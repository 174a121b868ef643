import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Agent, fetch } from 'undici';
import { TestClock } from '../../../test/support/clock.ts';
import type { OutboxNotifier } from '../../adapters/local/outbox-notifier.ts';
import { SqliteQuotaStore } from '../../adapters/local/sqlite-rate-store.ts';
import { requireUser } from '../../http/middleware/auth.ts';
import { type RateSpec, rateLimit } from '../../http/middleware/rate-limit.ts';
import { DailyQuotas } from '../../http/middleware/rate-limit-quota.ts';
import { router } from '../../http/openapi.ts';
import { problemResponse, toAppError } from '../../http/problem.ts';
import { loadConfig } from '../../local/config.ts';
import { createLocalRuntime } from '../../local/runtime.ts';
import { type RunningServer, startServer } from '../../local/server.ts';
import { loadTls } from '../../local/tls.ts';
import { AppError } from '../../platform/errors.ts';
import { accountRoutes } from '../users/routes.ts';
import { AccountsService } from '../users/service.ts';
import { AuthThrottle } from '../users/throttle.ts';
import type { UsagePlan } from './plans.ts';
import { apiKeyRoutes } from './routes.ts';
import { ApiKeysService } from './service.ts';

// biome-ignore lint/suspicious/noExplicitAny: replies are arbitrary JSON; each test asserts on the shape it expects
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface HarnessOptions {
  plans?: UsagePlan[];
  perUser?: RateSpec;
  perAddress?: RateSpec;
  maxActiveKeys?: number;
}

const PASSWORD = 'a long and unusual passphrase';

/**
 * The real pieces (local runtime adapters, accounts, api-keys routes, rate-limit middleware
 * with its SQLite quota store) in a small app served over HTTPS, until the lead wires the
 * api-keys app into `createHttpApp`. `GET /v1/probe` is any signed-in, rate-limited route.
 */
export class ApiKeysHarness {
  private constructor(
    readonly server: RunningServer,
    readonly clock: TestClock,
    readonly dataDir: string,
    readonly options: HarnessOptions,
    private readonly outbox: OutboxNotifier,
    private readonly agent: Agent,
  ) {}

  static async start(
    options: HarnessOptions = {},
    reuse: { dataDir?: string; clock?: TestClock } = {},
  ): Promise<ApiKeysHarness> {
    const dataDir = reuse.dataDir ?? (await mkdtemp(join(tmpdir(), 'stratus-api-keys-')));
    const clock = reuse.clock ?? new TestClock();
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    const tls = await loadTls(config.dataDir, config.host);
    const runtime = await createLocalRuntime(config, { clock, stream: { baseDelayMs: 10, pollMs: 100 } });

    const accounts = new AccountsService(runtime.identity, runtime.table, clock, new AuthThrottle());
    const authenticate = accounts.authenticate.bind(accounts);
    const keys = new ApiKeysService(runtime.table, clock, {
      ...(options.plans ? { plans: options.plans } : {}),
      ...(options.maxActiveKeys ? { maxActiveKeys: options.maxActiveKeys } : {}),
    });
    const quotas = new DailyQuotas(new SqliteQuotaStore(runtime.db, clock), clock);
    const limits = rateLimit({
      apiKeys: keys,
      clock,
      quotas,
      ...(options.perUser ? { perUser: options.perUser } : {}),
      ...(options.perAddress ? { perAddress: options.perAddress } : {}),
    });

    const app = router();
    app.use(async (c, next) => {
      c.set('clientIp', getConnInfo(c).remote.address ?? 'unknown');
      await next();
    });
    // As the runtime must wire it: every signed-in route checks the token, then the limits.
    const user = requireUser(authenticate);
    app.route('/', accountRoutes(accounts, [user, limits]));
    app.route('/', apiKeyRoutes(keys, [user, limits]));
    app.get('/v1/probe', user, limits, (c) => c.json({ sub: c.get('caller').sub }));
    app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'api-keys harness', version: '1' } });
    app.notFound((c) => problemResponse(c, new AppError(404, 'NotFound', `There is no route ${c.req.path}`)));
    app.onError((error, c) => problemResponse(c, toAppError(error)));

    const server = await startServer(
      {
        ...runtime,
        app,
        // Daily counts are written before the database closes, as the real runtime must do.
        close: async () => {
          await quotas.close();
          await runtime.close();
        },
      },
      tls,
    );
    const agent = new Agent({ connect: { ca: tls.cert } });
    return new ApiKeysHarness(server, clock, dataDir, options, runtime.outbox, agent);
  }

  get url(): string {
    return this.server.url;
  }

  // biome-ignore lint/suspicious/noExplicitAny: as for Reply
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    const response = await fetch(`${this.url}${path}`, { method, headers, body, dispatcher: this.agent });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers as unknown as Headers, body: parsed as T };
  }

  /** Signs up, confirms (with the code from the outbox) and signs in; returns the access token. */
  async newUser(email: string): Promise<string> {
    const signUp = await this.request('POST', '/v1/auth/signup', { body: { email, password: PASSWORD, name: 'T' } });
    if (signUp.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(signUp.body)}`);
    const [latest] = await this.outbox.list({ to: email });
    const code = /\b(\d{6})\b/.exec(latest?.text ?? '')?.[1];
    if (!code) throw new Error(`No code was mailed to ${email}`);
    const confirm = await this.request('POST', '/v1/auth/confirm', { body: { email, code } });
    if (confirm.status !== 200) throw new Error(`confirm failed: ${JSON.stringify(confirm.body)}`);
    return this.signIn(email);
  }

  async signIn(email: string): Promise<string> {
    const signIn = await this.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(signIn.body)}`);
    return signIn.body.accessToken as string;
  }

  /** Stops this server but keeps its data folder, and starts another on it (same clock). */
  async restart(): Promise<ApiKeysHarness> {
    await this.shutdown();
    return ApiKeysHarness.start(this.options, { dataDir: this.dataDir, clock: this.clock });
  }

  async stop(): Promise<void> {
    await this.shutdown();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async shutdown(): Promise<void> {
    await this.server.shutdown(1000);
    await this.agent.close();
  }
}
