/** The example app end to end: real HTTP through the dev router, the emulator and the adapter, every micro. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { type TestDev, eventually, isAlive, startTestDev } from './dev-helpers';
import { FakeClock } from './fake-clock';

const START = Date.UTC(2024, 0, 1, 12, 0, 30);
const clock = new FakeClock(START);
let dev: TestDev;

beforeAll(async () => {
  dev = await startTestDev({
    app: loadSpacefile(join(__dirname, '../../examples/hello/Spacefile')),
    clock,
    env: new Map([['GREETING', 'Hello from the test']]),
  });
});
afterAll(async () => {
  await dev?.server.stop();
});

describe('spaceport dev on examples/hello', () => {
  it('serves the Node primary with the Space environment and --env presets', async () => {
    const hello = await dev.get('/public/hello');
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ message: 'Hello from the test', micro: 'web' });
    const env = await (await dev.get('/env')).json();
    expect(env).toMatchObject({
      DETA_SPACE_APP: 'true',
      DETA_RUNTIME: 'true',
      DETA_SPACE_APP_VERSION: 'dev',
      DETA_SPACE_APP_HOSTNAME: `localhost:${dev.server.port}`,
      DETA_SPACE_APP_MICRO_NAME: 'web',
      DETA_SPACE_APP_MICRO_TYPE: 'primary',
    });
    expect(env.DETA_PROJECT_KEY).toMatch(/^[a-z0-9]{8}_\*\*\*$/);
    expect(env.DETA_API_KEY).toBe('***');
    expect(dev.logs()).toMatch(/web +\| GET \/public\/hello 200 \d+ ms cold/);
    expect(dev.logs()).toMatch(/web +\| GET \/env 200 \d+ ms warm/);
  });

  it('serves the Python micro at /api with its prefix stripped', async () => {
    const response = await dev.get('/api/items?x=1&x=2');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ micro: 'api', path: '/items', query: { x: ['1', '2'] } });
    expect(await (await dev.get('/api')).json()).toMatchObject({ path: '/' });
  });

  it('serves the static micro at /docs', async () => {
    const response = await dev.get('/docs/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('never lets a request reach a micro under /__space/', async () => {
    const response = await dev.get('/__space/v0/actions', { method: 'POST', body: '{"event":{"id":"tick","trigger":"schedule"}}' });
    expect(response.status).toBe(404);
  });

  it('fires actions on schedule (UTC minutes) through the action event', async () => {
    expect(dev.server.upcoming().map(({ action, next }) => [action.id, next.toISOString()])).toEqual([
      ['tick', '2024-01-01T12:01:00.000Z'],
      ['cleanup', '2024-01-01T13:00:00.000Z'],
    ]);
    clock.advance(30_000);
    const runs = await eventually(async () => {
      const { runs } = await (await dev.get('/actions')).json();
      return runs.length > 0 ? runs : undefined;
    }, 'the scheduled tick to reach the web micro');
    expect(runs[0]).toMatchObject({ id: 'tick', trigger: 'schedule' });
    expect(dev.logs()).toMatch(/web +\| action tick \(schedule\) ok 200/);
    expect(dev.server.upcoming()[0].next.toISOString()).toBe('2024-01-01T12:02:00.000Z');
  });

  it('runs an action by hand through the trigger endpoint', async () => {
    const response = await dev.get('/__space/dev/actions/cleanup', { method: 'POST' });
    const outcome = await response.json();
    expect(outcome).toMatchObject({ id: 'cleanup', micro: 'api', ok: true, statusCode: 200 });
    expect(JSON.parse(outcome.body)).toMatchObject({ ok: true, id: 'cleanup', trigger: 'schedule' });
    const { actions } = await (await dev.get('/__space/dev/actions')).json();
    expect(actions).toContainEqual(
      expect.objectContaining({ id: 'cleanup', nextRun: '2024-01-01T13:00:00.000Z', lastRun: expect.objectContaining({ ok: true }) }),
    );
    expect(actions).toContainEqual(expect.objectContaining({ id: 'tick', paused: false }));
  });

  it('keeps a note in Deta Base and its text in Deta Drive from the Python micro', async () => {
    const created = await dev.get('/api/notes', { method: 'POST', body: JSON.stringify({ title: 'groceries', text: 'milk, eggs' }) });
    expect(created.status).toBe(201);
    const note = await created.json();
    expect(note).toEqual({ key: expect.stringMatching(/^[a-z0-9]{12}$/), title: 'groceries', at: expect.any(String) });
    expect((await (await dev.get('/api/notes')).json()).notes).toContainEqual(note);
    expect(await (await dev.get(`/api/notes/${note.key}`)).json()).toEqual({ text: 'milk, eggs' });
    expect((await dev.get('/api/notes/nope')).status).toBe(404);
  });

  it('stops every process it started', async () => {
    const started = dev.descendants();
    expect(started.length).toBeGreaterThan(0);
    await dev.server.stop();
    expect(started.filter(isAlive)).toEqual([]);
  });
});
