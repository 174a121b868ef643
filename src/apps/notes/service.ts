import type { Clock } from '../../platform/clock.ts';
import type { Table } from '../../platform/table.ts';
import { OwnedCollection } from '../common/collection.ts';
import { siteIndexKeys } from '../common/public.ts';
import { hasTag, RecordService } from '../common/record-service.ts';
import { userPartition } from '../users/profile.ts';
import type { ChangeNoteInput, NoteFields, NoteFilterInput } from './model.ts';

/**
 * Notes: `USER#<sub>` / `NOTE#<ulid>`. The list (pinned first, then newest) is GSI1 under
 * `USER#<sub>#NOTE` with sort key `<1 pinned | 0>#<ulid>`, read in reverse; public notes are
 * also in the site index (GSI2).
 */
export class NoteService extends RecordService<NoteFields, ChangeNoteInput, NoteFilterInput> {
  constructor(table: Table, clock: Clock) {
    super(
      new OwnedCollection<NoteFields>(table, clock, {
        type: 'note',
        noun: 'note',
        indexes: (sub, id, note) => ({
          GSI1PK: listPartition(sub),
          GSI1SK: `${note.pinned ? 1 : 0}#${id}`,
          ...siteIndexKeys(sub, 'NOTE', id, note.visibility),
        }),
      }),
    );
  }

  list(sub: string, query: NoteFilterInput & { limit: number; cursor?: string | undefined }) {
    const { pinned } = query;
    const sort = pinned === undefined ? {} : { sort: { beginsWith: `${pinned ? 1 : 0}#` } };
    return this.records.list({ index: 'GSI1', partition: listPartition(sub), ...sort }, query, hasTag(query.tag));
  }
}

const listPartition = (sub: string) => `${userPartition(sub)}#NOTE`;
