/**
 * The cloud console function as API Gateway invokes it (payload 2.0 events in, results out), over the cloud
 * backend: API keys, Base and Drive against dynalite and s3rver (the real protocols); EventBridge Scheduler, Lambda
 * and CloudWatch Logs at the request level with aws-sdk-client-mock, as no local server speaks them.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionSigner } from '../../lib/auth/session';
import { actionEvent } from '../../lib/core/action-event';
import { appActionEvent } from '../../lib/core/app-action-event';
import { MAX_BUFFERED_BODY_BYTES } from '../../lib/handlers/buffered-result';
import { DynamoDbApiKeyStore } from '../../lib/handlers/dynamodb-key-store';
import { driveObjectKey } from '../../lib/handlers/s3-drive-store';
import { cloudConsoleBackend, type CloudConsoleClients, type CloudConsoleConfig } from '../../lib/handlers/console-backend';
import { type ConsoleEvent, type ConsoleResult, createConsoleFunction } from '../../lib/handlers/console-handler';
import { parseInterval } from '../../lib/spacefile/interval';
import { startAwsServers, type AwsServers } from '../data/aws-servers';

const scheduler = mockClient(SchedulerClient);
const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);

const OWNER_SECRET = 'the-cloud-console-owner-secret';
const NOW = new Date('2026-11-29T10:02:30Z');
const HOST = 'abc.execute-api.eu-west-1.amazonaws.com';
const KEYS_TABLE = 'spaceport-keys';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:web-fn';

function config(servers: AwsServers): CloudConsoleConfig {
  return {
    app: {
      name: 'hello',
      url: `https://${HOST}/`,
      micros: [
        {
          name: 'web',
          path: '/',
          primary: true,
          engine: 'nodejs16',
          runtime: 'nodejs24.x',
          publicRoutes: ['/public/*'],
          apiKeys: true,
          provideActions: true,
        },
      ],
    },
    actions: [{ id: 'tick', name: 'Tick', micro: 'web' }],
    scheduleNames: ['tick-schedule'],
    micros: { web: { functionName: 'web-fn', logGroup: '/aws/lambda/web' } },
    scheduleGroup: 'G',
    accessLogGroup: 'access',
    keysTable: KEYS_TABLE,
    data: { table: servers.tableName, bucket: servers.bucketName, projectId: 'a0abcyxz' },
  };
}

/** A schedule as GetSchedule returns the one SpaceAction deploys. */
function deployedSchedule(description = "Space action 'Tick' (tick) of micro 'web': 5 minutes") {
  return {
    Name: 'tick-schedule',
    GroupName: 'G',
    ScheduleExpression: parseInterval('5 minutes').eventBridgeExpression,
    ScheduleExpressionTimezone: 'Etc/UTC',
    Description: description,
    State: 'ENABLED' as const,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Target: { Arn: FUNCTION_ARN, RoleArn: 'arn:aws:iam::123456789012:role/invoker', Input: JSON.stringify(actionEvent('tick')) },
  };
}

let servers: AwsServers;

/** DynamoDB and S3 clients of the local servers; Scheduler, Lambda and CloudWatch Logs as mocked above. */
function clients(): CloudConsoleClients {
  return {
    dynamodb: servers.dynamodb,
    s3: servers.s3,
    scheduler: new SchedulerClient({}),
    lambda: new LambdaClient({}),
    logs: new CloudWatchLogsClient({}),
  };
}
let invoke: (event: ConsoleEvent) => Promise<ConsoleResult>;
const cookie = `spaceport_session=${new SessionSigner(OWNER_SECRET, true).issueCookie(NOW.getTime()).split(';')[0]!.split('=').slice(1).join('=')}`;

beforeAll(async () => {
  servers = await startAwsServers();
  await servers.dynamodb.send(
    new CreateTableCommand({
      TableName: KEYS_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'hash', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'hash', KeyType: 'HASH' }],
    }),
  );
  const backend = cloudConsoleBackend(config(servers), clients(), () => NOW);
  invoke = createConsoleFunction({ backend, readOwnerSecret: async () => OWNER_SECRET, now: () => NOW.getTime() });
}, 60_000);

