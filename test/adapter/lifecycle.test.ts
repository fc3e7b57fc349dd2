/**
 * The app's lifecycle under both adapters: start failures become init errors naming the command, its exit and
 * its last output; a crash mid-request is a 502 and the next request reaches a restarted app; SIGTERM reaches
 * the app; readiness by HTTP; Python's `serve` fallback; static mode (Node).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, runAdapter, type AdapterRuntime } from './helpers/adapter-process';
import { httpGetEvent, startEmulatedAdapter, type EmulatedAdapter } from './helpers/emulated-adapter';

const CRASHING_APP = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/crash') process.exit(1);
  if (req.url === '/__space/v0/actions') return; // an action that never answers
  if (req.url === '/health') { res.statusCode = Number(process.env.HEALTH_STATUS || 200); return res.end(); }
  res.end(String(process.pid));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => {
  require('node:fs').writeFileSync(process.env.MARK_FILE || '/dev/null', 'got SIGTERM');
  process.exit(0);
});
`;

const WSGI_APP = `
def app(environ, start_response):
    body = environ["wsgi.input"].read().decode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} {body}".encode()]
`;

const get = httpGetEvent;

let layer: ReturnType<typeof buildLayer>;
let appDir: string;
const running: EmulatedAdapter[] = [];

beforeAll(() => {
  layer = buildLayer();
  appDir = mkdtempSync(join(tmpdir(), 'spaceport-app-'));
  writeFileSync(join(appDir, 'app.js'), CRASHING_APP);
  writeFileSync(join(appDir, 'main.py'), WSGI_APP);
  writeFileSync(
    join(appDir, 'ipv6-app.js'),
    `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('over ::1'); }).listen(Number(process.env.PORT), '::1', () => console.log('listening'));`,
  );
  mkdirSync(join(appDir, 'site/guide'), { recursive: true });
  writeFileSync(join(appDir, 'site/index.html'), '<h1>home</h1>');
  writeFileSync(join(appDir, 'site/style.css'), 'h1{}');
  writeFileSync(join(appDir, 'site/guide/index.html'), '<h1>guide</h1>');
  // What a `serve: .` of an app's root holds besides its pages (issue 10, findings 4 and 5).
  mkdirSync(join(appDir, 'site/.spaceport'));
  writeFileSync(join(appDir, 'site/.spaceport/owner-secret'), 'the-owner-secret');
  writeFileSync(join(appDir, 'site/.env'), 'TOKEN=x');
  mkdirSync(join(appDir, 'site/.git'));
  writeFileSync(join(appDir, 'site/.git/config'), '[core]');
  mkdirSync(join(appDir, 'site/.well-known'));
  writeFileSync(join(appDir, 'site/.well-known/security.txt'), 'Contact: mailto:a@b.example');
  writeFileSync(join(appDir, 'outside.txt'), 'outside the served directory');
  symlinkSync('/etc/passwd', join(appDir, 'site/passwd'));
  symlinkSync(join(appDir, 'outside.txt'), join(appDir, 'site/outside.txt'));
  symlinkSync('/etc', join(appDir, 'site/etc'));
  symlinkSync('style.css', join(appDir, 'site/linked.css'));
  symlinkSync('missing', join(appDir, 'site/dangling'));
  symlinkSync('.', join(appDir, 'site/loop'));
  symlinkSync('.spaceport', join(appDir, 'site/state'));
  symlinkSync('.env', join(appDir, 'site/settings.txt'));
});
afterAll(async () => {
  for (const adapter of running) await adapter.shutdown();
  layer?.remove();
  rmSync(appDir, { recursive: true, force: true });
});

async function start(runtime: AdapterRuntime, env: Record<string, string>, timeoutMs?: number): Promise<EmulatedAdapter> {
  const adapter = await startEmulatedAdapter({ layerDir: layer.dir, runtime, taskRoot: appDir, env, timeoutMs });
  running.push(adapter);
  return adapter;
}

describe.each(['node', 'python'] as AdapterRuntime[])('%s adapter', (runtime) => {
  test('a command that exits before listening is an init error with its exit code and output', async () => {
    const command = 'echo loading config; echo "DATABASE_URL is not set" >&2; exit 3';
    const adapter = await start(runtime, { SPACEPORT_RUN: command });
    const outcome = await adapter.invoke(get('/'));
    expect(outcome).toMatchObject({ kind: 'init-error', errorType: 'Spaceport.AppStartFailed' });
    if (outcome.kind === 'success') return;
    expect(outcome.errorMessage).toContain(`\`${command}\` exited with code 3 before listening on port ${adapter.port}.\nLast output:\n`);
    expect(outcome.errorMessage).toContain('DATABASE_URL is not set');
    expect(outcome.errorMessage).toContain('loading config');
  });

  test('a command that never listens is an init error saying it is still running', async () => {
    const adapter = await start(runtime, { SPACEPORT_RUN: 'echo started without a server; exec sleep 30', SPACEPORT_INIT_TIMEOUT_MS: '300' });
    const outcome = await adapter.invoke(get('/'));
    expect(outcome).toMatchObject({ kind: 'init-error', errorType: 'Spaceport.AppStartFailed' });
    if (outcome.kind === 'success') return;
    expect(outcome.errorMessage).toBe(
      `\`echo started without a server; exec sleep 30\` was not listening on port ${adapter.port} within 300 ms (still running).\nLast output:\nstarted without a server`,
    );
  });

  test('HTTP readiness counts 5xx as not ready', async () => {
    const adapter = await start(runtime, {
      SPACEPORT_RUN: 'node app.js',
      SPACEPORT_READINESS: 'http:/health',
      HEALTH_STATUS: '503',
      SPACEPORT_INIT_TIMEOUT_MS: '300',
    });
    const outcome = await adapter.invoke(get('/'));
    expect(outcome).toMatchObject({ kind: 'init-error' });
    if (outcome.kind === 'success') return;
    expect(outcome.errorMessage).toContain(`was not answering GET /health on port ${adapter.port} within 300 ms (still running)`);
  });

  test('HTTP readiness accepts 4xx', async () => {
    const adapter = await start(runtime, { SPACEPORT_RUN: 'node app.js', SPACEPORT_READINESS: 'http:/health', HEALTH_STATUS: '404' });
    expect(await adapter.invoke(get('/'))).toMatchObject({ kind: 'success', result: { statusCode: 200 } });
  });

  test('a crash mid-request is a 502, and the next request reaches a restarted app', async () => {
    const adapter = await start(runtime, { SPACEPORT_RUN: 'node app.js' });
    const first = await adapter.invoke(get('/'));
    expect(first).toMatchObject({ kind: 'success', result: { statusCode: 200 } });
    const crashed = await adapter.invoke(get('/crash'));
    expect(crashed).toMatchObject({
      kind: 'success',
      result: { statusCode: 502, body: JSON.stringify({ message: 'Bad gateway: the app closed the connection before answering' }) },
    });
    const after = await adapter.invoke(get('/'));
    expect(after).toMatchObject({ kind: 'success', result: { statusCode: 200 } });
    const pid = (outcome: typeof first): string => (outcome.kind === 'success' ? (outcome.result as { body: string }).body : '');
    expect(pid(after)).not.toBe(pid(first));
    expect(adapter.lines.join('\n')).toContain('`node app.js` exited with code 1: restarting it');
  });

  test('an action with no answer before the deadline fails the invocation (so the scheduler retries)', async () => {
    const adapter = await start(runtime, { SPACEPORT_RUN: 'node app.js' }, 1500);
    expect(await adapter.invoke({ source: 'spaceport.action', event: { id: 'slow', trigger: 'schedule' } })).toMatchObject({
      kind: 'function-error',
      errorType: 'Spaceport.ActionFailed',
      errorMessage: `Action "slow" failed: the app did not answer POST /__space/v0/actions before the invocation's deadline`,
    });
  });

  test('an app listening on the IPv6 loopback only is found there and served', async () => {
    const adapter = await start(runtime, { SPACEPORT_RUN: 'node ipv6-app.js' });
    const outcome = await adapter.invoke(get('/'));
    expect(outcome).toMatchObject({ kind: 'success', result: { statusCode: 200, body: 'over ::1' } });
  });

  test('SIGTERM to the adapter reaches the app, and the adapter exits after it', async () => {
    const mark = join(appDir, `sigterm-${runtime}`);
    const adapter = await runAdapter({ layerDir: layer.dir, runtime, taskRoot: appDir, env: { SPACEPORT_RUN: 'node app.js', MARK_FILE: mark } });
    try {
      expect(await adapter.askedForEvent, adapter.output()).toBe(true);
      adapter.child.kill('SIGTERM');
      expect(await adapter.exited).toBe(0);
      expect(existsSync(mark) && readFileSync(mark, 'utf8')).toBe('got SIGTERM');
    } finally {
      await adapter.stop();
    }
  });
});

describe('python adapter', () => {
  test('serves a WSGI app through `python3 -m spaceport_adapter.serve main:app`', async () => {
    const adapter = await start('python', { SPACEPORT_RUN: 'python3 -m spaceport_adapter.serve main:app' });
    const post = { ...(get('/items') as object), rawQueryString: 'a=1', requestContext: { http: { method: 'POST' } }, body: 'hello' };
    for (let i = 0; i < 2; i++) {
      expect(await adapter.invoke(post)).toMatchObject({ kind: 'success', result: { statusCode: 200, body: 'POST /items?a=1 hello' } });
    }
  });

  test('an ASGI app without uvicorn is an init error saying what to install', async () => {
    writeFileSync(join(appDir, 'asgi_main.py'), 'async def app(scope, receive, send):\n    pass\n');
    // Whether this machine's python3 has uvicorn must not matter: the app's directory comes first on sys.path,
    // so this module stands for an app whose requirements lack it.
    writeFileSync(join(appDir, 'uvicorn.py'), 'raise ImportError("No module named \'uvicorn\'")\n');
    const adapter = await start('python', { SPACEPORT_RUN: 'python3 -m spaceport_adapter.serve asgi_main:app' });
    const outcome = await adapter.invoke(get('/'));
    expect(outcome).toMatchObject({ kind: 'init-error' });
    if (outcome.kind === 'success') return;
    expect(outcome.errorMessage).toContain('exited with code 2');
    expect(outcome.errorMessage).toContain('asgi_main:app is an ASGI app, which needs uvicorn: add uvicorn to requirements.txt');
  });
});

describe('node adapter static mode', () => {
  let adapter: EmulatedAdapter;
  beforeAll(async () => {
    adapter = await start('node', { SPACEPORT_STATIC_DIR: 'site', SPACEPORT_BASE_PATH: '/docs' });
  });

  test('serves index.html for directories, with content types', async () => {
    expect(await adapter.invoke(get('/docs'))).toMatchObject({
      kind: 'success',
      result: { statusCode: 200, body: '<h1>home</h1>', headers: { 'content-type': 'text/html; charset=utf-8' } },
    });
    expect(await adapter.invoke(get('/docs/guide/'))).toMatchObject({ kind: 'success', result: { statusCode: 200, body: '<h1>guide</h1>' } });
    expect(await adapter.invoke(get('/docs/style.css'))).toMatchObject({
      kind: 'success',
      result: { statusCode: 200, body: 'h1{}', headers: { 'content-type': 'text/css; charset=utf-8' } },
    });
  });

  test('answers 304 to a matching If-None-Match, 404 for missing files and traversal, 405 for writes', async () => {
    const first = await adapter.invoke(get('/docs/style.css'));
    const etag = first.kind === 'success' ? (first.result as { headers: Record<string, string> }).headers.etag : '';
    expect(etag).toMatch(/^".+"$/);
    const conditional = { ...(get('/docs/style.css') as { headers: object }), headers: { host: 'x', 'if-none-match': etag } };
    expect(await adapter.invoke(conditional)).toMatchObject({ kind: 'success', result: { statusCode: 304, body: '' } });
    expect(await adapter.invoke(get('/docs/missing.html'))).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
    expect(await adapter.invoke(get('/docs/../app.js'))).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
    const post = { ...(get('/docs/') as object), requestContext: { http: { method: 'POST' } } };
    expect(await adapter.invoke(post)).toMatchObject({ kind: 'success', result: { statusCode: 405 } });
  });

  test('never serves .spaceport or other dotfiles, except /.well-known (issue 10, finding 4)', async () => {
    for (const path of ['/docs/.spaceport/owner-secret', '/docs/.env', '/docs/.git/config', '/docs/%2Espaceport/owner-secret']) {
      expect(await adapter.invoke(get(path)), path).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
    }
    expect(await adapter.invoke(get('/docs/.well-known/security.txt'))).toMatchObject({
      kind: 'success',
      result: { statusCode: 200, body: 'Contact: mailto:a@b.example' },
    });
  });

  test('serves no symlink that leaves the served directory; one that stays in it is served (issue 10, finding 5)', async () => {
    for (const path of [
      '/docs/passwd',
      '/docs/outside.txt',
      '/docs/etc/hostname',
      '/docs/dangling',
      '/docs/loop/style.css',
      '/docs/state/owner-secret',
      '/docs/settings.txt',
    ]) {
      expect(await adapter.invoke(get(path)), path).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
    }
    expect(await adapter.invoke(get('/docs/linked.css'))).toMatchObject({ kind: 'success', result: { statusCode: 200, body: 'h1{}' } });
  });

  test('without a fallback, a deep link of a client-side route is 404, as on Space', async () => {
    expect(await adapter.invoke(page('/docs/entry/abc'))).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
  });
});

/** A browser's navigation request. */
function page(path: string): unknown {
  return { ...(get(path) as object), headers: { host: 'x', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } };
}

