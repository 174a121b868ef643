// Task queries served by keys against the scans they replace, in the same process and run: a
// rare-tag filter through its facet partition beside reading all the user's tasks and filtering,
// and the analytics read (one counter item per day) beside recomputing it from every task. Run
// with `npm run bench:tasks`; `npm run bench` runs it after the HTTP loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contribution, readAnalytics } from '../src/apps/tasks/analytics.ts';
import type { TaskFields } from '../src/apps/tasks/model.ts';
import { TaskService } from '../src/apps/tasks/service.ts';
import { loadConfig } from '../src/local/config.ts';
import { createLocalRuntime } from '../src/local/runtime.ts';
import { queryAll } from '../src/platform/table.ts';

const TASKS = 5000;
const RARE_EVERY = 100;
const RUNS = 40;

async function median(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

export async function benchTasks(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-tasks-'));
  const runtime = await createLocalRuntime(
    loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', READ_CACHE_MB: '0' }),
  );
  try {
    const clock = { now: () => Date.now() };
    const tasks = new TaskService(runtime.table, clock, async () => 'UTC');
    const sub = 'bench-user';
    for (let i = 0; i < TASKS; i++) {
      await tasks.create(sub, {
        title: `Task ${i}`,
        status: i % 3 === 0 ? 'done' : 'todo',
        priority: 'medium',
        tags: i % RARE_EVERY === 0 ? ['rare', 'common'] : ['common'],
        checklist: [],
        reminders: [],
        dueAt: new Date(Date.now() + (i - TASKS / 2) * 3600_000).toISOString(),
      });
    }
    await runtime.dispatcher.drain();
    const page = { limit: 20, sort: 'created' as const };
    const viaFacet = await median(() => tasks.list(sub, { ...page, tag: 'rare' }));
    const viaScan = await median(async () => {
      const all = await queryAll(runtime.table, tasks.records.basePartition(sub));
      return all.filter((item) => (item.tags as string[]).includes('rare')).slice(0, 20);
    });
    const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
    const range = { from: day(365 * 86_400_000), to: day(0) };
    const viaCounters = await median(() => readAnalytics(runtime.table, clock, sub, range));
    const viaRecount = await median(async () => {
      const all = await queryAll(runtime.table, tasks.records.basePartition(sub));
      let created = 0;
      for (const item of all) created += contribution(item as unknown as TaskFields & { createdAt: string }).size;
      return created;
    });
    console.log(
      `\nTask queries for one user with ${TASKS} tasks (median of ${RUNS}, ms; in process, SQLite, no read cache)`,
    );
    const row = (query: string, byKeys: number, byScan: number) => ({
      query,
      'by keys': byKeys.toFixed(2),
      'by scan': byScan.toFixed(2),
      'scan ÷ keys': `${(byScan / byKeys).toFixed(1)}×`,
    });
    console.table([
      row(`tag filter (1 in ${RARE_EVERY}): facet vs all tasks filtered`, viaFacet, viaScan),
      row('analytics of a year: daily counters vs recount', viaCounters, viaRecount),
    ]);
  } finally {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTasks();
