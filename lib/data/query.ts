/**
 * The Deta Base query language: a list of objects, OR-ed, each an AND of `"path?op": value` conditions. A query
 * is parsed and checked once into a key range (what a backend can seek to) and per-clause filters (applied to
 * each record above the store). Every rejection is `Bad query`, the message the official SDK tests expect, with
 * a detail naming the offending condition.
 */
import { compareKeys, type Item, type JsonValue, type KeyRange } from './base-store';
import { badQuery } from './errors';
import { valueAt, parsePath } from './paths';
import { deepEqual } from './json';

type Operator = 'eq' | 'ne' | 'lt' | 'gt' | 'lte' | 'gte' | 'pfx' | 'r' | 'contains' | 'not_contains';

/** Operator names after `?`, documented and the symbolic ones the official JS tests use. */
const OPERATORS: Readonly<Record<string, Operator>> = {
  ne: 'ne',
  lt: 'lt',
  gt: 'gt',
  lte: 'lte',
  gte: 'gte',
  '<': 'lt',
  '>': 'gt',
  '<=': 'lte',
  '>=': 'gte',
  pfx: 'pfx',
  r: 'r',
  contains: 'contains',
  not_contains: 'not_contains',
  '!contains': 'not_contains',
};

interface Condition {
  readonly path: readonly string[];
  readonly op: Operator;
  readonly value: JsonValue;
}

export interface ParsedQuery {
  /** Where matching keys lie; undefined scans the whole base. */
  readonly keyRange: KeyRange | undefined;
  /** Non-key conditions per OR clause; an item matches when every condition of some clause holds. */
  readonly clauses: readonly (readonly Condition[])[];
}

/** `query` as the SDKs send it: absent, null, an object or a list of objects (`[]` and `[{}]` match everything). */
export function parseQuery(query: unknown): ParsedQuery {
  if (query === undefined || query === null) return { keyRange: undefined, clauses: [[]] };
  const list = Array.isArray(query) ? query : [query];
  if (list.length === 0) return { keyRange: undefined, clauses: [[]] };
  let keyCondition: { text: string; range: KeyRange } | undefined;
  const clauses: Condition[][] = [];
  list.forEach((clause, index) => {
    if (typeof clause !== 'object' || clause === null || Array.isArray(clause)) {
      throw badQuery(`query[${index}] must be an object of conditions`);
    }
    const conditions: Condition[] = [];
    let clauseKey: { text: string; range: KeyRange } | undefined;
    for (const [field, value] of Object.entries(clause as Record<string, JsonValue>)) {
      const { path, op } = parseCondition(field);
      if (path.length === 1 && path[0] === 'key') {
        if (clauseKey !== undefined) throw badQuery(`query[${index}] has more than one condition on the key`);
        clauseKey = { text: `${op} ${JSON.stringify(value)}`, range: keyRangeOf(field, op, value) };
      } else {
        checkOperand(field, op, value);
        conditions.push({ path, op, value });
      }
    }
    // A backend seeks one key range: every OR clause must state the same key condition, or none may.
    if (index > 0 && clauseKey?.text !== keyCondition?.text) {
      throw badQuery('every OR clause must have the same key condition (or none)');
    }
    keyCondition = clauseKey;
    clauses.push(conditions);
  });
  return { keyRange: keyCondition?.range, clauses };
}

function parseCondition(field: string): { path: string[]; op: Operator } {
  const mark = field.indexOf('?');
  const name = mark < 0 ? field : field.slice(0, mark);
  let op: Operator = 'eq';
  if (mark >= 0) {
    const found = OPERATORS[field.slice(mark + 1)];
    if (found === undefined) throw badQuery(`unknown operator in "${field}"`);
    op = found;
  }
  const path = parsePath(name);
  if (path === undefined) throw badQuery(`"${field}" names no attribute`);
  return { path, op };
}

function keyRangeOf(field: string, op: Operator, value: JsonValue): KeyRange {
  if (op === 'r') {
    const [from, to] = rangeBounds(field, value);
    if (typeof from !== 'string' || typeof to !== 'string') throw badQuery(`"${field}" needs two string keys`);
    return { from, to };
  }
  if (typeof value !== 'string') throw badQuery(`"${field}" compares keys, which are strings`);
  switch (op) {
    case 'eq':
      return { from: value, to: value };
    case 'pfx':
      return { prefix: value };
    case 'lt':
      return { to: value, toExclusive: true };
    case 'lte':
      return { to: value };
    case 'gt':
      return { from: value, fromExclusive: true };
    case 'gte':
      return { from: value };
    default:
      throw badQuery(`"${field}": ?${op} is not supported on the key`);
  }
}

function rangeBounds(field: string, value: JsonValue): [JsonValue, JsonValue] {
  if (!Array.isArray(value) || value.length !== 2) throw badQuery(`"${field}" needs a list of two bounds`);
  return [value[0], value[1]];
}

function checkOperand(field: string, op: Operator, value: JsonValue): void {
  switch (op) {
    case 'pfx':
      if (typeof value !== 'string') throw badQuery(`"${field}" needs a string prefix`);
      return;
    case 'lt':
    case 'gt':
    case 'lte':
    case 'gte':
      if (typeof value !== 'number' && typeof value !== 'string') {
        throw badQuery(`"${field}" compares numbers or strings`);
      }
      return;
    case 'r': {
      const [from, to] = rangeBounds(field, value);
      const bothNumbers = typeof from === 'number' && typeof to === 'number';
      const bothStrings = typeof from === 'string' && typeof to === 'string';
      if (!bothNumbers && !bothStrings) throw badQuery(`"${field}" needs two numbers or two strings`);
    }
  }
}

/** Whether `item` matches some clause of `query` (its key is already in the key range). */
export function matches(item: Item, query: ParsedQuery): boolean {
  return query.clauses.some((conditions) => conditions.every((condition) => holds(item, condition)));
}

function holds(item: Item, { path, op, value }: Condition): boolean {
  const actual = valueAt(item, path);
  switch (op) {
    case 'eq':
      return actual !== undefined && deepEqual(actual, value);
    case 'ne':
      return actual === undefined || !deepEqual(actual, value);
    case 'lt':
      return compare(actual, value, (c) => c < 0);
    case 'gt':
      return compare(actual, value, (c) => c > 0);
    case 'lte':
      return compare(actual, value, (c) => c <= 0);
    case 'gte':
      return compare(actual, value, (c) => c >= 0);
    case 'pfx':
      return typeof actual === 'string' && actual.startsWith(value as string);
    case 'r': {
      const [from, to] = value as [JsonValue, JsonValue];
      return compare(actual, from, (c) => c >= 0) && compare(actual, to, (c) => c <= 0);
    }
    case 'contains':
      return contains(actual, value);
    case 'not_contains':
      return !contains(actual, value);
  }
}

/** Type-strict: a number compares only with numbers, a string only with strings. */
function compare(actual: JsonValue | undefined, operand: JsonValue, test: (order: number) => boolean): boolean {
  if (typeof actual === 'number' && typeof operand === 'number') return test(actual - operand);
  if (typeof actual === 'string' && typeof operand === 'string') return test(compareKeys(actual, operand));
  return false;
}

/** A substring of a string, or a member of a list. */
function contains(actual: JsonValue | undefined, operand: JsonValue): boolean {
  if (typeof actual === 'string') return typeof operand === 'string' && actual.includes(operand);
  if (Array.isArray(actual)) return actual.some((member) => deepEqual(member, operand));
  return false;
}
