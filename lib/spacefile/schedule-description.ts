/**
 * The description of an action's deployed schedule: who the action is, then `: ` and its interval in Space syntax.
 * The interval is what `spaceport actions` shows and what a rate's start grid is computed from, and the live
 * schedule holds only its EventBridge expression, so the description is where the Space syntax survives without
 * the Spacefile at hand. The construct writes it and the operate commands and the owner's console read and rewrite
 * it, only through here. A change made in the console is marked before the interval (`... (changed in the console):
 * 5 minutes`), so `spaceport actions` can tell it from the deploy's and record it (docs/deploy.md).
 */
import type { ScheduledAction } from './model';

/** EventBridge Scheduler's longest description. */
const MAX_DESCRIPTION_LENGTH = 512;
const SEPARATOR = ': ';
/** Space intervals (rates and cron fields) never hold a colon, so the text after the last `: ` is the interval. */
const INTERVAL_AT_END = /: ([^:]+)$/;
/** Marks a schedule the owner changed in the console, which no cdk.context.json records. */
const CONSOLE_MARK = ' (changed in the console)';

/** The description `SpaceAction` deploys for `action` running every `intervalSource`. */
export function scheduleDescription(action: Pick<ScheduledAction, 'id' | 'name' | 'microName'>, intervalSource: string): string {
  const who = `Space action '${action.name}' (${action.id}) of micro '${action.microName}'`;
  // A long action name is cut, never the interval at the end.
  return who.slice(0, MAX_DESCRIPTION_LENGTH - SEPARATOR.length - intervalSource.length) + SEPARATOR + intervalSource;
}

/** The interval a schedule's description records, or undefined when it records none. */
export function intervalOfScheduleDescription(description: string | undefined): string | undefined {
  return description === undefined ? undefined : INTERVAL_AT_END.exec(description)?.[1];
}

/** Whether the owner changed the schedule in the console since a deploy or `spaceport actions` wrote it. */
export function isChangedInConsole(description: string | undefined): boolean {
  return description !== undefined && withoutInterval(description).endsWith(CONSOLE_MARK);
}

/**
 * `description` recording `intervalSource` instead of its interval (or in addition, when it recorded none), marked
 * as changed in the console or not (as it was, by default).
 */
export function withScheduleInterval(
  description: string | undefined,
  intervalSource: string,
  changedInConsole = isChangedInConsole(description),
): string {
  const unmarked = description === undefined ? '' : withoutInterval(description);
  const who = unmarked.endsWith(CONSOLE_MARK) ? unmarked.slice(0, -CONSOLE_MARK.length) : unmarked;
  const mark = changedInConsole ? CONSOLE_MARK : '';
  return who.slice(0, MAX_DESCRIPTION_LENGTH - SEPARATOR.length - intervalSource.length - mark.length) + mark + SEPARATOR + intervalSource;
}

function withoutInterval(description: string): string {
  return intervalOfScheduleDescription(description) === undefined ? description : description.replace(INTERVAL_AT_END, '');
}
