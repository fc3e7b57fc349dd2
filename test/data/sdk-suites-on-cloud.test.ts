/**
 * The local data service's official-SDK suites (base-sdk, drive-sdk) and its HTTP routing (service-routing),
 * unchanged, on the cloud data path: the same tests, with the data-helpers fixture swapped for the cloud path (edge
 * function, S3 routes, data function, DynamoDB and S3 stores on dynalite and s3rver). One suite, two backends: nothing
 * silently different between the two places, except what a suite keeps local (`ON_CLOUD_PATH`, and says why).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type * as DataHelpers from './data-helpers';

vi.mock('./data-helpers', async (importOriginal) => {
  const actual = await importOriginal<typeof DataHelpers>();
  const { afterAll, beforeAll } = await import('vitest');
  const { startAwsServers } = await import('./aws-servers');
  const { startCloudPath } = await import('./cloud-path');
  const { Deta } = await import('deta');
  const useTestData = () => {
    let data: Pick<DataHelpers.TestData, 'stateDir' | 'deta' | 'request' | 'stop'> | undefined;
    beforeAll(async () => {
      const servers = await startAwsServers();
      const cloud = await startCloudPath({ servers, projectKey: actual.PROJECT_KEY });
      process.env.DETA_BASE_HOST = cloud.host;
      process.env.DETA_DRIVE_HOST = cloud.host;
      data = {
        stateDir: mkdtempSync(join(tmpdir(), 'spaceport-cloud-suite-')),
        deta: Deta(actual.PROJECT_KEY),
        // Raw requests go where the SDK's do: DETA_BASE_HOST when sent (both suites of this file set it, the last one
        // started wins), labelled JSON as every SDK does; the certificate is the run's, which this process trusts.
        request: (method: string, path: string, init: DataHelpers.RequestInit = {}) =>
          actual.rawRequest({ hostname: 'localhost', port: Number((process.env.DETA_BASE_HOST ?? cloud.host).split(':')[1]) }, method, path, {
            ...init,
            headers: { 'content-type': 'application/json', ...init.headers },
          }),
        stop: async () => {
          await cloud.close();
          await servers.close();
        },
      };
    });
    afterAll(async () => data?.stop());
    return () => {
      if (data === undefined) throw new Error('the cloud path is not started yet');
      return data;
    };
  };
  return { ...actual, useTestData, ON_CLOUD_PATH: true };
});

import './base-sdk.test';
import './drive-sdk.test';
import './base-endpoints.test';
import './drive-endpoints.test';
import './service-routing.test';
