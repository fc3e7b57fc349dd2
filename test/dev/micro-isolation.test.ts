/** What a micro under spaceport dev cannot reach on the developer's machine, although Lambda's sandbox is not a VM. */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../lib/local/emulator/sandbox';
import { loadSpacefile } from '../../lib/spacefile/load';
import { startTestDev, type TestDev } from './dev-helpers';

let dev: TestDev;
let appDir: string;

beforeAll(async () => {
  // Under /var/tmp, which the sandbox shows as it is (its own /tmp hides the host's): the host path is reachable.
  appDir = mkdtempSync('/var/tmp/spaceport-dev-isolation-');
  cpSync(join(__dirname, '../fixtures/dev-faults'), appDir, { recursive: true });
  dev = await startTestDev({ app: loadSpacefile(join(appDir, 'Spacefile')) });
});
afterAll(async () => {
  await dev?.server.stop();
  rmSync(appDir, { recursive: true, force: true });
});

describe('a micro under spaceport dev', () => {
  it("cannot read the app's .spaceport/ (its local secrets), which Lambda's package never holds", async (context) => {
    const caps = await probeSandbox();
    if (caps.limits.isolation.enforcement !== 'enforced') context.skip(`isolation not enforced here: ${caps.limits.isolation.how}`);
    const projectKey = join(appDir, '.spaceport', 'project-key');
    expect(existsSync(projectKey)).toBe(true);
    const read = async (file: string) => (await dev.get(`/read?file=${encodeURIComponent(file)}`)).json();
    expect(await read(projectKey)).toEqual({ error: 'ENOENT' });
    // The rest of the app's tree stays readable, as it was before the sandbox hid anything.
    expect(await read(join(appDir, 'Spacefile'))).toMatchObject({ content: expect.stringContaining('micros:') });
  });
});