afterAll(async () => servers?.close());

beforeEach(() => {
  for (const mock of [scheduler, lambda, logs]) mock.reset();
  let live = deployedSchedule();
  scheduler.on(GetScheduleCommand, { Name: 'tick-schedule', GroupName: 'G' }).callsFake(() => live);
  scheduler.on(UpdateScheduleCommand).callsFake((input) => {
    live = { ...live, ...input };
    return { ScheduleArn: 'arn' };
  });
  logs.on(FilterLogEventsCommand).resolves({ events: [] });
});

/** A payload 2.0 event as API Gateway sends the console route, from the owner's browser unless told otherwise. */
function event(method: string, target: string, options: { body?: Buffer; contentType?: string; cookies?: string[] } = {}): ConsoleEvent {
  const [rawPath, rawQueryString = ''] = target.split('?') as [string, string?];
  const headers: Record<string, string> = { host: HOST, accept: 'text/html' };
  if (method === 'POST')
    Object.assign(headers, {
      origin: `https://${HOST}`,
      'sec-fetch-site': 'same-origin',
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    });
  return {
    rawPath,
    rawQueryString,
    cookies: options.cookies ?? [cookie],
    headers,
    requestContext: { http: { method } },
    body: options.body?.toString('base64'),
    isBase64Encoded: options.body !== undefined,
  };
}

async function get(target: string): Promise<ConsoleResult> {
  return invoke(event('GET', target));
}

async function csrf(): Promise<string> {
  const page = await get('/__space/keys');
  return /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
}

async function post(path: string, fields: Record<string, string>): Promise<ConsoleResult> {
  return invoke(event('POST', path, { body: Buffer.from(new URLSearchParams({ ...fields, csrf: await csrf() }).toString()) }));
}

