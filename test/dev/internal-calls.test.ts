/**
 * Micro-to-micro calls as Space apps made them: through `http://$DETA_SPACE_APP_HOSTNAME/...` with
 * `X-API-Key: $DETA_API_KEY`, into a private sibling micro, with auth on (real router, emulator, adapter, processes).
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { startTestDev, type TestDev } from './dev-helpers';

let dir = '';
let dev: TestDev;

beforeAll(async () => {
  // A fresh copy: spaceport dev writes its keys into .spaceport/ next to the Spacefile.
  dir = mkdtempSync(join(tmpdir(), 'spaceport-internal-calls-'));
  cpSync(join(__dirname, '../fixtures/dev-internal-calls'), dir, { recursive: true });
  dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), auth: true, schedule: false });
});
afterAll(() => dev?.server.stop());

interface Outcome {
  readonly status: number;
  readonly body: string;
}
type Relay = Record<'withKey' | 'wrongKey' | 'noKey', Outcome>;

describe('spaceport dev: a micro calls a private sibling with X-API-Key: $DETA_API_KEY', () => {
  it('gets through from Node to a private Python micro; a wrong key or none is denied', async () => {
    const response = await dev.get('/relay');
    expect(response.status).toBe(200);
    const relay = (await response.json()) as Relay;
    expect(relay.withKey.status).toBe(200);
    expect(JSON.parse(relay.withKey.body)).toEqual({ micro: 'notes', path: '/whoami' });
    expect(relay.wrongKey.status).toBe(401);
    expect(relay.noKey.status).toBe(401);
    expect(dev.logs()).toMatch(/^notes +\| GET \/notes\/whoami 200 \d+ ms (cold|warm)$/m);
    expect(dev.logs()).toMatch(/^notes +\| GET \/notes\/whoami 401 \d+ ms denied$/m);
  });

  it('gets through from Python to the private primary micro', async () => {
    const response = await dev.get('/notes/relay');
    expect(response.status).toBe(200);
    const relay = (await response.json()) as Relay;
    expect(relay.withKey.status).toBe(200);
    expect(JSON.parse(relay.withKey.body)).toEqual({ micro: 'web', path: '/whoami' });
    expect([relay.wrongKey.status, relay.noKey.status]).toEqual([401, 401]);
  });

  it('keeps the key in .spaceport/internal-key, where the developer can use it too; never on runtime paths', async () => {
    const key = readFileSync(join(dir, '.spaceport', 'internal-key'), 'utf8').trim();
    expect((await dev.get('/whoami', { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await dev.get('/whoami')).status).toBe(401);
    const action = await dev.get('/notes/__space/v0/actions', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ event: { id: 'x', trigger: 'schedule' } }),
    });
    expect(action.status).toBe(404);
  });
});
