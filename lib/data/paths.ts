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
  let current: JsonValue | undefined = value;
  for (const segment of path) {
    current = child(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

function child(value: JsonValue | undefined, segment: string): JsonValue | undefined {
  if (isJsonObject(value)) return Object.hasOwn(value, segment) ? value[segment] : undefined;
  if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(segment)) return value[Number(segment)];
  return undefined;
}

/** The object or list holding the last segment of `path`, or undefined when it does not exist. */
export function parentOf(root: JsonValue, path: readonly string[]): { [name: string]: JsonValue } | JsonValue[] | undefined {
  const parent = valueAt(root, path.slice(0, -1));
  return isJsonObject(parent) || Array.isArray(parent) ? parent : undefined;
}
