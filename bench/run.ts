// npm run bench: each benchmark beside a plain node:https baseline measured in the same run.
// BENCH_SECONDS sets each measured run's length (default 10 s).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedInUser } from './accounts.ts';
import { load, printTable, type Server, spawnHello, spawnStratus } from './harness.ts';
import { benchPhotos } from './photos.ts';
import { benchSocial } from './social.ts';
import { benchTasks } from './tasks.ts';
import { seedTodos, TODOS_PER_USER, todoMix, USERS } from './todos.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 64;

const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-'));
const hello = await spawnHello(dataDir);
let starts = 0;
const startStratus = (env: Record<string, string> = {}) => spawnStratus(dataDir, `stratus-${++starts}.log`, env);

try {
  let stratus = await startStratus();
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) tokens.push(await signedInUser(stratus.url, dataDir, `bench${i}@example.com`));
  const users = await seedTodos(stratus.url, tokens);
  const mix = todoMix(users);

  const baseline = await load('node:https hello world', { url: `${hello.url}/`, connections, seconds, server: hello });
  const me = await load('GET /v1/me', {
    url: `${stratus.url}/v1/me`,
    connections,
    seconds,
    headers: { authorization: `Bearer ${tokens[0]}` },
    server: stratus,
  });
  const mixOn = (name: string, server: Server) =>
    load(name, { url: server.url, connections, seconds, requests: mix, server });
  const cached = await mixOn('to-do mix, cache on', stratus);
  await stratus.stop();
  // The same data and signing key, so the same tokens and requests work on the uncached server.
  stratus = await startStratus({ READ_CACHE_MB: '0', PORT: new URL(stratus.url).port });
  const uncached = await mixOn('to-do mix, cache off', stratus);
  await stratus.stop();

  printTable(
    `${connections} connections, ${seconds} s each after a 2 s warm-up; servers in their own processes. ` +
      `To-do mix: ${USERS} users x ${TODOS_PER_USER} to-dos, 95% list/get, 5% create/update`,
    [baseline, me, cached, uncached],
    baseline,
  );
  const failed = [me, cached, uncached].filter((r) => r.non2xx > 0 || r.errors > 0);
  if (failed.length > 0)
    throw new Error(`failed requests in ${failed.map((r) => r.name).join(', ')}: figures not valid`);
  await benchPhotos();
  await benchTasks();
  await benchSocial();
} finally {
  await hello.stop();
  await rm(dataDir, { recursive: true, force: true });
}
