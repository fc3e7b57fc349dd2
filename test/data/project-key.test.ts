/**
 * The project key a data service is built with: `<projectId>_<secret>`, whose project id (before the first `_`, as
 * every SDK reads it) is the only one the service serves. No service is started here: a mistake in reading the key
 * fails the data fixture's `beforeAll`, and vitest then skips the tests of a file rather than failing them, so
 * Stryker (tools/mutate) would count the mistake as caught by no test.
 */
import { describe, expect, it } from 'vitest';
import type { BaseStore } from '../../lib/data/base-store';
import type { DriveStore } from '../../lib/data/drive-store';
import { createDataHandler, projectIdOf } from '../../lib/data/service';

/** Stores that fail any call: the requests below are answered before any data is read. */
function untouched<Store extends object>(): Store {
  return new Proxy({} as Store, {
    get: (_, method) => () => Promise.reject(new Error(`no store call was expected, got ${String(method)}`)),
  });
}

function handlerFor(projectKey: string) {
  return createDataHandler({ base: untouched<BaseStore>(), drive: untouched<DriveStore>(), projectKey });
}

async function get(projectKey: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await handlerFor(projectKey)({
    method: 'GET',
    path,
    query: '',
    headers: { 'x-api-key': projectKey },
    body: (async function* () {})(),
  });
  return { status: response.status, body: JSON.parse(Buffer.from(response.body as Uint8Array).toString('utf8')) };
}

describe('the project key', () => {
  it.each([
    ['a0test12_SecretValue', 'a0test12'],
    ['a0key_with_underscores', 'a0key'],
    ['a_b', 'a'],
  ])('%s belongs to project %s', (projectKey, projectId) => {
    expect(projectIdOf(projectKey)).toBe(projectId);
  });

  it.each([['noseparator'], ['_secret'], ['']])('refuses %j, which names no project, before serving anything', (projectKey) => {
    const refusal = new Error('the project key must look like <projectId>_<secret>');
    expect(() => projectIdOf(projectKey)).toThrow(refusal);
    expect(() => handlerFor(projectKey)).toThrow(refusal);
  });

  it('serves the project before the first underscore, and no other', async () => {
    expect(await get('a0key_with_underscores', '/v1/a0key/notes/nothing')).toEqual({
      status: 404,
      body: { errors: ['Not found', 'no Base or Drive endpoint is GET /v1/a0key/notes/nothing'] },
    });
    expect(await get('a0key_with_underscores', '/v1/a0key_with/notes/nothing')).toEqual({
      status: 401,
      body: { errors: ['Unauthorized', 'the project key belongs to project a0key, not a0key_with'] },
    });
  });
});
