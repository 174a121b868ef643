// npm run bench:profile: runs the to-do mix against Stratus under the V8 CPU profiler and prints
// where the server's time went (self time by package and by function). Not a benchmark: the
// profiler slows everything; read the shares, not the speed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedInUser } from './accounts.ts';
import { load, spawnStratus } from './harness.ts';
import { type SeededUser, seedTodos, todoMix, USERS } from './todos.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

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
  summarise(JSON.parse(await readFile(join(profileDir, file), 'utf8')) as Profile);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

/** Prints self time by package and the heaviest functions, over the measured load's samples. */
function summarise(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // The last `seconds` of samples are the measured load (the warm-up and seeding come before).
  let elapsed = 0;
  const window = seconds * 1e6;
  for (let i = profile.samples.length - 1; i >= 0 && elapsed < window; i--) {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    const where = packageOf(url);
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const print = (title: string, rows: Map<string, number>, count: number) => {
    console.log(title);
    for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, count)) {
      console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
    console.log();
  };
  print('Self time by package', byPackage, 25);
  print('Self time by function', byFunction, 40);
}

function packageOf(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return url;
  const module = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] as string;
  const own = /\/(src\/[^/]+\/[^/]+)/.exec(url);
  return own ? (own[1] as string) : url;
}
