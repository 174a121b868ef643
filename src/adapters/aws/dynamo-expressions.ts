import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import {
  type Condition,
  indexKeys,
  itemSize,
  type Key,
  limits,
  type SortCondition,
  TableValidationError,
  TTL_ATTRIBUTE,
  type Update,
  type Value,
} from '../../platform/table.ts';

/**
 * Placeholders for one request's expressions. Every attribute name goes through `#nX` (so
 * reserved words such as `ttl`, `name` or `status` and names with dots are safe) and every
 * value through `:vX`.
 */
export class ExpressionAttributes {
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, string>();
  private readonly valueList: Record<string, NativeAttributeValue> = {};

  name(attribute: string): string {
    let placeholder = this.names.get(attribute);
    if (!placeholder) {
      placeholder = `#n${this.names.size}`;
      this.names.set(attribute, placeholder);
    }
    return placeholder;
  }

  value(value: Value): string {
    // Scalars are shared (the TTL check repeats `:now`); lists and maps get their own.
    const scalar = value === null || typeof value !== 'object';
    const id = scalar ? `${typeof value}:${String(value)}` : undefined;
    const known = id === undefined ? undefined : this.values.get(id);
    if (known) return known;
    const placeholder = `:v${Object.keys(this.valueList).length}`;
    this.valueList[placeholder] = value;
    if (id !== undefined) this.values.set(id, placeholder);
    return placeholder;
  }

  /** The `ExpressionAttributeNames` / `Values` members (DynamoDB refuses them empty, so absent then). */
  toInput(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, NativeAttributeValue>;
  } {
    const input: ReturnType<ExpressionAttributes['toInput']> = {};
    if (this.names.size > 0) {
      input.ExpressionAttributeNames = Object.fromEntries([...this.names].map(([name, id]) => [id, name]));
    }
    if (Object.keys(this.valueList).length > 0) input.ExpressionAttributeValues = { ...this.valueList };
    return input;
  }
}

/**
 * True of an item whose TTL has passed but that DynamoDB has not deleted yet (its TTL
 * process is lazy). The same rule as the port's `isExpired`: a positive `ttl` at or before now.
 */
function expired(attributes: ExpressionAttributes, nowSeconds: number): string {
  const ttl = attributes.name(TTL_ATTRIBUTE);
  return `(${ttl} > ${attributes.value(0)} AND ${ttl} <= ${attributes.value(nowSeconds)})`;
}

/**
 * A port condition as a `ConditionExpression`, evaluated by DynamoDB on the item as it is.
 * An expired item counts as absent, as it does in the SQLite adapter (whose writes delete it
 * first): `notExists` holds on it, `exists` and `equals` do not. `undefined` when the
 * condition constrains nothing (an empty `and`).
 */
export function conditionExpression(
  condition: Condition,
  attributes: ExpressionAttributes,
  nowSeconds: number,
): string | undefined {
  const pk = () => attributes.name('PK');
  switch (condition.type) {
    case 'exists':
      return `(attribute_exists(${pk()}) AND NOT ${expired(attributes, nowSeconds)})`;
    case 'notExists':
      return `(attribute_not_exists(${pk()}) OR ${expired(attributes, nowSeconds)})`;
    case 'equals':
      return `(${attributes.name(condition.attribute)} = ${attributes.value(condition.value)} AND NOT ${expired(attributes, nowSeconds)})`;
    case 'attributeNotExists':
      return `(attribute_not_exists(${attributes.name(condition.attribute)}) OR ${expired(attributes, nowSeconds)})`;
    case 'and': {
      const parts = condition.conditions
        .map((c) => conditionExpression(c, attributes, nowSeconds))
        .filter((part): part is string => part !== undefined);
      return parts.length === 0 ? undefined : `(${parts.join(' AND ')})`;
    }
  }
}

/**
 * The guard on every update: DynamoDB would apply an update on top of an expired item (its
 * attributes, its past `ttl`), where the SQLite adapter starts from nothing. The guard makes
 * such an update fail, so the adapter can delete the expired item and try again.
 */
export function notExpiredGuard(attributes: ExpressionAttributes, nowSeconds: number): string {
  return `NOT ${expired(attributes, nowSeconds)}`;
}

/** Joins a caller's condition and the adapter's own with AND. */
export function allOf(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join(' AND ');
}

type Change = { set: Value } | { remove: true } | { add: number };

/** What an update does to each attribute it names, once overlaps are folded. */
export type NetChanges = Map<string, Change>;

/**
 * The net change to each attribute, as the SQLite adapter's `applyUpdate` would leave it
 * (all sets, then all removes, then all adds). DynamoDB refuses an expression that names
 * one attribute twice, so overlaps are folded here: set-then-add becomes one set of the sum,
 * remove-then-add a set of the amount, set-then-remove a remove.
 */
