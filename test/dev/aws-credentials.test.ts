/** What AWS credentials local code gets: placeholders AWS refuses, or the developer's own with --aws-credentials. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../lib/core/errors';
import { developerCredentials } from '../../lib/local/dev/aws-credentials';
import { PLACEHOLDER_CREDENTIALS } from '../../lib/local/emulator/lambda-variables';
import { loadSpacefile } from '../../lib/spacefile/load';
import { startTestDev, type TestDev } from './dev-helpers';

const FIXTURE = join(__dirname, '../fixtures/dev-faults/Spacefile');
let dev: TestDev | undefined;

/** No credentials anywhere the SDK's chain looks: no variables, no files, no instance metadata. */
function noCredentialsAnywhere(): void {
  const empty = mkdtempSync(join(tmpdir(), 'spaceport-no-aws-'));
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  vi.unstubAllEnvs();
});

describe('AWS credentials of the micros under spaceport dev', () => {
  it('are placeholders that say what they are unless the developer opts in', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIADEVELOPERSOWNKEY');
    dev = await startTestDev({ app: loadSpacefile(FIXTURE) });
    expect(await (await dev.get('/aws-credentials')).json()).toEqual({
      AWS_ACCESS_KEY_ID: 'ASIASPACEPORTDEVNONE',
      AWS_SECRET_ACCESS_KEY: PLACEHOLDER_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: PLACEHOLDER_CREDENTIALS.sessionToken,
    });
    expect(dev.logs()).toContain('AWS credentials: placeholders AWS refuses (run with --aws-credentials to give the micros yours)');
  });

  it("are the developer's own with --aws-credentials", async () => {
    noCredentialsAnywhere();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIADEVELOPERSOWNKEY');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'developers-own-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'developers-own-token');
    dev = await startTestDev({ app: loadSpacefile(FIXTURE), awsCredentials: true });
    expect(await (await dev.get('/aws-credentials')).json()).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIADEVELOPERSOWNKEY',
      AWS_SECRET_ACCESS_KEY: 'developers-own-secret',
      AWS_SESSION_TOKEN: 'developers-own-token',
    });
    expect(dev.logs()).toContain('AWS credentials: yours (--aws-credentials)');
  });

  it('fail the start with what to do when --aws-credentials finds none', async () => {
    noCredentialsAnywhere();
    const refusal = await developerCredentials().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toMatch(/^--aws-credentials: no AWS credentials found for the micros \(.+\): set AWS_PROFILE/);
  });
});