describe('node adapter static mode with SPACEPORT_STATIC_FALLBACK (a single-page app)', () => {
  test("a browser's deep link gets the fallback page; assets, non-HTML clients and files still 404 when missing", async () => {
    const adapter = await start('node', { SPACEPORT_STATIC_DIR: 'site', SPACEPORT_BASE_PATH: '/docs', SPACEPORT_STATIC_FALLBACK: 'index.html' });
    expect(await adapter.invoke(page('/docs/entry/abc'))).toMatchObject({ kind: 'success', result: { statusCode: 200, body: '<h1>home</h1>' } });
    expect(await adapter.invoke(page('/docs/guide/'))).toMatchObject({ kind: 'success', result: { statusCode: 200, body: '<h1>guide</h1>' } });
    expect(await adapter.invoke(page('/docs/assets/app-1234.js'))).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
    expect(await adapter.invoke(get('/docs/entry/abc'))).toMatchObject({ kind: 'success', result: { statusCode: 404 } });
  });

  test('a fallback that is not a file of the site is an init error naming the variable', async () => {
    const adapter = await start('node', { SPACEPORT_STATIC_DIR: 'site', SPACEPORT_STATIC_FALLBACK: '200.html' });
    const outcome = await adapter.invoke(page('/x'));
    expect(outcome).toMatchObject({ kind: 'init-error' });
    if (outcome.kind !== 'success') expect(outcome.errorMessage).toContain('SPACEPORT_STATIC_FALLBACK: 200.html is not a file in');
  });
});