describe('the cloud console function', () => {
  it("answers only the owner's session itself too: none, forged or stale is sent to sign in", async () => {
    const stale = `spaceport_session=${new SessionSigner(OWNER_SECRET, true)
      .issueCookie(NOW.getTime() - 8 * 86_400_000)
      .split(';')[0]!
      .split('=')
      .slice(1)
      .join('=')}`;
    for (const cookies of [[], ['spaceport_session=forged.token'], [stale]]) {
      const answer = await invoke(event('GET', '/__space/', { cookies }));
      expect(answer.statusCode).toBe(302);
      expect(answer.headers.location).toBe('/__space/signin?next=%2F__space%2F');
    }
    const overview = await get('/__space/');
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('hello');
    expect(overview.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a cross-site form post, even with the owner cookie and a valid token, and changes nothing', async () => {
    const crossSite = event('POST', '/__space/keys/create', {
      body: Buffer.from(new URLSearchParams({ name: 'evil', csrf: await csrf() }).toString()),
    });
    const refused = await invoke({ ...crossSite, headers: { ...crossSite.headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(refused.statusCode).toBe(403);
    expect((await new DynamoDbApiKeyStore(KEYS_TABLE, servers.dynamodb).list()).map((key) => key.name)).not.toContain('evil');
  });

  it('creates an API key in the keys table (shown once), lists it and deletes it', async () => {
    const created = await post('/__space/keys/create', { name: 'ci', micro: '' });
    expect(created.statusCode).toBe(200);
    const key = /spk_[A-Za-z0-9_-]{43}/.exec(created.body)?.[0];
    expect(key).toBeDefined();
    const store = new DynamoDbApiKeyStore(KEYS_TABLE, servers.dynamodb);
    expect(await store.find(key!)).toMatchObject({ name: 'ci' });
    expect((await get('/__space/keys')).body).not.toContain(key);
    expect((await get('/__space/keys')).body).toContain('ci');
    const deleted = await post('/__space/keys/delete', { name: 'ci' });
    expect(deleted.statusCode).toBe(200);
    expect(await store.find(key!)).toBeUndefined();
  });

  it("saves, queries and deletes a Base item in the app's table", async () => {
    const saved = await post('/__space/data/item', { base: 'notes', item: JSON.stringify({ key: 'n1', title: 'cloud' }) });
    expect(saved.statusCode).toBe(200);
    expect((await get('/__space/data')).body).toContain('notes');
    const queried = await get(`/__space/data/base?base=notes&query=${encodeURIComponent('{"title":"cloud"}')}`);
    expect(queried.body).toContain('n1');
    await post('/__space/data/item/delete', { base: 'notes', key: 'n1' });
    expect((await get('/__space/data/base?base=notes')).body).not.toContain('n1');
  });

  it("uploads a binary file to the app's bucket and downloads the same bytes, base64 in the result", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const form = new FormData();
    form.set('drive', 'photos');
    form.set('name', 'raw.bin');
    form.set('csrf', await csrf());
    form.set('file', new Blob([bytes], { type: 'application/octet-stream' }), 'raw.bin');
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const uploaded = await invoke(event('POST', '/__space/data/upload', { body, contentType: encoded.headers.get('content-type')! }));
    expect(uploaded.statusCode).toBe(200);
    const downloaded = await get('/__space/data/file?drive=photos&name=raw.bin');
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.isBase64Encoded).toBe(true);
    expect(Buffer.from(downloaded.body, 'base64')).toEqual(bytes);
    expect(downloaded.headers['content-disposition']).toContain('raw.bin');
  });

  it('refuses a download larger than a Lambda response can carry, and says how else to get it', async () => {
    const name = 'big.bin';
    await servers.s3.send(
      new PutObjectCommand({
        Bucket: servers.bucketName,
        Key: driveObjectKey({ projectId: 'a0abcyxz', drive: 'photos' }, name),
        Body: Buffer.alloc(MAX_BUFFERED_BODY_BYTES + 1),
      }),
    );
    const refused = await get(`/__space/data/file?drive=photos&name=${name}`);
    expect(refused.statusCode).toBe(413);
    expect(refused.body).toMatch(/larger than the 4 MiB a Lambda response can carry: download it with a Deta SDK/);
  });

  it('lists the actions from their schedules by name, without listing the group', async () => {
    logs.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/web', filterPattern: '"action tick:"' }).resolves({
      events: [{ eventId: '1', timestamp: Date.parse('2026-11-29T10:00:00Z'), message: '[spaceport] action tick: ok 200 in 41 ms\n' }],
    });
    const page = await get('/__space/actions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Tick');
    expect(page.body).toContain('5 minutes');
    expect(scheduler.commandCalls(ListSchedulesCommand)).toHaveLength(0);
    expect(scheduler.commandCalls(GetScheduleCommand)[0]!.args[0].input).toEqual({ Name: 'tick-schedule', GroupName: 'G' });
  });

  it('pauses and re-schedules an action, marking the schedule as changed in the console', async () => {
    expect((await post('/__space/actions/pause', { id: 'tick' })).statusCode).toBe(200);
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toMatchObject({
      Name: 'tick-schedule',
      GroupName: 'G',
      State: 'DISABLED',
      Description: "Space action 'Tick' (tick) of micro 'web' (changed in the console): 5 minutes",
      Target: { Arn: FUNCTION_ARN },
    });
    expect((await post('/__space/actions/interval', { id: 'tick', interval: '10 minutes' })).statusCode).toBe(200);
    expect(scheduler.commandCalls(UpdateScheduleCommand)[1]!.args[0].input).toMatchObject({
      ScheduleExpression: 'cron(0/10 * * * ? *)',
      State: 'DISABLED',
      Description: "Space action 'Tick' (tick) of micro 'web' (changed in the console): 10 minutes",
    });
  });

  it('refuses an interval Space would have refused, naming it, and changes nothing', async () => {
    const refused = await post('/__space/actions/interval', { id: 'tick', interval: '30 seconds' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/30 seconds/);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it("runs an action now by invoking the micro's function with the event its schedule sends", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify({ statusCode: 200, body: 'done' })) as never });
    const ran = await post('/__space/actions/run', { id: 'tick' });
    expect(ran.statusCode).toBe(200);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'web-fn', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual(actionEvent('tick'));
  });
});

