import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Clock, epochSeconds, systemClock } from '../../platform/clock.ts';
import {
  type Condition,
  decodeCursor,
  encodeCursor,
  type IndexName,
  type Item,
  indexKeys,
  isExpired,
  type Key,
  limits,
  type Page,
  type PutOptions,
  type QueryInput,
  type Table,
  TableValidationError,
  TTL_ATTRIBUTE,
  type Update,
  validateItem,
  validateKey,
  validateTransaction,
  type WriteOp,
} from '../../platform/table.ts';
import { awsErrorName, readCancellation, singleWriteError, validationError } from './dynamo-errors.ts';
import {
  allOf,
  conditionExpression,
  ExpressionAttributes,
  keyConditionExpression,
  type NetChanges,
  netChanges,
  notExpiredGuard,
  updateExpression,
  validateChanges,
} from './dynamo-expressions.ts';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_REQUESTS = 25;
/** Rounds of a retry loop (unprocessed batch keys, conflicting transactions, expired items in the way). */
const MAX_ATTEMPTS = 5;
/** Query requests per page when expired (unswept) items have to be read past. */
const MAX_QUERY_ROUNDS = 10;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface DynamoTableOptions {
  /** A document client is used as it is; a plain client is wrapped in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  tableName: string;
  /** Decides which items have expired (their `ttl` has passed). */
  clock?: Clock;
  /** The first back-off of retry loops, doubled each round, with full jitter. */
  retryDelayMs?: number;
}

/**
 * The Table port on DynamoDB, through the document client (plain JSON in, plain JSON out).
 *
 * It behaves as the SQLite adapter does, including where DynamoDB alone would not: an item
 * whose `ttl` has passed is hidden from every read and counts as absent in conditions and
 * updates at once, although DynamoDB's TTL process deletes it only some time later.
 */
export class DynamoTable implements Table {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly clock: Clock;
  private readonly retryDelayMs: number;

  constructor(options: DynamoTableOptions) {
    this.tableName = options.tableName;
    this.client =
      options.client instanceof DynamoDBClient
        ? DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
        : options.client;
    this.clock = options.clock ?? systemClock;
    this.retryDelayMs = options.retryDelayMs ?? 25;
  }

