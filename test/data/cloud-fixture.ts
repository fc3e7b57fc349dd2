/** The cloud data path for one test file: dynalite, s3rver and `startCloudPath`, with the SDK pointed at it. */
import { afterAll, beforeAll } from 'vitest';
import { type AwsServers, startAwsServers } from './aws-servers';
import { type CloudPath, startCloudPath } from './cloud-path';
import { PROJECT_KEY } from './data-helpers';

export interface CloudPathFixture {
  readonly servers: AwsServers;
  readonly cloud: CloudPath;
}

/**
 * Starts dynalite, s3rver and the cloud path for the calling test file, points the SDK's hosts at it, and stops them
 * all afterwards. Read the fixture inside tests (it is filled in `beforeAll`).
 */
export function useCloudPath(options: { emulator?: boolean } = {}): CloudPathFixture {
  const fixture = {} as { servers: AwsServers; cloud: CloudPath };
  beforeAll(async () => {
    fixture.servers = await startAwsServers();
    fixture.cloud = await startCloudPath({ servers: fixture.servers, projectKey: PROJECT_KEY, ...options });
    process.env.DETA_BASE_HOST = fixture.cloud.host;
    process.env.DETA_DRIVE_HOST = fixture.cloud.host;
  });
  afterAll(async () => {
    await fixture.cloud?.close();
    await fixture.servers?.close();
  });
  return fixture;
}
