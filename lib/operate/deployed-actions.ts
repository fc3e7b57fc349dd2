/**
 * The deployed app's scheduled actions as EventBridge Scheduler runs them: listed with where each value comes
 * from, paused, resumed and given a new interval through the Scheduler API, and every change recorded as an
 * override the next deploy keeps (`action-overrides.ts`).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { parseInterval, type Interval } from '../spacefile/interval';
import type { ActionOverride, ScheduledAction } from '../spacefile/model';
import { intervalOfScheduleDescription, withScheduleInterval } from '../spacefile/schedule-description';
import { actionRunLogPrefix, parseActionRunLine, type ActionRunRecord } from '../core/action-log';
import { DeployedAppError, describeAwsError } from './aws-errors';
import type { DeployedApp } from './deployed-app';

/** Where a deployed value comes from, so the owner knows what the next deploy will do with it. */
export type ValueOrigin =
  /** The Spacefile's value, deployed as written. */
  | 'spacefile'
  /** An owner override recorded in cdk.context.json: the next deploy keeps it. */
  | 'override'
  /** Changed outside Spaceport (the AWS console...): the next deploy puts the recorded value back. */
  | 'changed outside spaceport';

export interface DeployedAction {
  readonly id: string;
  readonly micro: string;
  readonly scheduleName: string;
  /** The interval as Space syntax, when the live expression is one Spaceport wrote; else undefined. */
  readonly interval?: string;
  /** The live EventBridge expression, e.g. `cron(0/15 * * * ? *)`. */
  readonly expression: string;
  readonly intervalOrigin: ValueOrigin;
  readonly enabled: boolean;
  readonly stateOrigin: ValueOrigin;
  /** Next run (UTC) while enabled, when the expression is one Spaceport understands. */
  readonly nextRun?: Date;
  /** The most recent run the micro's log recorded in the last `LAST_RUN_LOOKBACK_DAYS` days. */
  readonly lastRun?: ActionRunRecord & { readonly at: Date };
}

/** How far back `listDeployedActions` looks for an action's last run (CloudWatch Logs filters cost per GB scanned). */
const LAST_RUN_LOOKBACK_DAYS = 2;

export interface ListOptions {
  /** The Spacefile's actions, when the Spacefile is at hand: the reference the origins are judged against. */
  readonly spacefileActions?: readonly ScheduledAction[];
  readonly overrides?: Readonly<Record<string, ActionOverride>>;
  /** Look up each action's last run in its micro's log. @default true */
  readonly lastRun?: boolean;
  readonly now?: Date;
}

/** Every action of the deployed app, in schedule-name order. */
export async function listDeployedActions(app: DeployedApp, options: ListOptions = {}): Promise<DeployedAction[]> {
  const schedules = await withScheduler(app, (client) => readSchedules(client, app));
  const now = options.now ?? new Date();
  const actions = schedules.map((schedule) => describeSchedule(app, schedule, options, now));
  if (options.lastRun === false) return actions;
  return withLogs(app, (logs) => Promise.all(actions.map(async (action) => ({ ...action, lastRun: await findLastRun(logs, app, action, now) }))));
}

/** Pauses (`enabled: false`) or resumes an action's live schedule. */
export async function setActionEnabled(app: DeployedApp, id: string, enabled: boolean): Promise<void> {
  await updateSchedule(app, id, () => ({ State: enabled ? 'ENABLED' : 'DISABLED' }));
}

/** Gives an action's live schedule a new interval (already parsed, so it is valid Space syntax). */
export async function setActionInterval(app: DeployedApp, id: string, interval: Interval): Promise<void> {
  await updateSchedule(app, id, (schedule) => ({
    ScheduleExpression: interval.eventBridgeExpression,
    Description: withScheduleInterval(schedule.Description, interval.source),
  }));
}

async function readSchedules(client: SchedulerClient, app: DeployedApp): Promise<GetScheduleCommandOutput[]> {
  if (!app.scheduleGroup) return [];
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSchedulesCommand({ GroupName: app.scheduleGroup, NextToken }));
    names.push(...(page.Schedules ?? []).flatMap((summary) => (summary.Name ? [summary.Name] : [])));
    NextToken = page.NextToken;
  } while (NextToken);
  names.sort();
  return Promise.all(names.map((Name) => client.send(new GetScheduleCommand({ Name, GroupName: app.scheduleGroup }))));
}

