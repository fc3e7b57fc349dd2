/**
 * `spaceport actions` as the owner types it: against the deployed app (Scheduler requests asserted with
 * aws-sdk-client-mock, overrides written where the next deploy reads them), and with --local against a real
 * `spaceport dev` of the example app.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { actionsCommand } from '../../lib/cli/actions';
import { MANIFEST_OUTPUT_ID } from '../../lib/constructs/app-manifest';
import { parseInterval } from '../../lib/spacefile/interval';
import { loadSpacefile } from '../../lib/spacefile/load';
import { capture, startTestDev, type TestDev } from '../dev/dev-helpers';
import { FakeClock } from '../dev/fake-clock';

const HELLO = resolve(__dirname, '../../examples/hello/Spacefile');

afterEach(() => vi.restoreAllMocks());

describe('on the deployed app', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const scheduler = mockClient(SchedulerClient);
  const logs = mockClient(CloudWatchLogsClient);
  const manifest = {
    version: 1,
    appName: 'hello',
    url: 'https://x/',
    scheduleGroup: 'G',
    accessLogGroup: 'access',
    micros: { web: { functionName: 'web-fn', logGroup: 'web-logs' } },
  };
  const DEPLOYED = "Space action 'Tick' (tick) of micro 'web': * * * * *";
  let live = { expression: parseInterval('* * * * *').eventBridgeExpression, state: 'ENABLED', description: DEPLOYED };
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'spaceport-deploy-dir-'));
    writeFileSync(join(cwd, 'cdk.json'), '{"app": "node dist/bin/cdk-app.js"}');
    vi.spyOn(process, 'cwd').mockReturnValue(cwd);
    live = { expression: parseInterval('* * * * *').eventBridgeExpression, state: 'ENABLED', description: DEPLOYED };
    for (const mock of [cloudFormation, scheduler, logs]) mock.reset();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'spaceport-hello' }).resolves({
      Stacks: [
        {
          StackName: 'spaceport-hello',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [{ OutputKey: MANIFEST_OUTPUT_ID, OutputValue: JSON.stringify(manifest) }],
        },
      ],
    });
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: 'tick-schedule' }] });
    scheduler.on(GetScheduleCommand).callsFake(() => ({
      Name: 'tick-schedule',
      GroupName: 'G',
      ScheduleExpression: live.expression,
      State: live.state,
      Description: live.description,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:1:function:web-fn',
        RoleArn: 'r',
        Input: JSON.stringify({ source: 'spaceport.action', event: { id: 'tick', trigger: 'schedule' } }),
      },
    }));
    scheduler.on(UpdateScheduleCommand).callsFake((input: { ScheduleExpression: string; State: string; Description: string }) => {
      live = { expression: input.ScheduleExpression, state: input.State, description: input.Description };
      return { ScheduleArn: 'arn' };
    });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
  });

  const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out = capture(process.stdout);
    const err = capture(process.stderr);
    const code = await actionsCommand.run([...args, '--spacefile', HELLO, '--region', 'eu-west-1']);
    vi.restoreAllMocks();
    vi.spyOn(process, 'cwd').mockReturnValue(cwd);
    return { code, out: out(), err: err() };
  };

  it('pauses, re-schedules and resets an action, recording each change where the next deploy reads it', async () => {
    const paused = await run('pause', 'tick');
    expect(paused.code).toBe(0);
    expect(paused.out).toBe('action tick: paused\n');
    expect(paused.err).toBe('Recorded in cdk.context.json: the next deploy keeps it.\n');
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input).toMatchObject({
      Name: 'tick-schedule',
      GroupName: 'G',
      State: 'DISABLED',
    });
    const context = () => JSON.parse(readFileSync(join(cwd, 'cdk.context.json'), 'utf8'));
    expect(context()).toEqual({ 'actions:spaceport-hello': { tick: { enabled: false } } });

    const set = await run('set', 'tick', '10 minutes');
    expect(set.out).toBe('action tick: 10 minutes (cron(0/10 * * * ? *), UTC)\n');
    expect(context()).toEqual({ 'actions:spaceport-hello': { tick: { enabled: false, interval: '10 minutes' } } });

    const listed = await run('list');
    expect(listed.out).toMatch(/^ID +MICRO +INTERVAL +EVENTBRIDGE \(UTC\) +STATE +NEXT RUN +LAST RUN\n/);
    expect(listed.out).toMatch(/^tick +web +10 minutes \[override\] +cron\(0\/10 \* \* \* \? \*\) +paused \[override\] +- +-$/m);

    const reset = await run('reset', 'tick');
    expect(reset.out).toBe('action tick: * * * * * (cron(* * * * ? *), UTC), running\n');
    expect(live).toEqual({ expression: 'cron(* * * * ? *)', state: 'ENABLED', description: DEPLOYED });
    expect(context()).toEqual({});
  });

  it("reports changes made in the owner's console and keeps them on request, for the next deploy", async () => {
    live = {
      expression: parseInterval('15 minutes').eventBridgeExpression,
      state: 'DISABLED',
      description: "Space action 'Tick' (tick) of micro 'web' (changed in the console): 15 minutes",
    };
    const listed = await run('list');
    expect(listed.out).toMatch(/^tick +web +15 minutes \[console\] +cron\(0\/15 \* \* \* \? \*\) +paused \[console\] /m);
    expect(listed.err).toMatch(/'spaceport actions keep' records them/);
    expect(existsSync(join(cwd, 'cdk.context.json'))).toBe(false);

    const kept = await run('keep');
    expect(kept.out).toBe('action tick: kept 15 minutes, paused\n');
    expect(JSON.parse(readFileSync(join(cwd, 'cdk.context.json'), 'utf8'))).toEqual({
      'actions:spaceport-hello': { tick: { enabled: false, interval: '15 minutes' } },
    });
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    const again = await run('list');
    expect(again.out).toMatch(/^tick +web +15 minutes \[override\] +.+ +paused \[override\] /m);
    expect((await run('keep')).err).toMatch(/No action has a change from the owner's console/);
    await run('reset', 'tick');
    expect(live.description).toBe(DEPLOYED);
  });

  it('refuses an interval Space would have refused, and changes nothing', async () => {
    await expect(run('set', 'tick', '30 seconds')).rejects.toThrow(/interval "30 seconds": unit "seconds" is not minute\(s\), hour\(s\) or day\(s\)/);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    await expect(run('pause', 'tock')).rejects.toThrow("stack 'spaceport-hello' has no action 'tock' (actions: tick)");
    await expect(run('frobnicate')).rejects.toThrow(/expected list, run, pause, resume, set, reset, keep; got 'frobnicate'/);
  });
});

describe('with --local, on the running spaceport dev', () => {
  let dev: TestDev;
  const clock = new FakeClock(Date.parse('2026-11-29T10:00:30Z'));

  beforeAll(async () => {
    dev = await startTestDev({ app: loadSpacefile(HELLO), clock });
  });
  afterAll(() => dev?.server.stop());

  const run = async (...args: string[]): Promise<{ code: number; out: string }> => {
    const out = capture(process.stdout);
    capture(process.stderr);
    const code = await actionsCommand.run([...args, '--local', '--port', String(dev.server.port)]);
    vi.restoreAllMocks();
    return { code, out: out() };
  };

  it('lists, pauses, runs and resumes an action with the same verbs', async () => {
    const listed = await run('list');
    expect(listed.out).toMatch(/^tick +web +\* \* \* \* \* +running +2026-11-29T10:01:00\.000Z +-$/m);

    expect((await run('pause', 'tick')).out).toBe('action tick: paused until spaceport dev stops\n');
    expect((await run('list')).out).toMatch(/^tick +web +\* \* \* \* \* +paused +- +-$/m);
    clock.advance(5 * 60_000);
    expect(dev.logs()).not.toMatch(/action tick \(schedule\)/);

    const ran = await run('run', 'tick');
    expect(ran).toMatchObject({ code: 0, out: expect.stringMatching(/^action tick: ok \(200\) in \d+ ms\n$/) });
    expect((await run('list')).out).toMatch(/^tick +web +\* \* \* \* \* +paused +- +\S+Z ok 200$/m);

    expect((await run('resume', 'tick')).out).toBe('action tick: resumed until spaceport dev stops\n');
    expect((await run('list')).out).toMatch(/^tick +web +\* \* \* \* \* +running +2026-11-29T10:06:00\.000Z/m);
  });

  it('says that locally the Spacefile is the schedule', async () => {
    await expect(run('set', 'tick', '5 minutes')).rejects.toThrow(/locally the Spacefile is the schedule/);
  });
});
