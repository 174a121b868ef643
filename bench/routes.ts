// npm run bench:routes: single routes beside the baseline, to see which step of a request costs what.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedInUser } from './accounts.ts';
import { load, printTable, spawnHello, spawnStratus } from './harness.ts';
import { seedTodos } from './todos.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 64;
const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-'));
const hello = await spawnHello(dataDir);
try {
  const stratus = await spawnStratus(dataDir, 'stratus.log');
  const token = await signedInUser(stratus.url, dataDir, 'bench0@example.com');
  const [user] = await seedTodos(stratus.url, [token]);
  const headers = { authorization: `Bearer ${token}` };
  const rows = [
    await load('node:https hello world', { url: `${hello.url}/`, connections, seconds, server: hello }),
    await load('GET /health', { url: `${stratus.url}/health`, connections, seconds, server: stratus }),
    await load('GET /v1/me', { url: `${stratus.url}/v1/me`, connections, seconds, headers, server: stratus }),
    await load('GET /v1/todos/:id', {
      url: `${stratus.url}/v1/todos/${user?.todoIds[5]}`,
      connections,
      seconds,
      headers,
      server: stratus,
    }),
    await load('GET /v1/todos?limit=20', {
      url: `${stratus.url}/v1/todos?limit=20`,
      connections,
      seconds,
      headers,
      server: stratus,
    }),
  ];
  await stratus.stop();
  printTable(`${connections} connections, ${seconds} s each`, rows, rows[0] as (typeof rows)[0]);
} finally {
  await hello.stop();
  await rm(dataDir, { recursive: true, force: true });
}
