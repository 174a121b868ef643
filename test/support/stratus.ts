import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { loadConfigWithFreePort } from '../../src/local/config.ts';
import { createLocalRuntime, type LocalRuntime, type RuntimeOptions } from '../../src/local/runtime.ts';
import { type RunningServer, startServer } from '../../src/local/server.ts';
import { loadTls } from '../../src/local/tls.ts';
import { TestClock } from './clock.ts';

// biome-ignore lint/suspicious/noExplicitAny: replies are arbitrary JSON; each test asserts on the shape it expects
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (for invalid JSON and other malformed bodies). */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A real Stratus on a temporary data folder, serving HTTPS on a free port of 127.0.0.1. */
export class TestStratus {
  private constructor(
    readonly runtime: LocalRuntime,
    readonly server: RunningServer,
    readonly clock: TestClock,
    readonly dataDir: string,
    /** The self-signed certificate the server presents, for clients other than `request`. */
    readonly tlsCert: string,
    private readonly agent: Agent,
  ) {}

  /**
   * `reuse.dataDir` starts on the data folder of a Stratus stopped with `keepData` (with its
   * `clock` passed in `options`, this is a restart).
   */
  static async start(
    env: Record<string, string> = {},
    options: RuntimeOptions = {},
    reuse: { dataDir?: string } = {},
  ): Promise<TestStratus> {
    const dataDir = reuse.dataDir ?? (await mkdtemp(join(tmpdir(), 'stratus-test-')));
    // Backups are off unless a test asks (src/local/backup tests them): each start would snapshot.
    const config = await loadConfigWithFreePort({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      BACKUPS: 'off',
      ...env,
    });
    const tls = await loadTls(config.dataDir, config.host);
    const clock = options.clock instanceof TestClock ? options.clock : new TestClock();
    const runtime = await createLocalRuntime(config, {
      clock,
      stream: { baseDelayMs: 10, pollMs: 100 },
      ...options,
    });
    const server = await startServer(runtime, tls);
    const agent = new Agent({ connect: { ca: tls.cert } });
    return new TestStratus(runtime, server, clock, dataDir, tls.cert, agent);
  }

  /** Any request to this server by full URL (pre-signed object URLs), trusting its certificate. */
  fetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
    return fetch(url, { ...init, dispatcher: this.agent });
  }

  get url(): string {
    return this.server.url;
  }

  // biome-ignore lint/suspicious/noExplicitAny: as for Reply
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${this.url}${path}`, { method, headers, body, dispatcher: this.agent });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers as unknown as Headers, body: parsed as T };
  }

  /**
   * A GraphQL request to `/graphql` as a signed-in user (`token`) or with an API key alone
   * (`apiKey`). Returns the HTTP status and the `{data, errors}` body.
   */
  // biome-ignore lint/suspicious/noExplicitAny: as for Reply
  async graphql<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    auth: { token?: string; apiKey?: string } = {},
  ): Promise<Reply<T>> {
    return this.request<T>('POST', '/graphql', {
      body: { query, variables },
      ...(auth.token ? { token: auth.token } : {}),
      ...(auth.apiKey ? { headers: { 'x-api-key': auth.apiKey } } : {}),
    });
  }

  /** The newest code mailed to `email` (confirmation or reset). */
  async mailedCode(email: string): Promise<string> {
    const [latest] = await this.runtime.outbox.list({ to: email });
    const code = /\b(\d{6})\b/.exec(latest?.text ?? '')?.[1];
    if (!code) throw new Error(`No code was mailed to ${email}`);
    return code;
  }

  /** Signs up, confirms and signs in a new user; returns the tokens. */
  async newUser(email: string, password = 'a long and unusual passphrase', name = 'Test User') {
    const signUp = await this.request('POST', '/v1/auth/signup', { body: { email, password, name } });
    if (signUp.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(signUp.body)}`);
    const code = await this.mailedCode(email);
    const confirm = await this.request('POST', '/v1/auth/confirm', { body: { email, code } });
    if (confirm.status !== 200) throw new Error(`confirm failed: ${JSON.stringify(confirm.body)}`);
    const signIn = await this.request('POST', '/v1/auth/signin', { body: { email, password } });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(signIn.body)}`);
    return signIn.body as { accessToken: string; idToken: string; refreshToken: string; expiresIn: number };
  }

  /** Stops the server; `keepData` leaves the data folder for a restart (`start` with `reuse`). */
  async stop({ keepData = false }: { keepData?: boolean } = {}): Promise<void> {
    await this.server.shutdown(1000);
    await this.agent.close();
    if (!keepData) {
      await rm(this.dataDir, { recursive: true, force: true });
      if (this.runtime.config.backups) await rm(this.runtime.config.backups.dir, { recursive: true, force: true });
    }
  }
}
