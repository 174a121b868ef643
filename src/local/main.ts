import { type Config, ConfigError, loadConfigWithFreePort } from './config.ts';
import { createLocalRuntime } from './runtime.ts';
import { startServer } from './server.ts';
import { loadTls } from './tls.ts';

/** `npm start`: Stratus on one machine, on its embedded parts. The only reader of process.env. */
async function main(): Promise<void> {
  const started = performance.now();
  let config: Config;
  try {
    config = await loadConfigWithFreePort(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const tls = await loadTls(config.dataDir, config.host, config.tls);
  const runtime = await createLocalRuntime(config);
  const running = await startServer(runtime, tls);
  // Handlers first: whoever reads the ready line below may signal at once.
  const stop = (signal: string) => {
    runtime.logger.info({ signal }, 'shutting down: draining in-flight requests');
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const ms = Math.round(performance.now() - started);
  runtime.logger.info(
    { url: running.url, publicUrl: config.publicUrl, dataDir: config.dataDir, startupMs: ms },
    'listening',
  );
  console.log(`\nStratus is running at ${running.url}  (started in ${ms} ms)`);
  console.log(`  API docs: ${running.url}/docs    Outbox: ${running.url}/_dev/outbox    Data: ${config.dataDir}`);
  if (!config.tls) console.log('  TLS: a self-signed certificate (curl -k, or trust data/tls/self-signed-cert.pem)\n');
}

main().catch((error: unknown) => {
  console.error('Stratus failed to start:', error);
  process.exit(1);
});
