import type { Clock } from '../../platform/clock.ts';
import type { Item, Table } from '../../platform/table.ts';
import { OwnedCollection } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import { siteIndexKeys } from '../common/public.ts';
import type { CrudService } from '../common/routes.ts';
import { userPartition } from '../users/profile.ts';
import type { ChangeNoteInput, NoteFields, NoteFilterInput } from './model.ts';

/**
 * Notes: `USER#<sub>` / `NOTE#<ulid>`. The list (pinned first, then newest) is GSI1 under
 * `USER#<sub>#NOTE` with sort key `<1 pinned | 0>#<ulid>`, read in reverse; public notes are
 * also in the site index (GSI2).
 */
export class NoteService implements CrudService<NoteFields, NoteFields, ChangeNoteInput, NoteFilterInput> {
  private readonly notes: OwnedCollection<NoteFields>;

  constructor(table: Table, clock: Clock) {
    this.notes = new OwnedCollection<NoteFields>(table, clock, {
      type: 'note',
      noun: 'note',
      indexes: (sub, id, note) => ({
        GSI1PK: listPartition(sub),
        GSI1SK: `${note.pinned ? 1 : 0}#${id}`,
        ...siteIndexKeys(sub, 'NOTE', id, note.visibility),
      }),
    });
  }

  create(sub: string, input: NoteFields, idempotency?: IdempotentRequest) {
    return this.notes.create(sub, input, idempotency);
  }

  list(sub: string, query: NoteFilterInput & { limit: number; cursor?: string | undefined }) {
    const { tag, pinned } = query;
    const sort = pinned === undefined ? undefined : { beginsWith: `${pinned ? 1 : 0}#` };
    const keep = tag === undefined ? undefined : (item: Item) => (item.tags as string[]).includes(tag);
    return this.notes.list({ index: 'GSI1', partition: listPartition(sub), ...(sort ? { sort } : {}) }, query, keep);
  }

  get(sub: string, id: string) {
    return this.notes.get(sub, id);
  }

  update(sub: string, id: string, version: number | '*', change: ChangeNoteInput) {
    return this.notes.update(sub, id, version, change);
  }

  async delete(sub: string, id: string, version: number | '*') {
    await this.notes.delete(sub, id, version);
  }
}

const listPartition = (sub: string) => `${userPartition(sub)}#NOTE`;
