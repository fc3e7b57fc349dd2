/** A real local data service (journal stores, HTTPS with the app's local CA) in a temporary `.spaceport` for tests. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deta } from 'deta';
import { afterAll, beforeAll } from 'vitest';
import { startLocalDataService, type LocalDataService } from '../../lib/local/data/data-service';

/** A raw reply: the body parsed when it is JSON (as loosely typed as JSON.parse's result), else its text. */
export interface Reply {
  readonly status: number;
  readonly body: ReturnType<typeof JSON.parse>;
  readonly headers: Headers;
}

export const PROJECT_KEY = 'a0test12_SecretValueForTestsOnly0123456789';

/**
 * Whether the tests run on the cloud data path: sdk-suites-on-cloud.test.ts swaps this module's fixture and sets it,
 * so a suite can keep to the local service what CloudFront and API Gateway answer themselves in the cloud.
 */
export const ON_CLOUD_PATH: boolean = false;

export interface TestData {
  readonly service: LocalDataService;
  readonly stateDir: string;
  /** The official SDK, pointed at the service the way a micro's environment points it. */
  readonly deta: ReturnType<typeof Deta>;
  /** A raw HTTPS request to the service, with the project key unless `headers` names `x-api-key` (null: none). */
  request(method: string, path: string, init?: RequestInit): Promise<Reply>;
  stop(): Promise<void>;
}

/** A fresh `.spaceport` holding the run's CA (trusted by this process through NODE_EXTRA_CA_CERTS, see global-setup). */
export function newStateDir(): string {
  const stateDir = mkdtempSync(join(tmpdir(), 'spaceport-data-'));
  const shared = process.env.SPACEPORT_TEST_STATE_DIR;
  if (!shared) throw new Error('SPACEPORT_TEST_STATE_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  cpSync(join(shared, 'tls'), join(stateDir, 'tls'), { recursive: true });
  return stateDir;
}

export async function startTestData(stateDir = newStateDir()): Promise<TestData> {
  const service = await startLocalDataService({ stateDir, projectKey: PROJECT_KEY });
  process.env.DETA_BASE_HOST = service.host;
  process.env.DETA_DRIVE_HOST = service.host;
  const deta = Deta(PROJECT_KEY);
  return {
    service,
    stateDir,
    deta,
    request: (method, path, init = {}) => rawRequest({ hostname: '127.0.0.1', port: service.port, ca: service.tls.caPem }, method, path, init),
    stop: async () => {
      await service.close();
    },
  };
}

export function removeStateDir(data: TestData): void {
  rmSync(data.stateDir, { recursive: true, force: true });
}

export interface RequestInit {
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string | null>;
}

function headersOf(given: Record<string, string | null> = {}): Record<string, string> {
  const headers: Record<string, string | null> = { 'x-api-key': PROJECT_KEY, ...given };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null));
}

/** Where a raw request goes: the service's address and the CA its certificate is checked against (default: Node's). */
export interface RawTarget {
  readonly hostname: string;
  readonly port: number;
  readonly ca?: string;
}

export async function rawRequest(target: RawTarget, method: string, path: string, init: RequestInit): Promise<Reply> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        ...(target.ca !== undefined && { ca: target.ca }),
        // Node sends a DELETE body without a length unless told; clients (fetch, http.client) always send one.
        headers: { ...(init.body !== undefined && { 'content-length': String(Buffer.byteLength(init.body)) }), ...headersOf(init.headers) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          let body: unknown = text;
          if (headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
          resolve({ status: res.statusCode!, body, headers });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A service for the whole test file: started before its tests, stopped and removed after them. */
export function useTestData(): () => TestData {
  let data: TestData | undefined;
  beforeAll(async () => {
    data = await startTestData();
  });
  afterAll(async () => {
    if (data === undefined) return;
    await data.stop();
    removeStateDir(data);
  });
  return () => {
    if (data === undefined) throw new Error('the data service is not started yet');
    return data;
  };
}
