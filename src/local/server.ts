import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { LocalRuntime } from './runtime.ts';
import type { TlsPair } from './tls.ts';

export interface RunningServer {
  server: Server;
  /** The address it listens on, e.g. https://127.0.0.1:8443 */
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the runtime. */
  shutdown(graceMs?: number): Promise<void>;
}

/** Serves the runtime's app over HTTPS. */
export async function startServer(runtime: LocalRuntime, tls: TlsPair): Promise<RunningServer> {
  const server = createAdaptorServer({
    fetch: runtime.app.fetch,
    createServer,
    serverOptions: { cert: tls.cert, key: tls.key },
  }) as Server;
  server.on('upgrade', runtime.handleUpgrade);
  // Keep-alive sockets must not outlive a shutdown; headers must arrive promptly.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(runtime.config.port, runtime.config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = runtime.config.host.includes(':') ? `[${runtime.config.host}]` : runtime.config.host;
  const url = `https://${host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    server,
    url,
    shutdown(graceMs = 10_000) {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), graceMs).unref();
        await closed;
        clearTimeout(force);
        await runtime.close();
      })();
      return stopping;
    },
  };
}
