/**
 * Operating a deployed app's actions: the exact Scheduler, CloudFormation and CloudWatch Logs requests, asserted at
 * the request level with aws-sdk-client-mock (no local server speaks these APIs), and what the owner reads.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_OUTPUT_ID, type DeployedAppManifest } from '../../lib/constructs/app-manifest';
import { readActionOverrides, recordActionOverride } from '../../lib/operate/action-overrides';
import { DeployedAppError } from '../../lib/operate/aws-errors';
import { findDeployedApp, type DeployedApp } from '../../lib/operate/deployed-app';
import { listDeployedActions, type ListOptions, setActionEnabled, setActionInterval } from '../../lib/operate/deployed-actions';
import { parseInterval } from '../../lib/spacefile/interval';
import { withScheduleInterval } from '../../lib/spacefile/schedule-description';

const cloudFormation = mockClient(CloudFormationClient);
const scheduler = mockClient(SchedulerClient);
const logs = mockClient(CloudWatchLogsClient);

const MANIFEST: DeployedAppManifest = {
  version: 1,
  appName: 'hello',
  url: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
  scheduleGroup: 'AppSchedules1234',
  accessLogGroup: 'AppRouterAccessLogs',
  micros: { web: { functionName: 'hello-web-fn', logGroup: '/aws/lambda/hello-web' } },
};
const APP: DeployedApp = { ...MANIFEST, stackName: 'spaceport-hello', region: 'eu-west-1' };
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:hello-web-fn';
const CREATED = new Date('2026-11-01T00:00:00Z');

/** A schedule as GetSchedule returns the one SpaceAction deploys. */
function schedule(name: string, id: string, source: string, state: 'ENABLED' | 'DISABLED' = 'ENABLED') {
  return {
    Name: name,
    GroupName: MANIFEST.scheduleGroup,
    Arn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/${MANIFEST.scheduleGroup}/${name}`,
    ScheduleExpression: parseInterval(source).eventBridgeExpression,
    ScheduleExpressionTimezone: 'Etc/UTC',
    Description: `Space action 'Tick' (${id}) of micro 'web': ${source}`,
    State: state,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    CreationDate: CREATED,
    Target: {
      Arn: FUNCTION_ARN,
      RoleArn: 'arn:aws:iam::123456789012:role/invoker',
      Input: JSON.stringify({ source: 'spaceport.action', event: { id, trigger: 'schedule' } }),
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' },
    },
  };
}

beforeEach(() => {
  cloudFormation.reset();
  scheduler.reset();
  logs.reset();
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: 'tickSchedule' }, { Name: 'nightlySchedule' }] });
  scheduler.on(GetScheduleCommand, { Name: 'tickSchedule' }).resolves(schedule('tickSchedule', 'tick', '5 minutes'));
  scheduler.on(GetScheduleCommand, { Name: 'nightlySchedule' }).resolves(schedule('nightlySchedule', 'nightly', '0 3 * * *', 'DISABLED'));
  logs.on(FilterLogEventsCommand).resolves({ events: [] });
});

afterEach(() => {
  cloudFormation.reset();
});

describe('finding the deployed app', () => {
  it('reads the manifest output of the stack', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'spaceport-hello' }).resolves({
      Stacks: [
        {
          StackName: 'spaceport-hello',
          CreationTime: CREATED,
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'AppRouterUrl1234', OutputValue: MANIFEST.url },
            { OutputKey: MANIFEST_OUTPUT_ID, OutputValue: JSON.stringify(MANIFEST) },
          ],
        },
      ],
    });
    await expect(findDeployedApp('spaceport-hello', 'eu-west-1')).resolves.toEqual(APP);
  });

  it('says what to do when the stack does not exist', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
    await expect(findDeployedApp('nope', 'eu-west-1')).rejects.toThrow(/no stack 'nope' in eu-west-1: deploy the app first .* or pass --stack/);
  });

  it('refuses a stack that is not a Spaceport app', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'other', CreationTime: CREATED, StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(findDeployedApp('other', 'eu-west-1')).rejects.toThrow(
      /stack 'other' is not a Spaceport app \(it has no SpaceportManifest output\)/,
    );
  });

  it('says how to give credentials when there are none', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));
    const error = await findDeployedApp('spaceport-hello', 'eu-west-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeployedAppError);
    expect((error as Error).message).toBe(
      "cannot read stack 'spaceport-hello': no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
    );
  });
});

describe('listing actions', () => {
  it('gives each action its micro, interval, state, next run and where each value comes from', async () => {
    const now = new Date('2026-11-29T10:02:30Z');
    const spacefileActions = [
      { id: 'tick', interval: parseInterval('5 minutes') },
      { id: 'nightly', interval: parseInterval('0 3 * * *') },
    ] as never;
    const actions = await listDeployedActions(APP, { spacefileActions, overrides: { nightly: { enabled: false } }, lastRun: false, now });
    expect(actions).toEqual([
      {
        id: 'nightly',
        micro: 'web',
        scheduleName: 'nightlySchedule',
        interval: '0 3 * * *',
        expression: 'cron(0 3 * * ? *)',
        intervalOrigin: 'spacefile',
        enabled: false,
        stateOrigin: 'override',
        nextRun: undefined,
      },
      {
        id: 'tick',
        micro: 'web',
        scheduleName: 'tickSchedule',
        interval: '5 minutes',
        expression: 'cron(0/5 * * * ? *)',
        intervalOrigin: 'spacefile',
        enabled: true,
        stateOrigin: 'spacefile',
        nextRun: new Date('2026-11-29T10:05:00Z'),
      },
    ]);
    expect(scheduler.commandCalls(ListSchedulesCommand)[0].args[0].input).toEqual({ GroupName: 'AppSchedules1234', NextToken: undefined });
  });

  it('flags a value changed outside Spaceport, which the next deploy would put back', async () => {
    scheduler
      .on(GetScheduleCommand, { Name: 'tickSchedule' })
      .resolves({ ...schedule('tickSchedule', 'tick', '5 minutes'), ScheduleExpression: 'rate(3 minutes)' });
    const [, tick] = await listDeployedActions(APP, {
      spacefileActions: [{ id: 'tick', interval: parseInterval('5 minutes') }] as never,
      lastRun: false,
    });
    expect(tick).toMatchObject({
      interval: undefined,
      expression: 'rate(3 minutes)',
      intervalOrigin: 'changed outside spaceport',
      nextRun: undefined,
    });
  });

  it("tells the console's interval from the records, with the Spacefile at hand or not, until an override records it", async () => {
    const changed = schedule('tickSchedule', 'tick', '7 minutes');
    scheduler
      .on(GetScheduleCommand, { Name: 'tickSchedule' })
      .resolves({ ...changed, Description: withScheduleInterval(changed.Description, '7 minutes', true) });
    const spacefileActions = [{ id: 'tick', interval: parseInterval('5 minutes') }] as never;
    const origin = async (options: Partial<ListOptions>): Promise<string | undefined> =>
      (await listDeployedActions(APP, { lastRun: false, ...options }))[1]?.intervalOrigin;
    expect(await origin({ spacefileActions })).toBe('console');
    expect(await origin({})).toBe('console');
    expect(await origin({ spacefileActions, overrides: { tick: { interval: '7 minutes' } } })).toBe('override');
    expect(await origin({ spacefileActions, overrides: { tick: { interval: '10 minutes' } } })).toBe('console');
  });

  it("finds each action's last run in its micro's log, from the adapter's run line", async () => {
    logs.on(FilterLogEventsCommand, { filterPattern: '"action tick:"' }).resolves({
      events: [
        { eventId: '1', timestamp: Date.parse('2026-11-29T09:55:00Z'), message: '[spaceport] action tick: ok 200 in 41 ms\n' },
        {
          eventId: '2',
          timestamp: Date.parse('2026-11-29T10:00:00Z'),
          message: '[spaceport] action tick: failed in 20012 ms: the app answered 500: boom\n',
        },
        { eventId: '3', timestamp: Date.parse('2026-11-29T10:01:00Z'), message: '[spaceport] action tick2: ok 200 in 3 ms\n' },
      ],
    });
    const now = new Date('2026-11-29T10:02:30Z');
    const [nightly, tick] = await listDeployedActions(APP, { now });
    expect(nightly.lastRun).toBeUndefined();
    expect(tick.lastRun).toEqual({
      id: 'tick',
      ok: false,
      durationMs: 20012,
      reason: 'the app answered 500: boom',
      at: new Date('2026-11-29T10:00:00Z'),
    });
    const call = logs.commandCalls(FilterLogEventsCommand, { filterPattern: '"action tick:"' })[0].args[0].input;
    expect(call).toEqual({
      logGroupName: '/aws/lambda/hello-web',
      filterPattern: '"action tick:"',
      startTime: now.getTime() - 2 * 86_400_000,
      nextToken: undefined,
    });
  });
});

describe('changing a live schedule', () => {
  it('pauses by sending the whole schedule back with State DISABLED (UpdateSchedule replaces every field)', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await setActionEnabled(APP, 'tick', false);
    const { Arn: _arn, CreationDate: _created, ...sent } = schedule('tickSchedule', 'tick', '5 minutes');
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input).toEqual({ ...sent, State: 'DISABLED' });
  });

  it('sets a new interval in Space syntax: the EventBridge expression and the description that records it', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await setActionInterval(APP, 'tick', parseInterval('0 */2 * * *'));
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input).toMatchObject({
      Name: 'tickSchedule',
      ScheduleExpression: 'cron(0 0/2 * * ? *)',
      Description: "Space action 'Tick' (tick) of micro 'web': 0 */2 * * *",
      State: 'ENABLED',
      Target: { Arn: FUNCTION_ARN },
    });
  });

  it('starts a rate no cron expresses on its grid, at a firing still to come, as SpaceAction deploys it', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const sevenMinutes = parseInterval('7 minutes');
    const before = Date.now();
    await setActionInterval(APP, 'tick', sevenMinutes);
    const start = scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input.StartDate!.getTime();
    expect(start).toBeGreaterThanOrEqual(before);
    expect(sevenMinutes.nextFiring(new Date(start - 1)).getTime()).toBe(start);
  });

  it('names an unknown action and the permission a refused call needed', async () => {
    await expect(setActionEnabled(APP, 'nope', false)).rejects.toThrow("stack 'spaceport-hello' has no action 'nope' (see spaceport actions)");
    scheduler.on(UpdateScheduleCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    await expect(setActionEnabled(APP, 'tick', false)).rejects.toThrow(
      /cannot operate the schedules of 'spaceport-hello': access denied \(needs scheduler:.*iam:PassRole/,
    );
  });
});

describe('overrides the next deploy keeps', () => {
  it('are merged into cdk.context.json without touching its other keys, and removed when back to the Spacefile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-overrides-'));
    writeFileSync(join(dir, 'cdk.context.json'), JSON.stringify({ 'availability-zones:account=1:region=eu-west-1': ['a'] }));
    recordActionOverride(dir, 'spaceport-hello', 'tick', { interval: '10 minutes' });
    recordActionOverride(dir, 'spaceport-hello', 'tick', { enabled: false });
    expect(readActionOverrides(dir, 'spaceport-hello')).toEqual({ tick: { interval: '10 minutes', enabled: false } });
    expect(readActionOverrides(dir, 'another-stack')).toEqual({});
    recordActionOverride(dir, 'spaceport-hello', 'tick', { interval: undefined, enabled: undefined });
    expect(JSON.parse(readFileSync(join(dir, 'cdk.context.json'), 'utf8'))).toEqual({ 'availability-zones:account=1:region=eu-west-1': ['a'] });
  });

  it('never overwrite a context file they cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-overrides-'));
    writeFileSync(join(dir, 'cdk.context.json'), '{ not json');
    expect(() => recordActionOverride(dir, 's', 'tick', { enabled: false })).toThrow(/cdk\.context\.json is not a JSON object; fix or remove it/);
    expect(readFileSync(join(dir, 'cdk.context.json'), 'utf8')).toBe('{ not json');
  });
});