  async get(key: Key, options: { consistent?: boolean } = {}): Promise<Item | undefined> {
    validateKey(key);
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: options.consistent === true }),
    );
    return this.live(item as Item | undefined);
  }

  async put(item: Item, options: PutOptions = {}): Promise<Item | undefined> {
    validateItem(item);
    const attributes = new ExpressionAttributes();
    const condition = this.condition(options.condition, attributes);
    try {
      const { Attributes: previous } = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: definedAttributes(item),
          ReturnValues: 'ALL_OLD',
          ...(condition ? { ConditionExpression: condition, ...attributes.toInput() } : {}),
        }),
      );
      return this.live(previous as Item | undefined);
    } catch (error) {
      throw singleWriteError(error, keyOf(item));
    }
  }

  async update(key: Key, changes: Update, options: PutOptions = {}): Promise<Item> {
    validateKey(key);
    const net = netChanges(changes);
    validateChanges(key, net);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { Attributes: after } = await this.client.send(
          new UpdateCommand({ ...this.updateInput(key, net, options.condition), ReturnValues: 'ALL_NEW' }),
        );
        return after as Item;
      } catch (error) {
        const failed = awsErrorName(error) === 'ConditionalCheckFailedException';
        if (failed && attempt < MAX_ATTEMPTS && (await this.deleteIfExpired(key))) continue;
        throw singleWriteError(error, keyOf(key));
      }
    }
  }

  async delete(key: Key, options: PutOptions = {}): Promise<Item | undefined> {
    validateKey(key);
    const attributes = new ExpressionAttributes();
    const condition = this.condition(options.condition, attributes);
    try {
      const { Attributes: previous } = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          ReturnValues: 'ALL_OLD',
          ...(condition ? { ConditionExpression: condition, ...attributes.toInput() } : {}),
        }),
      );
      return this.live(previous as Item | undefined);
    } catch (error) {
      throw singleWriteError(error, keyOf(key));
    }
  }

  async batchGet(keys: Key[]): Promise<Item[]> {
    if (keys.length > limits.batchGetKeys) {
      throw new TableValidationError(`A batch get may ask for at most ${limits.batchGetKeys} keys`);
    }
    keys.forEach(validateKey);
    // DynamoDB refuses a batch that names one key twice; the port allows it.
    let pending = [...new Map(keys.map((key) => [keyId(key), keyOf(key)])).values()];
    const found = new Map<string, Item>();
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > 1) await this.backOff(attempt, 'BatchGetItem left keys unprocessed');
      const { Responses, UnprocessedKeys } = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
      );
      for (const item of (Responses?.[this.tableName] ?? []) as Item[]) found.set(keyId(item), item);
      pending = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
    }
    return keys.map((key) => this.live(found.get(keyId(key)))).filter((item): item is Item => item !== undefined);
  }

  async batchWrite(writes: { puts?: Item[]; deletes?: Key[] }): Promise<void> {
    const puts = writes.puts ?? [];
    const deletes = writes.deletes ?? [];
    puts.forEach(validateItem);
    deletes.forEach(validateKey);
    // As if applied in order (puts, then deletes): the last write to a key wins. DynamoDB
    // refuses a batch that names one key twice.
    const last = new Map<string, { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } }>();
    for (const item of puts) last.set(keyId(item), { PutRequest: { Item: definedAttributes(item) } });
    for (const key of deletes) last.set(keyId(key), { DeleteRequest: { Key: keyOf(key) } });
    const requests = [...last.values()];
    const chunks = Array.from({ length: Math.ceil(requests.length / BATCH_WRITE_REQUESTS) }, (_, i) =>
      requests.slice(i * BATCH_WRITE_REQUESTS, (i + 1) * BATCH_WRITE_REQUESTS),
    );
    await Promise.all(chunks.map((chunk) => this.writeChunk(chunk)));
  }

  async transact(ops: WriteOp[]): Promise<void> {
    validateTransaction(ops);
    for (const op of ops) {
      if ('put' in op) validateItem(op.put);
      else validateKey('update' in op ? op.update : 'delete' in op ? op.delete : op.check);
      if ('update' in op) {
        const net = netChanges(op.changes);
        validateChanges(op.update, net);
        // TransactWriteItems requires an UpdateExpression, and no expression changes nothing.
        if (net.size === 0) throw new TableValidationError('An update in a transaction needs at least one change');
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: ops.map((op) => this.transactItem(op)) }));
        return;
      } catch (error) {
        if (awsErrorName(error) !== 'TransactionCanceledException') throw validationError(error) ?? error;
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Message?: string }> })
          .CancellationReasons;
        const outcome = readCancellation(reasons ?? []);
        if (attempt < MAX_ATTEMPTS) {
          if (outcome.kind === 'transient') {
            await this.backOff(attempt);
            continue;
          }
          if (outcome.kind === 'canceled' && (await this.deleteExpiredUnderUpdates(ops, outcome.error.reasons))) {
            continue;
          }
        }
        if (outcome.kind === 'canceled' || outcome.kind === 'invalid') throw outcome.error;
        throw error;
      }
    }
  }

  async query(input: QueryInput): Promise<Page> {
    const limit = input.limit ?? limits.queryPageItems;
    if (!Number.isInteger(limit) || limit < 1 || limit > limits.queryPageItems) {
      throw new TableValidationError(`limit must be a whole number from 1 to ${limits.queryPageItems}`);
    }
    if (typeof input.partition !== 'string' || input.partition === '') {
      throw new TableValidationError('The partition key must be a non-empty string');
    }
    const [partitionAttribute, sortAttribute] = input.index ? indexKeys[input.index] : (['PK', 'SK'] as const);
    const attributes = new ExpressionAttributes();
    const keyCondition = keyConditionExpression(
      partitionAttribute,
      input.partition,
      sortAttribute,
      input.sort,
      attributes,
    );
    let startKey = input.cursor ? startKeyOf(input.cursor, input.index, input.partition) : undefined;
    const now = this.now();
    // One item more than the page, so a page that ends the partition carries no cursor (as on SQLite).
    const live: Item[] = [];
    for (let round = 0; round < MAX_QUERY_ROUNDS && live.length <= limit; round += 1) {
      const want = limit + 1 - live.length;
      let output: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      try {
        output = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ...(input.index ? { IndexName: input.index } : {}),
            KeyConditionExpression: keyCondition,
            ...attributes.toInput(),
            ScanIndexForward: !input.reverse,
            ...(input.consistent && !input.index ? { ConsistentRead: true } : {}),
            Limit: want,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
      } catch (error) {
        throw validationError(error) ?? error;
      }
      const items = (output.Items ?? []) as Item[];
      live.push(...items.filter((item) => !isExpired(item, now)));
      startKey = output.LastEvaluatedKey as Record<string, string> | undefined;
      // The end of the partition; or DynamoDB stopped at 1 MB, and its position is the cursor.
      if (!startKey || items.length < want) break;
    }
    const items = live.slice(0, limit);
    const last = items.at(-1);
    if (live.length > limit && last) return { items, cursor: encodeCursor(cursorKey(last, input.index)) };
    return startKey ? { items, cursor: encodeCursor(startKey) } : { items };
  }

  // ------------------------------------------------------------------ internals

  private now(): number {
    return epochSeconds(this.clock);
  }

  /** What a read returns: nothing for an expired item DynamoDB has not swept yet. */
  private live(item: Item | undefined): Item | undefined {
    return item && !isExpired(item, this.now()) ? item : undefined;
  }

  private condition(condition: Condition | undefined, attributes: ExpressionAttributes): string | undefined {
    return condition ? conditionExpression(condition, attributes, this.now()) : undefined;
  }

  /** The `UpdateItem` request (also a transaction's `Update`): the changes, guarded against expired items. */
  private updateInput(key: Key, net: NetChanges, condition: Condition | undefined) {
    const attributes = new ExpressionAttributes();
    const expression = updateExpression(net, attributes);
    const guarded = allOf(this.condition(condition, attributes), notExpiredGuard(attributes, this.now()));
    return {
      TableName: this.tableName,
      Key: keyOf(key),
      ...(expression ? { UpdateExpression: expression } : {}),
      ...(guarded ? { ConditionExpression: guarded } : {}),
      ...attributes.toInput(),
    } satisfies UpdateCommandInput;
  }

  private transactItem(op: WriteOp): TransactItem {
    const attributes = new ExpressionAttributes();
    if ('update' in op) {
      const { UpdateExpression, ...update } = this.updateInput(op.update, netChanges(op.changes), op.condition);
      return { Update: { ...update, UpdateExpression: UpdateExpression as string } };
    }
    const condition = this.condition(op.condition, attributes);
    const guard = condition ? { ConditionExpression: condition, ...attributes.toInput() } : {};
    if ('put' in op) return { Put: { TableName: this.tableName, Item: definedAttributes(op.put), ...guard } };
    if ('delete' in op) return { Delete: { TableName: this.tableName, Key: keyOf(op.delete), ...guard } };
    // A check needs an expression; an empty `and` holds on any item, present or not.
    const check =
      condition ?? `attribute_exists(${attributes.name('PK')}) OR attribute_not_exists(${attributes.name('PK')})`;
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: keyOf(op.check),
        ConditionExpression: check,
        ...attributes.toInput(),
      },
    };
  }

  /**
   * Deletes the item when it has expired but is still stored, so that an update starts from
   * nothing, as on SQLite. True when the item was expired (the caller then tries again).
   */
  private async deleteIfExpired(key: Key): Promise<boolean> {
    const { Item: stored } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    if (!stored || !isExpired(stored as Item, this.now())) return false;
    const attributes = new ExpressionAttributes();
    // Only the expired item itself: not a newer one written in between.
    const sameItem = `${attributes.name(TTL_ATTRIBUTE)} = ${attributes.value(stored[TTL_ATTRIBUTE] as number)}`;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          ConditionExpression: sameItem,
          ...attributes.toInput(),
        }),
      );
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
    return true;
  }

  /** After a canceled transaction: deletes expired items its updates' guards stopped at. */
  private async deleteExpiredUnderUpdates(ops: WriteOp[], reasons: string[]): Promise<boolean> {
    const suspects = ops.flatMap((op, i) => ('update' in op && reasons[i] === 'ConditionalCheckFailed' ? [op] : []));
    const deleted = await Promise.all(suspects.map((op) => this.deleteIfExpired(op.update)));
    return deleted.includes(true);
  }

  private async writeChunk(chunk: Array<Record<string, unknown>>): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > 1) await this.backOff(attempt, 'BatchWriteItem left writes unprocessed');
      try {
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = (UnprocessedItems?.[this.tableName] ?? []) as Array<Record<string, unknown>>;
      } catch (error) {
        throw validationError(error) ?? error;
      }
    }
  }

  /** Waits before another round; past the last round, fails with `giveUp` (DynamoDB stayed busy). */
  private async backOff(attempt: number, giveUp = 'DynamoDB stayed busy'): Promise<void> {
    if (attempt > MAX_ATTEMPTS) throw new Error(`${giveUp} after ${MAX_ATTEMPTS} attempts`);
    const delay = Math.random() * this.retryDelayMs * 2 ** (attempt - 1);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function keyOf(key: Key): Key {
  return { PK: key.PK, SK: key.SK };
}

function keyId(key: Key): string {
  return `${key.PK}\u0000${key.SK}`;
}

/** The port allows `undefined` attributes (absent); the document client refuses them unless told. */
function definedAttributes(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as Item;
}

/** The attributes of a cursor: the table's key and, on an index, the index's key (= LastEvaluatedKey). */
function cursorAttributes(index: IndexName | undefined): string[] {
  return index ? ['PK', 'SK', ...indexKeys[index]] : ['PK', 'SK'];
}

function cursorKey(item: Item, index: IndexName | undefined): Record<string, string> {
  return Object.fromEntries(cursorAttributes(index).map((attribute) => [attribute, item[attribute] as string]));
}

/** The `ExclusiveStartKey` a cursor stands for, refused unless it is one of this query's. */
function startKeyOf(cursor: string, index: IndexName | undefined, partition: string): Record<string, string> {
  const attributes = cursorAttributes(index);
  const after = decodeCursor(cursor, attributes);
  const partitionAttribute = index ? indexKeys[index][0] : 'PK';
  if (after[partitionAttribute] !== partition) {
    throw new TableValidationError('The cursor belongs to another query: start again without it');
  }
  // Only the key attributes: DynamoDB refuses a start key with anything else in it.
  return Object.fromEntries(attributes.map((attribute) => [attribute, after[attribute] as string]));
}
