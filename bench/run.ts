// npm run bench: each benchmark beside a plain node:https baseline measured in the same run.
// BENCH_SECONDS sets each measured run's length (default 10 s).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { load, printTable, spawnServer } from './harness.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 64;

const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-'));
const hello = await spawnServer(['bench/hello-server.ts', dataDir], {}, /LISTENING (\S+)/, join(dataDir, 'hello.log'));
// Request logging stays on (one JSON line per request), as in production.
const stratus = await spawnServer(
  ['src/local/main.ts'],
  { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
  /running at (https:\/\/\S+)/,
  join(dataDir, 'stratus.log'),
);

try {
  const token = await signedInUser(stratus.url, dataDir);
  const baseline = await load('node:https hello world', { url: `${hello.url}/`, connections, seconds });
  const me = await load('GET /v1/me (authenticated)', {
    url: `${stratus.url}/v1/me`,
    connections,
    seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  printTable(
    `Accounts: ${connections} connections, ${seconds} s each, server in its own process`,
    [baseline, me],
    baseline,
  );
  if (me.non2xx > 0 || me.errors > 0) throw new Error('the benchmark saw failed requests: the figures are not valid');
} finally {
  await Promise.all([hello.stop(), stratus.stop()]);
  await rm(dataDir, { recursive: true, force: true });
}

/** Signs up, confirms with the code from the outbox and signs in, the way a user would. */
async function signedInUser(url: string, dir: string): Promise<string> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    return (await response.json()) as Record<string, string>;
  };
  const email = 'bench@example.com';
  const password = 'a long benchmark passphrase';
  await post('/v1/auth/signup', { email, password, name: 'Bench' });
  const [file] = await readdir(join(dir, 'outbox'));
  const code = /\b(\d{6})\b/.exec(JSON.parse(await readFile(join(dir, 'outbox', file as string), 'utf8')).text)?.[1];
  await post('/v1/auth/confirm', { email, code });
  const tokens = await post('/v1/auth/signin', { email, password });
  await agent.close();
  return tokens.accessToken as string;
}
