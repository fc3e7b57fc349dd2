/** `spaceport logs`: every micro's log group and the access log merged in time order, rendered as dev prints them. */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeployedApp } from '../../lib/operate/deployed-app';
import { readLogs } from '../../lib/operate/logs';
import { renderEvent } from '../../lib/handlers/log-lines';
import { actionRunMessage, parseActionRunLine } from '../../lib/core/action-log';

const logs = mockClient(CloudWatchLogsClient);
const APP: DeployedApp = {
  version: 1,
  appName: 'hello',
  url: 'https://x/',
  accessLogGroup: 'access',
  micros: { web: { functionName: 'web-fn', logGroup: 'web-logs' }, api: { functionName: 'api-fn', logGroup: 'api-logs' } },
  stackName: 'spaceport-hello',
};

beforeEach(() => logs.reset());

describe('rendering a log event', () => {
  it("keeps the app's own lines and reduces Lambda's JSON records to what spaceport dev shows", () => {
    expect(renderEvent('web', 'listening on 8080\n')).toBe('listening on 8080');
    expect(renderEvent('web', JSON.stringify({ timestamp: 't', level: 'ERROR', message: 'boom\n' }))).toBe('ERROR boom');
    expect(renderEvent('web', JSON.stringify({ type: 'platform.initStart', record: { runtimeVersion: 'nodejs:24.v3' } }))).toBe(
      'cold start (nodejs:24.v3)',
    );
    expect(
      renderEvent(
        'web',
        JSON.stringify({
          type: 'platform.report',
          record: { status: 'timeout', metrics: { durationMs: 20000, maxMemoryUsedMB: 88, initDurationMs: 150 } },
        }),
      ),
    ).toBe('invocation TIMEOUT: 20000 ms, init 150 ms, 88 MB');
    expect(renderEvent('web', JSON.stringify({ type: 'platform.start', record: {} }))).toBeUndefined();
    expect(renderEvent('web', 'START RequestId: 1 Version: $LATEST')).toBeUndefined();
    expect(renderEvent('router', JSON.stringify({ httpMethod: 'GET', resourcePath: '/api/{proxy+}', status: '403' }))).toBe(
      'GET /api/{proxy+} -> 403',
    );
  });

  it('reads back the action run lines both adapters write', () => {
    const ok = { id: 'clean up: old', ok: true, statusCode: 204, durationMs: 12 };
    expect(parseActionRunLine(`[spaceport] ${actionRunMessage(ok)}`)).toEqual(ok);
    const failed = { id: 'tick', ok: false, durationMs: 20000, reason: 'the app answered 500: {"a": 1}' };
    expect(parseActionRunLine(`[spaceport] ${actionRunMessage(failed)}\n`)).toEqual(failed);
    expect(parseActionRunLine('[spaceport] the app exited with code 1')).toBeUndefined();
  });
});

describe('reading the logs', () => {
  it('merges the chosen groups in time order and prefixes each line with its micro', async () => {
    logs.on(FilterLogEventsCommand, { logGroupName: 'web-logs' }).resolves({
      events: [
        { eventId: 'w1', timestamp: 1000, message: 'web first' },
        { eventId: 'w2', timestamp: 3000, message: 'web third' },
      ],
    });
    logs.on(FilterLogEventsCommand, { logGroupName: 'access' }).resolves({
      events: [{ eventId: 'a1', timestamp: 2000, message: JSON.stringify({ httpMethod: 'GET', resourcePath: '/', status: '200' }) }],
    });
    const lines: string[] = [];
    await readLogs(APP, { sources: ['web', 'router'], startTime: 500, write: (source, text) => lines.push(`${source}: ${text}`) });
    expect(lines).toEqual(['web: web first', 'router: GET / -> 200', 'web: web third']);
    expect(
      logs
        .commandCalls(FilterLogEventsCommand)
        .map((call) => call.args[0].input.logGroupName)
        .sort(),
    ).toEqual(['access', 'web-logs']);
    expect(logs.commandCalls(FilterLogEventsCommand).every((call) => call.args[0].input.startTime === 500)).toBe(true);
  });

  it('follows: asks again from the newest event and prints each event once', async () => {
    logs
      .on(FilterLogEventsCommand, { logGroupName: 'api-logs' })
      .resolvesOnce({ events: [{ eventId: 'e1', timestamp: 1000, message: 'one' }] })
      .resolves({
        events: [
          { eventId: 'e1', timestamp: 1000, message: 'one' },
          { eventId: 'e2', timestamp: 1000, message: 'two, same millisecond' },
        ],
      });
    const stop = new AbortController();
    const lines: string[] = [];
    await readLogs(APP, {
      sources: ['api'],
      startTime: 0,
      follow: true,
      pollMs: 1,
      signal: stop.signal,
      write: (_source, text) => {
        lines.push(text);
        if (lines.length === 2) stop.abort();
      },
    });
    expect(lines).toEqual(['one', 'two, same millisecond']);
    expect(logs.commandCalls(FilterLogEventsCommand)[1].args[0].input.startTime).toBe(1000);
  });

  it('names an unknown micro and the micros there are', async () => {
    await expect(readLogs(APP, { sources: ['wbe'], startTime: 0, write: () => {} })).rejects.toThrow(
      "'wbe' is not a micro of 'hello' (choose from web, api, router)",
    );
  });
});
