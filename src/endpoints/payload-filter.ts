import { isDeepStrictEqual } from 'node:util';
import { InvalidRequestError } from '../common/errors/domain-errors';

/** `filter.payload`: dotted path on the event envelope → a value (eq) or operators, all of which must hold. */
export type PayloadFilter = Record<string, unknown>;

const OPERATORS = ['eq', 'in', 'gte', 'lte', 'exists'] as const;
type Operator = (typeof OPERATORS)[number];
const MAX_CONDITIONS = 20;
const PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

function isOperatorObject(value: unknown): value is Partial<Record<Operator, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`data.object.amount`, `data.items.0.id`), or undefined when the path is absent. */
export function valueAt(document: unknown, path: string): unknown {
  let current = document;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
}

function holds(operator: Operator, operand: unknown, actual: unknown): boolean {
  switch (operator) {
    case 'eq':
      return isDeepStrictEqual(actual, operand);
    case 'in':
      return (operand as unknown[]).some((candidate) => isDeepStrictEqual(actual, candidate));
    case 'gte':
      return comparable(actual, operand) && (actual as number) >= (operand as number);
    case 'lte':
      return comparable(actual, operand) && (actual as number) <= (operand as number);
    case 'exists':
      return (actual !== undefined) === operand;
  }
}

/** True when every condition holds on the envelope; an absent or empty filter matches everything. */
export function matchesPayload(filter: PayloadFilter | undefined, envelope: unknown): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, condition]) => {
    const actual = valueAt(envelope, path);
    if (!isOperatorObject(condition)) return isDeepStrictEqual(actual, condition);
    return Object.entries(condition).every(([operator, operand]) => holds(operator as Operator, operand, actual));
  });
}

/**
 * Checks a filter before it is stored, naming what is wrong (400): paths, known operators, operands of the right
 * kind. A plain value (string, number, boolean, null, array) means `eq`; an object is a set of operators.
 */
export function assertValidPayloadFilter(filter: unknown): asserts filter is PayloadFilter {
  if (!isOperatorObject(filter)) throw new InvalidRequestError('filter.payload must be an object of path → condition');
  const conditions = Object.entries(filter);
  if (conditions.length > MAX_CONDITIONS)
    throw new InvalidRequestError(`filter.payload: at most ${MAX_CONDITIONS} conditions`);
  for (const [path, condition] of conditions) {
    if (!PATH.test(path) || path.length > 200)
      throw new InvalidRequestError(`filter.payload: "${path}" is not a dotted path`);
    if (!isOperatorObject(condition)) continue;
    const operators = Object.entries(condition);
    if (!operators.length)
      throw new InvalidRequestError(
        `filter.payload.${path}: an empty condition; give a value or operators (${OPERATORS.join(', ')})`,
      );
    for (const [operator, operand] of operators) {
      if (!(OPERATORS as readonly string[]).includes(operator)) {
        throw new InvalidRequestError(
          `filter.payload.${path}: unknown operator "${operator}" (use ${OPERATORS.join(', ')})`,
        );
      }
      if (operator === 'in' && (!Array.isArray(operand) || operand.length > 100))
        throw new InvalidRequestError(`filter.payload.${path}.in must be an array of at most 100 values`);
      if ((operator === 'gte' || operator === 'lte') && typeof operand !== 'number' && typeof operand !== 'string') {
        throw new InvalidRequestError(`filter.payload.${path}.${operator} must be a number or a string`);
      }
      if (operator === 'exists' && typeof operand !== 'boolean')
        throw new InvalidRequestError(`filter.payload.${path}.exists must be true or false`);
    }
  }
}
