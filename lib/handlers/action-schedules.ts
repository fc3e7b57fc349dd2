/**
 * A deployed app's scheduled actions as EventBridge Scheduler keeps them: one schedule per action in the app's
 * schedule group, read, paused, resumed and given a new interval through the Scheduler API, and each action's last
 * run found in its micro's log. One implementation for `spaceport actions` (lib/operate) and the owner's console
 * function, which pass their own clients.
 *
 * The schedule's description records the interval in Space syntax and whether the console changed it
 * (lib/spacefile/schedule-description.ts).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { actionRunLogPrefix, parseActionRunLine, type ActionRunRecord } from '../core/action-log';
import { UsageError } from '../core/errors';
import { parseInterval, type Interval } from '../spacefile/interval';
import { readLogEvents } from './log-lines';
import { intervalOfScheduleDescription, isChangedInConsole, withScheduleInterval } from '../spacefile/schedule-description';

/** How far back `lastActionRun` looks (CloudWatch Logs filters cost per GB scanned). */
export const LAST_RUN_LOOKBACK_DAYS = 2;

export interface ScheduleDescription {
  /** The interval in Space syntax the expression was written from. */
  readonly interval?: string;
  /** The owner changed the schedule in the console since it was deployed. */
  readonly changedInConsole: boolean;
}

/** One action's live schedule. */
export interface ActionSchedule {
  /** The action id, from the event the schedule delivers. */
  readonly id: string;
  readonly scheduleName: string;
  /** The name of the function the schedule invokes. */
  readonly functionName?: string;
  /** The live EventBridge expression, e.g. `cron(0/15 * * * ? *)`. */
  readonly expression: string;
  readonly enabled: boolean;
  readonly description: ScheduleDescription;
  /** The interval behind the expression, when the description's is the one it was written from. */
  readonly interval?: Interval;
}

export class NoSuchActionError extends UsageError {
  constructor(readonly id: string) {
    super(`no scheduled action '${id}'`);
  }
}

/**
 * Where an app's schedules are: its schedule group and, when known (the console function knows them from synth),
 * the schedules' names, which spares listing the group (ListSchedules cannot be limited to one group in IAM).
 */
export interface AppSchedules {
  readonly client: SchedulerClient;
  readonly group?: string;
  readonly names?: readonly string[];
}

/** Every action schedule of the app, in schedule-name order. */
export async function readActionSchedules(schedules: AppSchedules): Promise<ActionSchedule[]> {
  return (await readSchedules(schedules)).map(describeSchedule);
}

/** What an owner may change on a schedule. */
export interface ScheduleChange {
  readonly enabled?: boolean;
  readonly interval?: Interval;
  /** Mark the schedule as changed in the console (true) or clear the mark (false); unchanged when absent. */
  readonly changedInConsole?: boolean;
}

/** Applies `change` to action `id`'s live schedule. */
export async function updateActionSchedule(schedules: AppSchedules, id: string, change: ScheduleChange): Promise<void> {
  const schedule = (await readSchedules(schedules)).find((candidate) => actionIdOf(candidate) === id);
  if (!schedule) throw new NoSuchActionError(id);
  const intervalSource = change.interval?.source ?? intervalOfScheduleDescription(schedule.Description);
  // A description that records no interval is no Spaceport schedule's: it is left as it is.
  const description =
    intervalSource === undefined ? schedule.Description : withScheduleInterval(schedule.Description, intervalSource, change.changedInConsole);
  // A rate no cron expresses starts on its grid (as SpaceAction deploys it), at a firing still to come: EventBridge
  // refuses a StartDate in the past. Crons need none.
  const interval = change.interval ?? tryParse(intervalSource);
  // UpdateSchedule replaces the whole schedule: send back everything it has, with the change over it.
  await schedules.client.send(
    new UpdateScheduleCommand({
      Name: schedule.Name,
      GroupName: schedule.GroupName,
      ScheduleExpression: change.interval?.eventBridgeExpression ?? schedule.ScheduleExpression,
      ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
      StartDate: interval ? interval.startDate(new Date()) : schedule.StartDate,
      EndDate: schedule.EndDate,
      Description: description,
      State: change.enabled === undefined ? schedule.State : change.enabled ? 'ENABLED' : 'DISABLED',
      KmsKeyArn: schedule.KmsKeyArn,
      Target: schedule.Target,
      FlexibleTimeWindow: schedule.FlexibleTimeWindow,
      ActionAfterCompletion: schedule.ActionAfterCompletion,
    }),
  );
}

/** The most recent run of action `id` that `logGroup` recorded (the adapter's run line) in the last days. */
export async function lastActionRun(
  logs: CloudWatchLogsClient,
  logGroup: string,
  id: string,
  now: Date,
): Promise<(ActionRunRecord & { readonly at: Date }) | undefined> {
  const events = await readLogEvents(logs, logGroup, {
    filterPattern: `"${actionRunLogPrefix(id)}"`,
    startTime: now.getTime() - LAST_RUN_LOOKBACK_DAYS * 86_400_000,
  });
  let latest: (ActionRunRecord & { readonly at: Date }) | undefined;
  for (const event of events) {
    const record = parseActionRunLine(event.message ?? '');
    if (record?.id === id && (!latest || (event.timestamp ?? 0) >= latest.at.getTime())) {
      latest = { ...record, at: new Date(event.timestamp ?? 0) };
    }
  }
  return latest;
}

async function readSchedules({ client, group, names: known }: AppSchedules): Promise<GetScheduleCommandOutput[]> {
  if (!group) return [];
  const names = known ? [...known] : await listScheduleNames(client, group);
  names.sort();
  return Promise.all(names.map((Name) => client.send(new GetScheduleCommand({ Name, GroupName: group }))));
}

async function listScheduleNames(client: SchedulerClient, group: string): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSchedulesCommand({ GroupName: group, NextToken }));
    names.push(...(page.Schedules ?? []).flatMap((summary) => (summary.Name ? [summary.Name] : [])));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

function describeSchedule(schedule: GetScheduleCommandOutput): ActionSchedule {
  const expression = schedule.ScheduleExpression ?? '';
  const description = { interval: intervalOfScheduleDescription(schedule.Description), changedInConsole: isChangedInConsole(schedule.Description) };
  const interval = tryParse(description.interval);
  return {
    id: actionIdOf(schedule),
    scheduleName: schedule.Name ?? '',
    functionName: schedule.Target?.Arn?.split(':').at(-1),
    expression,
    enabled: schedule.State !== 'DISABLED',
    description,
    interval: interval?.eventBridgeExpression === expression ? interval : undefined,
  };
}

/** The action id is in the event the schedule delivers: `{"source":"spaceport.action","event":{"id":...}}`. */
function actionIdOf(schedule: GetScheduleCommandOutput): string {
  try {
    const input = JSON.parse(schedule.Target?.Input ?? '') as { event?: { id?: unknown } };
    if (typeof input.event?.id === 'string') return input.event.id;
  } catch {
    // Not a Spaceport action event: named by the schedule instead.
  }
  return schedule.Name ?? '';
}

export function tryParse(source: string | undefined): Interval | undefined {
  if (source === undefined) return undefined;
  try {
    return parseInterval(source);
  } catch {
    return undefined;
  }
}