describe('the cloud backend parts behind the pages', () => {
  const backend = () => cloudConsoleBackend(config(servers), clients(), () => NOW);

  it('says an app deployed with data: false keeps no data, and lists none', async () => {
    const { data: _data, ...withoutData } = config(servers);
    const { data } = cloudConsoleBackend(withoutData, clients());
    expect(await data.catalog.baseNames(data.projectId)).toEqual([]);
    await expect(data.base.get({ projectId: '', base: 'notes' }, 'k')).rejects.toThrow('This app keeps no data: it was deployed with data: false');
    await expect(data.drive.list({ projectId: '', drive: 'd' }, {} as never)).rejects.toMatchObject({ status: 404 });
  });

  it("calls a micro's App Actions with the App Action event and reads its payload 2.0 answer", async () => {
    lambda.on(InvokeCommand).resolves({
      Payload: Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"actions":[]}' })) as never,
    });
    const reply = await backend().micros.call('web', 'POST', '/__space/actions/greet', { name: 'x' });
    expect(reply).toEqual({ status: 200, contentType: 'application/json', body: Buffer.from('{"actions":[]}') });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual(appActionEvent('POST', '/__space/actions/greet', { name: 'x' }));
  });

  it('answers 502 with the reason when the micro failed, and refuses a micro the app does not have', async () => {
    lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorMessage: 'boom' })) as never });
    const reply = await backend().micros.call('web', 'GET', '/__space/actions');
    expect(reply.status).toBe(502);
    expect(reply.body.toString()).toBe("micro 'web' failed: Unhandled: boom");
    await expect(backend().micros.call('nope', 'GET', '/__space/actions')).rejects.toThrow("the app has no micro 'nope'");
  });

  it('reads the most recent lines of every log group, oldest first, widening the window until it has enough', async () => {
    const at = (minutesAgo: number) => NOW.getTime() - minutesAgo * 60_000;
    logs.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/web' }).callsFake((input: { startTime: number; endTime: number }) => ({
      events: [
        { eventId: 'a', timestamp: at(60), message: 'older line\n' },
        { eventId: 'b', timestamp: at(5), message: 'START RequestId: 1 Version: $LATEST' },
        { eventId: 'c', timestamp: at(3), message: 'recent line\n' },
      ].filter((event) => event.timestamp >= input.startTime && event.timestamp <= input.endTime),
    }));
    logs.on(FilterLogEventsCommand, { logGroupName: 'access' }).callsFake((input: { startTime: number; endTime: number }) => ({
      events: [{ eventId: 'r', timestamp: at(2), message: JSON.stringify({ httpMethod: 'GET', routeKey: 'ANY /', status: '200' }) }].filter(
        (event) => event.timestamp >= input.startTime && event.timestamp <= input.endTime,
      ),
    }));
    const lines = await backend().logs.recent({ limit: 3 });
    expect(lines).toEqual([
      { at: new Date(at(60)), source: 'web', message: 'older line' },
      { at: new Date(at(3)), source: 'web', message: 'recent line' },
      { at: new Date(at(2)), source: 'router', message: 'GET ANY / -> 200' },
    ]);
    expect(await backend().logs.recent({ limit: 1, source: 'web' })).toEqual([{ at: new Date(at(3)), source: 'web', message: 'recent line' }]);
    await expect(backend().logs.recent({ limit: 1, source: 'nope' })).rejects.toThrow("'nope' is not a micro of this app, nor 'router'");
  });
});
