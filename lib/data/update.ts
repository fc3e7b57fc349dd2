/**
 * `PATCH /items/{key}`: `set`, `increment`, `append`, `prepend` and `delete` on dotted paths, checked as a whole
 * before anything is applied, then applied to a copy of the item.
 */
import type { Item, JsonValue } from './base-store';
import { badRequest } from './errors';
import { isJsonObject } from './json';
import { describe } from './items';
import { listIndex, parentOf, parsePath, valueAt } from './paths';

type ValueOperation = 'set' | 'increment' | 'append' | 'prepend';
const VALUE_OPERATIONS: readonly ValueOperation[] = ['set', 'increment', 'append', 'prepend'];

interface Change {
  readonly operation: ValueOperation | 'delete';
  readonly name: string;
  readonly path: readonly string[];
  readonly value?: JsonValue;
}

export interface ParsedUpdate {
  readonly changes: readonly Change[];
  /** The request's operations, echoed in the response as Deta did. */
  readonly echo: Readonly<Record<string, JsonValue>>;
}

/** The body of an update request; a 400 naming the operation and attribute for anything wrong. */
export function parseUpdate(body: unknown): ParsedUpdate {
  if (!isJsonObject(body)) throw badRequest('Update must be a JSON object', `the body is ${describe(body)}`);
  for (const name of Object.keys(body)) {
    if (!(VALUE_OPERATIONS as readonly string[]).includes(name) && name !== 'delete') {
      throw badRequest('Unknown update operation', `"${name}"; use set, increment, append, prepend or delete`);
    }
  }
  const changes: Change[] = [];
  const echo: Record<string, JsonValue> = {};
  for (const operation of VALUE_OPERATIONS) {
    const entries = body[operation];
    if (entries === undefined || entries === null) continue;
    if (!isJsonObject(entries)) throw badRequest(`${operation} must be an object`, `it is ${describe(entries)}`);
    echo[operation] = entries;
    for (const [name, value] of Object.entries(entries)) {
      const where = `${operation}.${name}`;
      if (operation === 'increment' && typeof value !== 'number') {
        throw badRequest('Increment needs a number', `${where} is ${describe(value)}`);
      }
      if ((operation === 'append' || operation === 'prepend') && !Array.isArray(value)) {
        throw badRequest(`${operation[0]!.toUpperCase()}${operation.slice(1)} needs a list`, `${where} is ${describe(value)}`);
      }
      changes.push({ operation, name, path: checkedPath(name, operation), value });
    }
  }
  const deletions = body.delete;
  if (deletions !== undefined && deletions !== null) {
    if (!Array.isArray(deletions) || !deletions.every((name) => typeof name === 'string')) {
      throw badRequest('delete must be a list of attribute names', `it is ${describe(deletions)}`);
    }
    echo.delete = deletions;
    for (const name of deletions as string[]) changes.push({ operation: 'delete', name, path: checkedPath(name, 'delete') });
  }
  if (changes.length === 0) {
    throw badRequest('Update is empty', 'give at least one attribute to set, increment, append, prepend or delete');
  }
  checkOverlaps(changes);
  return { changes, echo };
}

function checkedPath(name: string, operation: string): string[] {
  const path = parsePath(name);
  if (path === undefined) throw badRequest('Invalid attribute path', `${operation} "${name}" has an empty segment`);
  if (path[0] === 'key') throw badRequest('The key cannot be updated', `${operation} "${name}"`);
  return path;
}

/**
 * Two changes on the same attribute, or on an attribute and something inside it, have no order: reject them.
 * Appending and prepending to the same list is the exception: either order gives the same list.
 */
function checkOverlaps(changes: readonly Change[]): void {
  changes.forEach((a, i) => {
    for (const b of changes.slice(i + 1)) {
      if (a.name === b.name && new Set([a.operation, b.operation, 'append', 'prepend']).size === 2) continue;
      const shorter = Math.min(a.path.length, b.path.length);
      if (a.path.slice(0, shorter).every((segment, index) => segment === b.path[index])) {
        throw badRequest('Conflicting update', `${a.operation} "${a.name}" and ${b.operation} "${b.name}" touch the same attribute`);
      }
    }
  });
}

/** `item` with every change applied (a copy); a 400 when a change does not fit the item. */
export function applyUpdate(item: Item, update: ParsedUpdate): Item {
  const result = structuredClone(item);
  for (const change of update.changes) {
    const parent = parentOf(result, change.path);
    const last = change.path[change.path.length - 1]!;
    if (change.operation === 'delete') {
      if (parent !== undefined) removeChild(parent, last);
      continue;
    }
    if (parent === undefined) {
      const missing = change.path.slice(0, -1).join('.');
      throw badRequest('Parent attribute does not exist', `${change.operation} "${change.name}": "${missing}" is not an object or list in the item`);
    }
    const current = valueAt(result, change.path);
    setChild(parent, last, combine(change, current), change);
  }
  return result;
}

function combine(change: Change, current: JsonValue | undefined): JsonValue {
  const value = change.value!;
  if (change.operation === 'set' || current === undefined) return value;
  if (change.operation === 'increment') {
    if (typeof current !== 'number') throw badRequest('Cannot increment a non-number', `"${change.name}" is ${describe(current)}`);
    return current + (value as number);
  }
  if (!Array.isArray(current)) throw badRequest(`Cannot ${change.operation} to a non-list`, `"${change.name}" is ${describe(current)}`);
  return change.operation === 'append' ? [...current, ...(value as JsonValue[])] : [...(value as JsonValue[]), ...current];
}

function setChild(parent: { [name: string]: JsonValue } | JsonValue[], name: string, value: JsonValue, change: Change): void {
  if (!Array.isArray(parent)) {
    parent[name] = value;
    return;
  }
  const index = listIndex(name);
  if (index === undefined || index > parent.length) {
    throw badRequest('Invalid list index', `${change.operation} "${change.name}": the list has ${parent.length} elements`);
  }
  parent[index] = value;
}

function removeChild(parent: { [name: string]: JsonValue } | JsonValue[], name: string): void {
  if (!Array.isArray(parent)) {
    delete parent[name];
    return;
  }
  const index = listIndex(name);
  // Splicing at or past the end removes nothing.
  if (index !== undefined) parent.splice(index, 1);
}
