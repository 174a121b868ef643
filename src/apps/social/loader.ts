/**
 * Batched reads for one GraphQL request: every item a resolver asks for in the same tick is read
 * with one batch get (DynamoDB's BatchGetItem, 100 keys at a time), and each key once per
 * request. This is what keeps a feed page with its authors, counts and the viewer's likes at a
 * handful of table calls instead of one per field (the N+1 problem).
 */
import DataLoader from 'dataloader';
import { type Item, type Key, limits, type Table } from '../../platform/table.ts';

export type ItemLoader = DataLoader<Key, Item | undefined, Key>;

/**
 * Values by partition, then sort key. A feed page looks up ~90 keys several times over: joining
 * each key into one string to look it up cost more than the lookups (measured, bench/README.md).
 */
class ByKey<V> {
  private readonly partitions = new Map<string, Map<string, V>>();
  get(key: Key): V | undefined {
    return this.partitions.get(key.PK)?.get(key.SK);
  }
  set(key: Key, value: V): this {
    let partition = this.partitions.get(key.PK);
    if (!partition) {
      partition = new Map();
      this.partitions.set(key.PK, partition);
    }
    partition.set(key.SK, value);
    return this;
  }
  delete(key: Key): boolean {
    return this.partitions.get(key.PK)?.delete(key.SK) ?? false;
  }
  clear(): void {
    this.partitions.clear();
  }
}

export function itemLoader(table: Table): ItemLoader {
  return new DataLoader<Key, Item | undefined, Key>(
    async (keys) => {
      const found = new ByKey<Item>();
      for (const item of await table.batchGet([...keys])) found.set(item, item);
      return keys.map((key) => found.get(key));
    },
    { cacheKeyFn: (key) => key, cacheMap: new ByKey(), maxBatchSize: limits.batchGetKeys },
  );
}
