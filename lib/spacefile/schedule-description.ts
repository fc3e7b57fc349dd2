/**
 * The description of an action's deployed schedule: who the action is, then `: ` and its interval in Space syntax.
 * The interval is what `spaceport actions` shows and what a rate's start grid is computed from, and the live
 * schedule holds only its EventBridge expression, so the description is where the Space syntax survives without
 * the Spacefile at hand. The construct writes it and the operate commands read and rewrite it, only through here.
 */
import type { ScheduledAction } from './model';

/** EventBridge Scheduler's longest description. */
const MAX_DESCRIPTION_LENGTH = 512;
const SEPARATOR = ': ';
/** Space intervals (rates and cron fields) never hold a colon, so the text after the last `: ` is the interval. */
const INTERVAL_AT_END = /: ([^:]+)$/;

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

/** `description` recording `intervalSource` instead of its interval (or in addition, when it recorded none). */
export function withScheduleInterval(description: string | undefined, intervalSource: string): string {
  const who =
    description === undefined
      ? ''
      : intervalOfScheduleDescription(description) === undefined
        ? description
        : description.replace(INTERVAL_AT_END, '');
  return who.slice(0, MAX_DESCRIPTION_LENGTH - SEPARATOR.length - intervalSource.length) + SEPARATOR + intervalSource;
}
