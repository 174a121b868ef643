import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU time the server process spent per request in the measured run (µs; Linux only). */
  serverCpuUs?: number;
  /** CPU time the load generator (this process) spent per request (µs). */
  clientCpuUs: number;
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** User plus system CPU time of a process so far, in µs, from /proc (undefined elsewhere). */
function processCpuUs(pid: number | undefined): number | undefined {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the ")" that ends the command name, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/**
 * Starts a server in its own process (so it does not share a core with the load) and waits
 * for its URL. Its output goes to `logFile`, as a deployment's would, not through this process.
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  logFile: string,
): Promise<Server> {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = ready.exec(readFileSync(logFile, 'utf8'));
    if (match?.[1]) {
      return {
        url: match[1],
        child,
        stop: () =>
          new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    if (exited !== undefined || Date.now() > deadline) {
      throw new Error(`server did not start (exit ${exited}): ${readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Stratus as `npm start` runs it, logging one JSON line per request (to a file), as in production.
 * The rate limiter still runs on every request; its limits are raised so the load is not refused.
 * `nodeFlags` go before the entry point (e.g. `--cpu-prof`).
 */
export function spawnStratus(
  dataDir: string,
  logName: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<Server> {
  return spawnServer(
    [...nodeFlags, 'src/local/main.ts'],
    {
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      // Backups on, as by default (their change capture is part of every write's cost), kept
      // in the data folder so the run's cleanup takes them too.
      BACKUP_DIR: join(dataDir, 'backups'),
      RATE_LIMIT_PER_USER: '1000000',
      RATE_LIMIT_PER_ADDRESS: '1000000',
      ...env,
    },
    /running at (https:\/\/\S+)/,
    join(dataDir, logName),
  );
}

/** The baseline: a plain node:https hello world (bench/hello-server.ts), after `workUs` of busy CPU. */
export function spawnHello(dataDir: string, workUs = 0): Promise<Server> {
  return spawnServer(
    ['bench/hello-server.ts', dataDir, String(workUs)],
    {},
    /LISTENING (\S+)/,
    join(dataDir, `hello-${workUs}.log`),
  );
}

/** A fixed-length closed-loop load; a short warm-up first so JIT and caches settle. */
export async function load(
  name: string,
  options: {
    url: string;
    connections: number;
    seconds: number;
    headers?: Record<string, string>;
    requests?: autocannon.Request[];
    /** The server under load, to report its CPU time per request. */
    server?: Server;
  },
): Promise<LoadResult> {
  const base = { url: options.url, connections: options.connections, headers: options.headers ?? {} };
  await autocannon({ ...base, duration: 2, ...(options.requests ? { requests: options.requests } : {}) });
  const serverBefore = processCpuUs(options.server?.child.pid);
  const clientBefore = process.cpuUsage();
  const result = await autocannon({
    ...base,
    duration: options.seconds,
    ...(options.requests ? { requests: options.requests } : {}),
  });
  const client = process.cpuUsage(clientBefore);
  const serverAfter = processCpuUs(options.server?.child.pid);
  const requests = Math.max(1, result.requests.total);
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(serverBefore !== undefined && serverAfter !== undefined
      ? { serverCpuUs: Math.round((serverAfter - serverBefore) / requests) }
      : {}),
    clientCpuUs: Math.round((client.user + client.system) / requests),
  };
}

export function printTable(title: string, rows: LoadResult[], baseline: LoadResult): void {
  console.log(`\n${title}`);
  console.log(
    '  name                         req/s     p50 ms   p99 ms   errors  non-2xx  vs baseline   server µs/req  client µs/req',
  );
  for (const row of rows) {
    const ratio = `${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x`;
    console.log(
      `  ${row.name.padEnd(26)} ${String(row.requestsPerSecond).padStart(8)} ${String(row.p50Ms).padStart(9)} ${String(row.p99Ms).padStart(8)} ${String(row.errors).padStart(8)} ${String(row.non2xx).padStart(8)} ${ratio.padStart(12)} ${String(row.serverCpuUs ?? '-').padStart(15)} ${String(row.clientCpuUs).padStart(14)}`,
    );
  }
}
