/**
 * The line the adapter logs when a scheduled action has run, one per run, in the micro's own log: how
 * `spaceport actions` finds an action's last run in CloudWatch Logs, and how `spaceport dev` reports it. Both
 * adapters write it as `[spaceport] action <id>: ok <status> in <ms> ms` or
 * `[spaceport] action <id>: failed in <ms> ms: <reason>`.
 */

export interface ActionRunRecord {
  readonly id: string;
  readonly ok: boolean;
  /** The app's status code, when it answered. */
  readonly statusCode?: number;
  readonly durationMs: number;
  /** Why a failed run failed. */
  readonly reason?: string;
}

const LINE = /\[spaceport\] action (.+?): (?:ok (\d{3})|failed) in (\d+) ms(?:: (.*))?$/;

/** The adapter's message for a finished run (the adapter adds its `[spaceport] ` prefix). */
export function actionRunMessage(run: ActionRunRecord): string {
  return run.ok
    ? `action ${run.id}: ok ${run.statusCode} in ${run.durationMs} ms`
    : `action ${run.id}: failed in ${run.durationMs} ms: ${run.reason ?? 'unknown reason'}`;
}

/** A CloudWatch Logs filter term that matches the run lines of action `id` (the parse then checks the id exactly). */
export function actionRunLogPrefix(id: string): string {
  return `action ${id.replace(/"/g, '')}:`;
}

/** The run a log line records, or undefined for any other line. */
export function parseActionRunLine(line: string): ActionRunRecord | undefined {
  const match = LINE.exec(line.trimEnd());
  if (!match) return undefined;
  const [, id, status, duration, reason] = match;
  return status !== undefined
    ? { id, ok: true, statusCode: Number(status), durationMs: Number(duration) }
    : { id, ok: false, durationMs: Number(duration), reason };
}