function describeSchedule(app: DeployedApp, schedule: GetScheduleCommandOutput, options: ListOptions, now: Date): DeployedAction {
  const id = actionIdOf(schedule);
  const expression = schedule.ScheduleExpression ?? '';
  const enabled = schedule.State !== 'DISABLED';
  const override = options.overrides?.[id];
  const declared = options.spacefileActions?.find((action) => action.id === id)?.interval.source;
  const deployed = intervalOfScheduleDescription(schedule.Description);
  // The Space syntax behind the live expression: the override's, the Spacefile's, or what the deploy wrote.
  const candidates = [override?.interval, declared, deployed].filter((source): source is string => source !== undefined);
  const interval = candidates.map(tryParse).find((parsed) => parsed?.eventBridgeExpression === expression);
  const intervalOrigin: ValueOrigin =
    override?.interval !== undefined
      ? interval?.source === override.interval
        ? 'override'
        : 'changed outside spaceport'
      : declared === undefined || interval?.source === declared
        ? 'spacefile'
        : 'changed outside spaceport';
  const expectedEnabled = override?.enabled ?? true;
  const stateOrigin: ValueOrigin =
    enabled !== expectedEnabled ? 'changed outside spaceport' : override?.enabled !== undefined ? 'override' : 'spacefile';
  return {
    id,
    micro: microOf(app, schedule.Target?.Arn),
    scheduleName: schedule.Name ?? '',
    interval: interval?.source,
    expression,
    intervalOrigin,
    enabled,
    stateOrigin,
    nextRun: enabled && interval ? interval.nextFiring(now) : undefined,
  };
}

function tryParse(source: string): Interval | undefined {
  try {
    return parseInterval(source);
  } catch {
    return undefined;
  }
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

function microOf(app: DeployedApp, functionArn: string | undefined): string {
  const functionName = functionArn?.split(':').at(-1);
  return Object.entries(app.micros).find(([, micro]) => micro.functionName === functionName)?.[0] ?? '?';
}

async function updateSchedule(
  app: DeployedApp,
  id: string,
  change: (schedule: GetScheduleCommandOutput) => Partial<GetScheduleCommandOutput>,
): Promise<void> {
  await withScheduler(app, async (client) => {
    const schedule = (await readSchedules(client, app)).find((candidate) => actionIdOf(candidate) === id);
    if (!schedule) throw new DeployedAppError(`stack '${app.stackName}' has no action '${id}' (see spaceport actions)`);
    // UpdateSchedule replaces the whole schedule: send back everything it has, with the change over it.
    const next = { ...schedule, ...change(schedule) };
    // A rate no cron expresses starts on its grid (as SpaceAction deploys it), at a firing still to come: EventBridge
    // refuses a StartDate in the past. Crons need none.
    const interval = tryParse(intervalOfScheduleDescription(next.Description) ?? '');
    await client.send(
      new UpdateScheduleCommand({
        Name: next.Name,
        GroupName: next.GroupName,
        ScheduleExpression: next.ScheduleExpression,
        ScheduleExpressionTimezone: next.ScheduleExpressionTimezone,
        StartDate: interval ? interval.startDate(new Date()) : next.StartDate,
        EndDate: next.EndDate,
        Description: next.Description,
        State: next.State,
        KmsKeyArn: next.KmsKeyArn,
        Target: next.Target,
        FlexibleTimeWindow: next.FlexibleTimeWindow,
        ActionAfterCompletion: next.ActionAfterCompletion,
      }),
    );
  });
}

async function findLastRun(logs: CloudWatchLogsClient, app: DeployedApp, action: DeployedAction, now: Date): Promise<DeployedAction['lastRun']> {
  const logGroup = app.micros[action.micro]?.logGroup;
  if (!logGroup) return undefined;
  let latest: DeployedAction['lastRun'];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: logGroup,
        filterPattern: `"${actionRunLogPrefix(action.id)}"`,
        startTime: now.getTime() - LAST_RUN_LOOKBACK_DAYS * 86_400_000,
        nextToken,
      }),
    );
    for (const event of page.events ?? []) {
      const record = parseActionRunLine(event.message ?? '');
      if (record?.id === action.id && (!latest || (event.timestamp ?? 0) >= latest.at.getTime())) {
        latest = { ...record, at: new Date(event.timestamp ?? 0) };
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return latest;
}

async function withScheduler<T>(app: DeployedApp, use: (client: SchedulerClient) => Promise<T>): Promise<T> {
  const client = new SchedulerClient(app.region ? { region: app.region } : {});
  try {
    return await use(client);
  } catch (error) {
    if (error instanceof DeployedAppError) throw error;
    throw new DeployedAppError(
      describeAwsError(
        error,
        `operate the schedules of '${app.stackName}'`,
        'scheduler:ListSchedules, GetSchedule, UpdateSchedule and iam:PassRole on the invoker role',
      ),
    );
  } finally {
    client.destroy();
  }
}

async function withLogs<T>(app: DeployedApp, use: (client: CloudWatchLogsClient) => Promise<T>): Promise<T> {
  const client = new CloudWatchLogsClient(app.region ? { region: app.region } : {});
  try {
    return await use(client);
  } catch (error) {
    throw new DeployedAppError(describeAwsError(error, `read the logs of '${app.stackName}'`, 'logs:FilterLogEvents'));
  } finally {
    client.destroy();
  }
}
