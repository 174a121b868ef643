import type { Item } from '../../platform/table.ts';
import type { Fields, OwnedCollection, Patch, RecordView } from './collection.ts';
import type { IdempotentRequest } from './idempotency.ts';
import type { CrudService, Page } from './routes.ts';

/**
 * The standard record routes' service over one collection: create, get, update and delete
 * are the collection's own; each app says how it lists (which index, which filters).
 */
export abstract class RecordService<F extends Fields, Change extends Patch<F>, Filters>
  implements CrudService<RecordView<F>, F, Change, Filters>
{
  constructor(protected readonly records: OwnedCollection<F>) {}

  abstract list(
    sub: string,
    query: Filters & { limit: number; cursor?: string | undefined },
  ): Promise<Page<RecordView<F>>>;

  create(sub: string, input: F, idempotency?: IdempotentRequest) {
    // Optional fields left out are not stored at all (DynamoDB has no `undefined`).
    const fields = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as F;
    return this.records.create(sub, fields, idempotency);
  }

  get(sub: string, id: string) {
    return this.records.get(sub, id);
  }

  update(sub: string, id: string, version: number | '*', change: Change) {
    return this.records.update(sub, id, version, change);
  }

  async delete(sub: string, id: string, version: number | '*') {
    await this.records.delete(sub, id, version);
  }
}

/** A tag filter applied while paging, or none. */
export const hasTag = (tag: string | undefined) =>
  tag === undefined ? undefined : (item: Item) => (item.tags as string[]).includes(tag);
