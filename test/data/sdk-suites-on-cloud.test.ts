/**
 * The local data service's official-SDK suites (base-sdk, drive-sdk), unchanged, on the cloud data path: the same
 * tests, with `startTestData` swapped for the cloud path (edge function, S3 routes, data function, DynamoDB and S3
 * stores on dynalite and s3rver). One suite, two backends: nothing silently different between the two places.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type * as DataHelpers from './data-helpers';

vi.mock('./data-helpers', async (importOriginal) => {
  const actual = await importOriginal<typeof DataHelpers>();
  const { startAwsServers } = await import('./aws-servers');
  const { startCloudPath } = await import('./cloud-path');
  const { Deta } = await import('deta');
  return {
    ...actual,
    startTestData: async () => {
      const servers = await startAwsServers();
      const cloud = await startCloudPath({ servers, projectKey: actual.PROJECT_KEY });
      process.env.DETA_BASE_HOST = cloud.host;
      process.env.DETA_DRIVE_HOST = cloud.host;
      return {
        stateDir: mkdtempSync(join(tmpdir(), 'spaceport-cloud-suite-')),
        deta: Deta(actual.PROJECT_KEY),
        request: () => {
          throw new Error('raw requests go to the local service only');
        },
        stop: async () => {
          await cloud.close();
          await servers.close();
        },
      };
    },
  };
});

import './base-sdk.test';
import './drive-sdk.test';
