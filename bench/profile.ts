// npm run bench:profile: runs the to-do mix against Stratus under the V8 CPU profiler and prints
// where the server's time went (self time by package and by function). Not a benchmark: the
// profiler slows everything; read the shares, not the speed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedInUser } from './accounts.ts';
import { type Profile, summarise } from './cpu-profile.ts';
import { load, spawnStratus } from './harness.ts';
import { type SeededUser, seedTodos, todoMix, USERS } from './todos.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const dataDir = await mkdtemp(join(tmpdir(), 'stratus-profile-'));
const profileDir = join(dataDir, 'profile');
try {
  const stratus = await spawnStratus(dataDir, 'stratus.log', {}, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) tokens.push(await signedInUser(stratus.url, dataDir, `bench${i}@example.com`));
  const users = await seedTodos(stratus.url, tokens);
  // Only the mix is profiled: the seeding's sign-ups (password hashing) would swamp it.
  // BENCH_ROUTE=/v1/me profiles one GET route (as the first user) instead of the mix.
  const route = process.env.BENCH_ROUTE;
  const result = await load(route ?? 'to-do mix, cache on', {
    url: `${stratus.url}${route ?? ''}`,
    connections: 64,
    seconds,
    ...(route
      ? { headers: { authorization: `Bearer ${(users[0] as SeededUser).token}` } }
      : { requests: todoMix(users) }),
  });
  await stratus.stop();
  console.log(`${result.requestsPerSecond} req/s under the profiler (p99 ${result.p99Ms} ms)\n`);
  const [file] = await readdir(profileDir);
  if (!file) throw new Error('no profile written');
  summarise(JSON.parse(await readFile(join(profileDir, file), 'utf8')) as Profile, seconds);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
