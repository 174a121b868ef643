/**
 * The operators' audit log: who did what, to whom, when and from where, for every action taken
 * through the console. Nothing offers to change or remove an entry, and entries are chained:
 * each holds the hash of the one before, and a head item holds the last, so an entry edited or
 * removed in the table behind the API's back shows as a broken chain when the log is read.
 *
 * Entries are numbered; a write is one transaction (the entry, and the head moved on only if
 * nobody else moved it first), retried on a race, so two admins acting at once still make one
 * unbroken chain.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { type Item, type Table, TransactionCanceledError, when } from '../../platform/table.ts';

const PARTITION = 'AUDIT';
const HEAD = { PK: PARTITION, SK: 'HEAD' };
const entryKey = (seq: number) => ({ PK: PARTITION, SK: `ENTRY#${String(seq).padStart(12, '0')}` });
const GENESIS = '0'.repeat(64);

export interface AuditEvent {
  actor: { sub: string; email?: string };
  /** What was done: `user.disable`, `user.delete`, `queue.replay`, ... */
  action: string;
  /** What it was done to: a user's sub, a dead letter's id. */
  target: string;
  /** The client's address and user agent. */
  origin: { address: string; userAgent?: string };
  details?: Record<string, string>;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  at: string;
  hash: string;
  prevHash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The next page starts before this entry number. */
  before?: number;
  /** Whether every entry read follows from the one before it, and the newest from the head. */
  chain: { intact: true } | { intact: false; at: number };
}

const hashOf = (prevHash: string, entry: Omit<AuditEntry, 'hash' | 'prevHash'>) =>
  createHash('sha256')
    .update(prevHash)
    .update(
      JSON.stringify([entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.origin, entry.details ?? {}]),
    )
    .digest('hex');

export class AuditLog {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async record(event: AuditEvent): Promise<AuditEntry> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.table.get(HEAD, { consistent: true });
      const seq = Number(head?.seq ?? 0) + 1;
      const prevHash = String(head?.hash ?? GENESIS);
      const fields = { seq, at: new Date(this.clock.now()).toISOString(), ...event };
      const entry: AuditEntry = { ...fields, prevHash, hash: hashOf(prevHash, fields) };
      try {
        await this.table.transact([
          { put: { ...entryKey(seq), ...(entry as unknown as Item) }, condition: when.notExists() },
          head
            ? { put: { ...HEAD, seq, hash: entry.hash }, condition: when.equals('seq', head.seq as number) }
            : { put: { ...HEAD, seq, hash: entry.hash }, condition: when.notExists() },
        ]);
        return entry;
      } catch (error) {
        if (!(error instanceof TransactionCanceledError) || attempt >= 10) throw error;
      }
    }
  }

  /** Newest first, `limit` entries, checking the chain over what was read. */
  async read(limit: number, before?: number): Promise<AuditPage> {
    const page = await this.table.query({
      partition: PARTITION,
      sort: before === undefined ? { beginsWith: 'ENTRY#' } : { between: ['ENTRY#', entryKey(before - 1).SK] },
      reverse: true,
      limit: limit + 1,
      // Entries may come from another process (`npm run admin`), past this one's read cache.
      consistent: true,
    });
    const entries = page.items.slice(0, limit).map((item) => {
      const { PK: _pk, SK: _sk, ...entry } = item;
      return entry as unknown as AuditEntry;
    });
    const head = before === undefined ? await this.table.get(HEAD, { consistent: true }) : undefined;
    const broken = this.firstBreak(page.items as unknown as AuditEntry[], head);
    const last = entries.at(-1);
    return {
      entries,
      ...(page.items.length > limit && last ? { before: last.seq } : {}),
      chain: broken === undefined ? { intact: true } : { intact: false, at: broken },
    };
  }

  /** The number of the first entry (newest first) whose hash or link does not hold. */
  private firstBreak(newestFirst: AuditEntry[], head: Item | undefined): number | undefined {
    const newest = newestFirst[0];
    if (head && newest && (head.hash !== newest.hash || head.seq !== newest.seq)) return newest.seq;
    if (head && !newest) return Number(head.seq);
    for (const [index, entry] of newestFirst.entries()) {
      const { hash, prevHash, ...fields } = entry;
      if (hashOf(prevHash, fields as Omit<AuditEntry, 'hash' | 'prevHash'>) !== hash) return entry.seq;
      const older = newestFirst[index + 1];
      if (older && (older.hash !== prevHash || older.seq !== entry.seq - 1)) return entry.seq;
      if (!older && entry.seq === 1 && prevHash !== GENESIS) return entry.seq;
    }
    return undefined;
  }
}
