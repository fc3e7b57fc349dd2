/**
 * The deployed app's scheduled actions as EventBridge Scheduler runs them (lib/handlers/action-schedules.ts, shared
 * with the console function), listed with where each value comes from, paused, resumed and given a new interval
 * with the owner's credentials; `spaceport actions` records every change as an override the next deploy keeps
 * (`action-overrides.ts`).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Interval } from '../spacefile/interval';
import type { ActionOverride, ScheduledAction } from '../spacefile/model';
import type { ActionRunRecord } from '../core/action-log';
import {
  lastActionRun,
  NoSuchActionError,
  readActionSchedules,
  tryParse,
  updateActionSchedule,
  type ActionSchedule,
  type ScheduleChange,
} from '../handlers/action-schedules';
import { DeployedAppError, describeAwsError } from './aws-errors';
import type { DeployedApp } from './deployed-app';

/** Where a deployed value comes from, so the owner knows what the next deploy will do with it. */
export type ValueOrigin =
  /** The Spacefile's value, deployed as written. */
  | 'spacefile'
  /** An owner override recorded in cdk.context.json: the next deploy keeps it. */
  | 'override'
  /** Changed in the owner's console (`/__space/`): `spaceport actions keep` records it so the next deploy keeps it. */
  | 'console'
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
  const schedules = await withScheduler(app, (client) => readActionSchedules({ client, group: app.scheduleGroup }));
  const now = options.now ?? new Date();
  const actions = schedules.map((schedule) => describeSchedule(app, schedule, options, now));
  if (options.lastRun === false) return actions;
  return withLogs(app, (logs) =>
    Promise.all(
      actions.map(async (action) => {
        const logGroup = app.micros[action.micro]?.logGroup;
        return { ...action, lastRun: logGroup ? await lastActionRun(logs, logGroup, action.id, now) : undefined };
      }),
    ),
  );
}

/** Pauses (`enabled: false`) or resumes an action's live schedule. */
export async function setActionEnabled(app: DeployedApp, id: string, enabled: boolean): Promise<void> {
  await updateSchedule(app, id, { enabled });
}

/**
 * Gives an action's live schedule a new interval (already parsed, so it is valid Space syntax); `reset` also clears
 * the console's mark, as the schedule is then the Spacefile's again.
 */
export async function setActionInterval(app: DeployedApp, id: string, interval: Interval, options: { readonly reset?: boolean } = {}): Promise<void> {
  await updateSchedule(app, id, { interval, ...(options.reset ? { changedInConsole: false } : {}) });
}

function describeSchedule(app: DeployedApp, schedule: ActionSchedule, options: ListOptions, now: Date): DeployedAction {
  const { id, expression, enabled } = schedule;
  const override = options.overrides?.[id];
  const declared = options.spacefileActions?.find((action) => action.id === id)?.interval.source;
  // The Space syntax behind the live expression: the override's, the Spacefile's, or what the deploy wrote.
  const candidates = [override?.interval, declared, schedule.description.interval];
  const interval = candidates.map(tryParse).find((parsed) => parsed?.eventBridgeExpression === expression);
  // A value no record explains: the console's, when it marked the schedule, else someone else's.
  const unrecorded: ValueOrigin = schedule.description.changedInConsole ? 'console' : 'changed outside spaceport';
  // The record the live interval should match: the override, else the Spacefile, taken on trust when not at hand.
  const [recordOrigin, recorded]: [ValueOrigin, string | undefined] =
    override?.interval !== undefined ? ['override', override.interval] : ['spacefile', declared];
  const intervalOrigin: ValueOrigin =
    recorded === undefined
      ? schedule.description.changedInConsole
        ? 'console'
        : 'spacefile'
      : interval?.source === recorded
        ? recordOrigin
        : unrecorded;
  const expectedEnabled = override?.enabled ?? true;
  const stateOrigin: ValueOrigin = enabled !== expectedEnabled ? unrecorded : override?.enabled !== undefined ? 'override' : 'spacefile';
  return {
    id,
    micro: Object.entries(app.micros).find(([, micro]) => micro.functionName === schedule.functionName)?.[0] ?? '?',
    scheduleName: schedule.scheduleName,
    interval: interval?.source,
    expression,
    intervalOrigin,
    enabled,
    stateOrigin,
    nextRun: enabled && interval ? interval.nextFiring(now) : undefined,
  };
}

/** A change made with the owner's credentials, which `spaceport actions` records (the console's mark stays: it explains other values). */
async function updateSchedule(app: DeployedApp, id: string, change: ScheduleChange): Promise<void> {
  await withScheduler(app, async (client) => {
    try {
      await updateActionSchedule({ client, group: app.scheduleGroup }, id, change);
    } catch (error) {
      if (error instanceof NoSuchActionError) throw new DeployedAppError(`stack '${app.stackName}' has no action '${id}' (see spaceport actions)`);
      throw error;
    }
  });
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
