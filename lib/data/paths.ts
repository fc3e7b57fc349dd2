/**
 * Dotted attribute paths (`profile.age`, `likes.0`) as queries and updates address nested values: through objects
 * by name and through lists by index.
 */
import type { JsonValue } from './base-store';
import { isJsonObject } from './json';

/** The segments of `name`, or undefined when a segment is empty (`a..b`, `.a`, `a.`). */
export function parsePath(name: string): string[] | undefined {
  const segments = name.split('.');
  return segments.every((segment) => segment !== '') ? segments : undefined;
}

/** The value at `path` inside `value`, or undefined. */
export function valueAt(value: JsonValue, path: readonly string[]): JsonValue | undefined {
  return path.reduce<JsonValue | undefined>(child, value);
}

function child(value: JsonValue | undefined, segment: string): JsonValue | undefined {
  if (isJsonObject(value)) return Object.hasOwn(value, segment) ? value[segment] : undefined;
  const index = listIndex(segment);
  // Stryker disable next-line ConditionalExpression: equivalent, a list indexed by undefined is undefined
  return Array.isArray(value) && index !== undefined ? value[index] : undefined;
}

/** The list index a segment names (`0`, `12`; not `01`, `1e0` or `-1`), or undefined. */
export function listIndex(segment: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : undefined;
}

/** The object or list holding the last segment of `path`, or undefined when it does not exist. */
export function parentOf(root: JsonValue, path: readonly string[]): { [name: string]: JsonValue } | JsonValue[] | undefined {
  const parent = valueAt(root, path.slice(0, -1));
  return isJsonObject(parent) || Array.isArray(parent) ? parent : undefined;
}
