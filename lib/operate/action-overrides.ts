/**
 * Owner overrides of scheduled actions (an interval, or paused), kept where the next `cdk deploy` reads them.
 *
 * A change made with `spaceport actions` reaches the live schedule at once, and is also written as CDK context in
 * the CDK app's `cdk.context.json` (key `actions:<stack>`), which the CDK CLI reads on every synth: `SpaceApp`
 * then puts the same interval and state into the template, so the next deploy keeps the owner's change instead of
 * reverting it. Removing the entry (`spaceport actions reset <id>`) returns the action to its Spacefile interval.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionOverride } from '../spacefile/model';
import { DeployedAppError } from './aws-errors';

export type ActionOverrides = Readonly<Record<string, ActionOverride>>;

/** The CDK context file the CDK CLI reads from the CDK app's directory. */
export const CONTEXT_FILE = 'cdk.context.json';

/** The context key of a stack's action overrides. */
export function overridesContextKey(stackName: string): string {
  return `actions:${stackName}`;
}

/** The overrides recorded for `stackName` in `dir`'s cdk.context.json (none when the file or the key is absent). */
export function readActionOverrides(dir: string, stackName: string): ActionOverrides {
  const value = readContext(dir)[overridesContextKey(stackName)];
  return isOverrides(value) ? value : {};
}

/**
 * Records `change` for action `id` of `stackName`, merged over what is recorded; `undefined` fields are removed,
 * and an action left with no override is dropped. Written to a temporary file and renamed, so a crash never
 * leaves a half-written context file.
 */
export function recordActionOverride(dir: string, stackName: string, id: string, change: Partial<Record<keyof ActionOverride, unknown>>): void {
  const context = readContext(dir);
  const key = overridesContextKey(stackName);
  const overrides: Record<string, ActionOverride> = { ...(isOverrides(context[key]) ? context[key] : {}) };
  const merged: Record<string, unknown> = { ...overrides[id], ...change };
  for (const field of Object.keys(merged)) if (merged[field] === undefined) delete merged[field];
  if (Object.keys(merged).length === 0) delete overrides[id];
  else overrides[id] = merged as ActionOverride;
  if (Object.keys(overrides).length === 0) delete context[key];
  else context[key] = overrides;
  const file = join(dir, CONTEXT_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(context, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function readContext(dir: string): Record<string, unknown> {
  const file = join(dir, CONTEXT_FILE);
  if (!existsSync(file)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below: a context file we cannot read must not be overwritten.
  }
  throw new DeployedAppError(`${file} is not a JSON object; fix or remove it (the CDK CLI reads it too)`);
}

function isOverrides(value: unknown): value is ActionOverrides {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