export function netChanges(changes: Update): NetChanges {
  const net: NetChanges = new Map();
  for (const [name, value] of Object.entries(changes.set ?? {})) net.set(name, { set: value });
  for (const name of changes.remove ?? []) net.set(name, { remove: true });
  for (const [name, amount] of Object.entries(changes.add ?? {})) {
    const before = net.get(name);
    if (before === undefined) net.set(name, { add: amount });
    else if ('remove' in before) net.set(name, { set: amount });
    else if ('add' in before) net.set(name, { add: before.add + amount });
    else if (typeof before.set === 'number') net.set(name, { set: before.set + amount });
    else throw new TableValidationError(`Cannot add to ${name}: it is not a number`);
  }
  return net;
}

/** Each index key attribute, with the index it keys. */
const indexKeyAttributes = new Map<string, string>(
  Object.entries(indexKeys).flatMap(([index, attributes]) => attributes.map((a) => [a, index] as const)),
);

/**
 * Refuses, before any request, every update the SQLite adapter would refuse whatever the
 * item holds: changing the key, index keys that are not non-empty strings, a `ttl` that is
 * not a number, new values that alone exceed the item size. What depends on the stored item
 * (adding to a non-number, the size after the update) DynamoDB checks, and the adapter maps
 * its refusal to the same error.
 */
export function validateChanges(key: Key, net: NetChanges): void {
  const sets: Record<string, Value> = { PK: key.PK, SK: key.SK };
  for (const [name, change] of net) {
    if (name === 'PK' || name === 'SK') {
      throw new TableValidationError(
        'remove' in change ? 'An update may not remove PK or SK' : 'An update may not change PK or SK',
      );
    }
    const index = indexKeyAttributes.get(name);
    if (index && !('remove' in change) && !('set' in change && typeof change.set === 'string' && change.set !== '')) {
      throw new TableValidationError(`${name} (the ${index} key) must be a non-empty string`);
    }
    if (name === TTL_ATTRIBUTE && 'set' in change && change.set !== null && typeof change.set !== 'number') {
      throw new TableValidationError(`${TTL_ATTRIBUTE} must be a number of epoch seconds`);
    }
    if ('set' in change) sets[name] = change.set;
  }
  const size = itemSize(sets);
  if (size > limits.itemBytes) {
    throw new TableValidationError(`The item is ${size} bytes; items may be at most ${limits.itemBytes} bytes`);
  }
}

/** `SET … REMOVE … ADD …` for the net changes; `undefined` when there are none. */
export function updateExpression(net: NetChanges, attributes: ExpressionAttributes): string | undefined {
  const sets: string[] = [];
  const removes: string[] = [];
  const adds: string[] = [];
  for (const [name, change] of net) {
    const placeholder = attributes.name(name);
    if ('set' in change) sets.push(`${placeholder} = ${attributes.value(change.set)}`);
    else if ('remove' in change) removes.push(placeholder);
    else adds.push(`${placeholder} ${attributes.value(change.add)}`);
  }
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
  ].filter((clause) => clause !== '');
  return clauses.length === 0 ? undefined : clauses.join(' ');
}

/** The `KeyConditionExpression` of a query: the partition and, optionally, a sort-key condition. */
export function keyConditionExpression(
  partitionAttribute: string,
  partition: string,
  sortAttribute: string,
  sort: SortCondition | undefined,
  attributes: ExpressionAttributes,
): string {
  const partitionClause = `${attributes.name(partitionAttribute)} = ${attributes.value(partition)}`;
  if (!sort) return partitionClause;
  // DynamoDB refuses an empty key value; an empty prefix matches every sort key anyway.
  if ('beginsWith' in sort && sort.beginsWith === '') return partitionClause;
  const sk = attributes.name(sortAttribute);
  const v = (value: string) => attributes.value(value);
  let sortClause: string;
  if ('equals' in sort) sortClause = `${sk} = ${v(sort.equals)}`;
  else if ('beginsWith' in sort) sortClause = `begins_with(${sk}, ${v(sort.beginsWith)})`;
  else if ('lessThan' in sort) sortClause = `${sk} < ${v(sort.lessThan)}`;
  else if ('lessThanOrEqual' in sort) sortClause = `${sk} <= ${v(sort.lessThanOrEqual)}`;
  else if ('greaterThan' in sort) sortClause = `${sk} > ${v(sort.greaterThan)}`;
  else if ('greaterThanOrEqual' in sort) sortClause = `${sk} >= ${v(sort.greaterThanOrEqual)}`;
  else {
    const [low, high] = sort.between;
    if (low > high) throw new TableValidationError('between needs its lower bound first');
    sortClause = `${sk} BETWEEN ${v(low)} AND ${v(high)}`;
  }
  return `${partitionClause} AND ${sortClause}`;
}
