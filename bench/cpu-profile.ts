// Reading a V8 CPU profile (node --cpu-prof): self time by package and by function.
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Prints self time by package and the heaviest functions, over the measured load's samples. */
export function summarise(profile: Profile, seconds: number): void {
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
