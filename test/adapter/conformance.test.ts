/**
 * The shared conformance suite: every fixture in runtime-layer/conformance/ runs against BOTH adapters (Node and
 * Python) through the local Lambda emulator, with an echo app that reports what it received, so the two adapters
 * cannot drift from each other or from the fixtures.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLayer, REPO_ROOT, type AdapterRuntime } from './helpers/adapter-process';
import { startEmulatedAdapter, type EmulatedAdapter } from './helpers/emulated-adapter';
import { findFreePort } from '../../lib/local/dev/free-port';

interface Fixture {
  readonly name: string;
  readonly description: string;
  readonly env?: Record<string, string>;
  readonly event: unknown;
  readonly appResponse?: unknown;
  readonly appRequest: null | { method: string; target: string; headers: Record<string, string[]>; body?: string; bodyBase64?: string };
  readonly result?: unknown;
  readonly error?: { errorType: string; errorMessage: string };
  /** A line the adapter must log for this invocation (a regular expression), e.g. an action's run line. */
  readonly logLine?: string;
}

interface SeenRequest {
  method: string;
  url: string;
  rawHeaders: string[];
  bodyBase64: string;
}

const FIXTURE_DIR = join(REPO_ROOT, 'runtime-layer/conformance');

/** Fixtures write big strings as `{"$repeat": "a", "count": n}`. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$repeat === 'string') return record.$repeat.repeat(Number(record.count));
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, expand(inner)]));
}

const fixtures: Fixture[] = readdirSync(FIXTURE_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    name: file.replace(/\.json$/, ''),
    ...(expand(JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'))) as Omit<Fixture, 'name'>),
  }));

function headerValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1]);
  return values;
}

let layer: ReturnType<typeof buildLayer>;
beforeAll(() => {
  layer = buildLayer();
});
afterAll(() => layer?.remove());

test('the suite has fixtures for every required case', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(20);
});

describe.each(['node', 'python'] as AdapterRuntime[])('%s adapter', (runtime) => {
  /** One environment (and echo app) per distinct fixture configuration, reused across fixtures. */
  const environments = new Map<string, Promise<{ adapter: EmulatedAdapter; control: number }>>();
  afterAll(async () => {
    for (const environment of environments.values()) await (await environment).adapter.shutdown();
  });

  function environmentFor(env: Record<string, string> = {}): Promise<{ adapter: EmulatedAdapter; control: number }> {
    const key = JSON.stringify(env);
    let environment = environments.get(key);
    if (environment === undefined) {
      environment = (async () => {
        const control = await findFreePort();
        const adapter = await startEmulatedAdapter({
          layerDir: layer.dir,
          runtime,
          taskRoot: join(REPO_ROOT, 'test/adapter/helpers'),
          env: { SPACEPORT_RUN: 'node echo-app.js', ECHO_CONTROL_PORT: String(control), ...env },
        });
        return { adapter, control };
      })();
      environments.set(key, environment);
    }
    return environment;
  }

  test.each(fixtures)('$name', async (fixture) => {
    const { adapter, control } = await environmentFor(fixture.env);
    // The first invocation starts the environment (INIT), so the control server exists only afterwards;
    // a fixture whose request must not reach the app can run first.
    const setResponse = async (): Promise<void> => {
      await fetch(`http://127.0.0.1:${control}/`, {
        method: 'PUT',
        body: JSON.stringify(fixture.appResponse ?? { status: 200, headers: [], body: '' }),
      });
    };
    if (adapter.lines.length === 0) await adapter.invoke({ version: '2.0', rawPath: '/warm-up', requestContext: { http: { method: 'GET' } } });
    await setResponse();

    const linesBefore = adapter.lines.length;
    const outcome = await adapter.invoke(fixture.event);
    const seen = (await (await fetch(`http://127.0.0.1:${control}/`)).json()) as SeenRequest | null;

    if (fixture.appRequest === null) {
      expect(seen).toBeNull();
    } else {
      expect(seen).not.toBeNull();
      const expected = fixture.appRequest;
      expect(seen!.method).toBe(expected.method);
      expect(seen!.url).toBe(expected.target);
      const body = Buffer.from(seen!.bodyBase64, 'base64');
      if (expected.bodyBase64 !== undefined) expect(body.toString('base64')).toBe(expected.bodyBase64);
      else expect(body.toString('utf8')).toBe(expected.body ?? '');
      for (const [name, values] of Object.entries(expected.headers)) expect(headerValues(seen!.rawHeaders, name), name).toEqual(values);
      const lambdaContext = JSON.parse(headerValues(seen!.rawHeaders, 'x-amzn-lambda-context')[0]);
      expect(lambdaContext.request_id).toBe(outcome.requestId);
      expect(lambdaContext.invoked_function_arn).toMatch(/^arn:aws:lambda:[^:]+:\d+:function:adapter-/);
      expect(lambdaContext.env_config.function_name).toBe(`adapter-${runtime}`);
      expect(lambdaContext.deadline).toBeGreaterThan(Date.now());
    }

    if (fixture.logLine !== undefined) expect(adapter.lines.slice(linesBefore)).toContainEqual(expect.stringMatching(new RegExp(fixture.logLine)));
    if (fixture.error !== undefined) {
      expect(outcome).toMatchObject({ kind: 'function-error', ...fixture.error });
    } else {
      expect(outcome.kind).toBe('success');
      expect(outcome.kind === 'success' && outcome.result).toEqual(fixture.result);
    }
  });
});
