import {
  ConditionFailedError,
  type Key,
  limits,
  TableValidationError,
  TransactionCanceledError,
} from '../../platform/table.ts';

/**
 * DynamoDB `ValidationException`s that the caller's data causes even after the adapter's own
 * checks (they depend on the stored item, or on a cursor the caller sent back), with the
 * message the SQLite adapter gives for the same mistake. Any other `ValidationException`
 * means the adapter built a bad request: a bug, left to surface as a 500.
 */
const callerMistakes: Array<[RegExp, string]> = [
  [
    /Item size (to update )?has exceeded the maximum allowed size/,
    `The item would be larger than ${limits.itemBytes} bytes, the most an item may hold`,
  ],
  [/An operand in the update expression has an incorrect data type/, 'Cannot add to an attribute that is not a number'],
  [/starting key/, 'The cursor belongs to another query: start again without it'],
];

/** The DynamoDB error's name (`ConditionalCheckFailedException`, ...), or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A caller's mistake as the port's `TableValidationError`, or undefined when the error is not one. */
export function validationError(error: unknown): TableValidationError | undefined {
  if (awsErrorName(error) !== 'ValidationException') return undefined;
  const message = (error as Error).message;
  for (const [pattern, detail] of callerMistakes) {
    if (pattern.test(message)) return new TableValidationError(detail, { cause: error });
  }
  return undefined;
}

/** Maps an error of a single-item write to the port's errors; anything unknown is returned as is. */
export function singleWriteError(error: unknown, key: Key): unknown {
  if (awsErrorName(error) === 'ConditionalCheckFailedException') return new ConditionFailedError(key);
  return validationError(error) ?? error;
}

/** The `Code`s DynamoDB gives in `CancellationReasons`, one per operation, in request order. */
export interface CancellationReasonLike {
  Code?: string | undefined;
  Message?: string | undefined;
}

/** Codes that say the transaction met other traffic, not that it was wrong: worth retrying as is. */
const transientCodes = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

export type CancellationOutcome =
  | { kind: 'canceled'; error: TransactionCanceledError }
  | { kind: 'invalid'; error: TableValidationError }
  | { kind: 'transient' }
  | { kind: 'unexpected' };

/**
 * Reads a `TransactionCanceledException`'s reasons the way the SQLite adapter decides: a
 * failed condition wins (it checks every condition before it writes anything) and becomes
 * `TransactionCanceledError(reasons)`; otherwise a data-dependent `ValidationError` (an item
 * grown past 400 KB, an ADD to a non-number) becomes the `TableValidationError` it throws;
 * otherwise, when it only collided with other traffic, it is worth retrying. Anything else
 * (an unknown validation message, an unknown code) is `unexpected`: a bug, not a 4xx.
 */
export function readCancellation(reasons: CancellationReasonLike[]): CancellationOutcome {
  const codes = reasons.map((reason) => reason.Code ?? 'None');
  if (codes.includes('ConditionalCheckFailed')) {
    return {
      kind: 'canceled',
      error: new TransactionCanceledError(
        codes.map((code) =>
          code === 'ConditionalCheckFailed' || code === 'ValidationError' ? code : ('None' as const),
        ),
      ),
    };
  }
  for (const reason of reasons) {
    if (reason.Code !== 'ValidationError') continue;
    const mapped = validationError(Object.assign(new Error(reason.Message ?? ''), { name: 'ValidationException' }));
    return mapped ? { kind: 'invalid', error: mapped } : { kind: 'unexpected' };
  }
  return codes.some((code) => transientCodes.has(code)) ? { kind: 'transient' } : { kind: 'unexpected' };
}
