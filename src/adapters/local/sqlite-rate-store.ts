import type { QuotaIncrement, QuotaStore } from '../../http/middleware/rate-limit-quota.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';
import type { Database } from './database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_limit_daily (
  id TEXT NOT NULL,
  day TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (id, day)
) WITHOUT ROWID;
`;

/** Days kept after they end: enough for a clock near midnight, no more. */
const KEEP_DAYS = 2;

/**
 * Daily request counts (API key quotas) in the local SQLite file, beside the table but not
 * in it: counters are not app data, and writing them through the Table would put every
 * flush on the change stream. Written in batches by `DailyQuotas`, never per request.
 */
export class SqliteQuotaStore implements QuotaStore {
  private readonly statements;
  private readonly addAll: (increments: QuotaIncrement[]) => void;

  constructor(
    db: Database,
    private readonly clock: Clock = systemClock,
  ) {
    db.exec(SCHEMA);
    this.statements = {
      get: db.prepare<[string, string], { count: number }>(
        'SELECT count FROM rate_limit_daily WHERE id = ? AND day = ?',
      ),
      add: db.prepare<[string, string, number]>(
        `INSERT INTO rate_limit_daily (id, day, count) VALUES (?, ?, ?)
         ON CONFLICT (id, day) DO UPDATE SET count = count + excluded.count`,
      ),
      prune: db.prepare<[string]>('DELETE FROM rate_limit_daily WHERE day < ?'),
    };
    this.addAll = db.transaction((increments: QuotaIncrement[]) => {
      for (const { id, day, count } of increments) this.statements.add.run(id, day, count);
      const oldest = new Date(this.clock.now() - KEEP_DAYS * 24 * 3600 * 1000).toISOString().slice(0, 10);
      this.statements.prune.run(oldest);
    });
  }

  async get(id: string, day: string): Promise<number> {
    return this.statements.get.get(id, day)?.count ?? 0;
  }

  async add(increments: QuotaIncrement[]): Promise<void> {
    if (increments.length > 0) this.addAll(increments);
  }
}
