/**
 * Batched reads for one GraphQL request: every item a resolver asks for in the same tick is read
 * with one batch get (DynamoDB's BatchGetItem, 100 keys at a time), and each key once per
 * request. This is what keeps a feed page with its authors, counts and the viewer's likes at a
 * handful of table calls instead of one per field (the N+1 problem).
 */
import DataLoader from 'dataloader';
import { type Item, type Key, limits, type Table } from '../../platform/table.ts';

const id = (key: Key) => `${key.PK}\u0000${key.SK}`;

export type ItemLoader = DataLoader<Key, Item | undefined, string>;

export function itemLoader(table: Table): ItemLoader {
  return new DataLoader<Key, Item | undefined, string>(
    async (keys) => {
      // By partition, then sort key: no joined string to build and hash for every item.
      const found = new Map<string, Map<string, Item>>();
      for (const item of await table.batchGet([...keys])) {
        const partition = found.get(item.PK) ?? new Map<string, Item>();
        partition.set(item.SK, item);
        found.set(item.PK, partition);
      }
      return keys.map((key) => found.get(key.PK)?.get(key.SK));
    },
    { cacheKeyFn: id, maxBatchSize: limits.batchGetKeys },
  );
}
