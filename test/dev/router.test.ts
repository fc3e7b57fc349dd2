import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors';
import { LocalAuth } from '../../lib/local/dev/local-auth';
import { generateInternalKey } from '../../lib/auth/internal-key';
import { accessPolicyOf } from '../../lib/auth/policy';
import type { HttpApiEvent } from '../../lib/local/http-api-event';
import { createRouter, listen } from '../../lib/local/dev/dev-router';
import { app, micro } from './model-helpers';
import { sendRaw } from '../helpers/raw-http';

const events: Array<{ micro: string; event: HttpApiEvent }> = [];
const logged: string[] = [];
const theApp = app([micro({ name: 'web', path: '/', primary: true, publicRoutes: ['/public/*'] }), micro({ name: 'api', path: '/api' })]);
const server = createRouter({
  app: theApp,
  log: (source, line) => logged.push(`${source} | ${line}`),
  invokeHttp: async (microName, event) => {
    events.push({ micro: microName, event });
    return {
      statusCode: 200,
      headers: [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-micro', microName],
      ],
      body: Buffer.from('ok'),
    };
  },
  triggerAction: async (id) => (id === 'tick' ? { ok: true, id } : undefined),
});
let base = '';

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('dev router', () => {
  it('routes by matchRoute and writes cookies back as separate Set-Cookie headers', async () => {
    const response = await fetch(`${base}/api/items?x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-micro')).toBe('api');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('ok');
    expect(events.at(-1)).toMatchObject({ micro: 'api', event: { rawPath: '/api/items', rawQueryString: 'x=1' } });
    await fetch(`${base}/apix`);
    expect(events.at(-1)?.micro).toBe('web');
  });

  it('answers 413 before invoking when the body exceeds 5.5 MB', async () => {
    const before = events.length;
    const response = await fetch(`${base}/api/upload`, { method: 'POST', body: Buffer.alloc(5_767_169) });
    expect(response.status).toBe(413);
    expect((await response.json()).detail).toMatch(/5767169 bytes; a micro accepts at most 5767168/);
    expect(events.length).toBe(before);
    const fits = await fetch(`${base}/api/upload`, { method: 'POST', body: Buffer.alloc(5_767_168) });
    expect(fits.status).toBe(200);
    expect(logged).toContainEqual(expect.stringMatching(/^api \| POST \/api\/upload 413 \d+ ms refused$/));
  });

  it('logs the requests the auth rules deny, with their status and `denied`', async () => {
    const denied: string[] = [];
    const guarded = createRouter({
      app: theApp,
      auth: new LocalAuth(accessPolicyOf(theApp), 'an-owner-secret-long-enough-for-tests', false, generateInternalKey(), {
        find: async () => undefined,
      }),
      log: (source, line) => denied.push(`${source} | ${line}`),
      invokeHttp: async () => ({ statusCode: 200, headers: [], body: Buffer.from('ok') }),
      triggerAction: async () => undefined,
    });
    const url = `http://127.0.0.1:${await listen(guarded, 0, '127.0.0.1')}`;
    try {
      expect((await fetch(`${url}/api/items?page=2`, { headers: { accept: 'application/json' } })).status).toBe(401);
      expect((await fetch(`${url}/notes`, { headers: { accept: 'text/html' }, redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`${url}/api/__space/v0/actions`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${url}/public/page`)).status).toBe(200);
      expect(denied).toEqual([
        expect.stringMatching(/^api \| GET \/api\/items 401 \d+ ms denied$/),
        expect.stringMatching(/^web \| GET \/notes 302 \d+ ms denied$/),
        expect.stringMatching(/^api \| POST \/api\/__space\/v0\/actions 404 \d+ ms denied$/),
      ]);
    } finally {
      await new Promise((resolve) => guarded.close(resolve));
    }
  });

  it('keeps /__space/ for the runtime and serves the trigger only to local callers', async () => {
    const reserved = await fetch(`${base}/__space/v0/actions`, { method: 'POST' });
    expect(reserved.status).toBe(404);
    expect(await reserved.json()).toEqual({ message: 'Not Found: the console needs sign-in, which is off' });
    expect((await fetch(`${base}/__space/dev`)).status).toBe(404);
    const fired = await fetch(`${base}/__space/dev/actions/tick`, { method: 'POST' });
    expect(await fired.json()).toEqual({ ok: true, id: 'tick' });
    expect((await fetch(`${base}/__space/dev/actions/nope`, { method: 'POST' })).status).toBe(404);
    const crossSite = await fetch(`${base}/__space/dev/actions/tick`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it('says clearly when the port is taken', async () => {
    const port = Number(new URL(base).port);
    await expect(listen(http.createServer(), port, '127.0.0.1')).rejects.toThrow(
      new UsageError(`port ${port} on 127.0.0.1 is already in use (another spaceport dev?): pass --port <free port>`),
    );
  });

  it('answers only to the names it listens on: a rebound DNS name cannot reach it (issue 10, finding 6)', async () => {
    const port = new URL(base).port;
    const before = events.length;
    const rebound = await sendRaw(base, {
      method: 'POST',
      path: '/__space/dev/actions/tick',
      headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('evil.example');
    expect((await sendRaw(base, { path: '/public/page', headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await sendRaw(base, { path: '/public/page', headers: { host: 'localhost' } })).status).toBe(403);
    expect(events.length).toBe(before);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      expect((await sendRaw(base, { path: '/public/page', headers: { host } })).status, host).toBe(200);
    }
  });

  it("gives up on a micro after API Gateway's integration timeout, with 504 (issue 10, finding 12)", async () => {
    const stuck = createRouter({
      app: theApp,
      gatewayTimeoutMs: 100,
      log: () => undefined,
      invokeHttp: () => new Promise(() => undefined),
      triggerAction: async () => undefined,
    });
    const url = `http://127.0.0.1:${await listen(stuck, 0, '127.0.0.1')}`;
    try {
      const response = await fetch(`${url}/api/items`);
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ message: 'Gateway Timeout' });
    } finally {
      stuck.closeAllConnections();
      await new Promise((resolve) => stuck.close(resolve));
    }
  });

  it('denies before reading the body: an anonymous upload is not buffered (issue 10, finding 12)', async () => {
    const guarded = createRouter({
      app: theApp,
      auth: new LocalAuth(accessPolicyOf(theApp), 'an-owner-secret-long-enough-for-tests', false, generateInternalKey(), {
        find: async () => undefined,
      }),
      log: () => undefined,
      invokeHttp: async () => ({ statusCode: 200, headers: [], body: Buffer.from('ok') }),
      triggerAction: async () => undefined,
    });
    const port = await listen(guarded, 0, '127.0.0.1');
    try {
      // 5 MB announced, 10 bytes sent: the answer must come without the rest.
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/upload', headers: { 'content-length': '5000000', accept: 'application/json' } },
          resolve,
        );
        req.on('error', reject);
        req.write(Buffer.alloc(10));
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers.connection).toBe('close');
      response.destroy();
    } finally {
      guarded.closeAllConnections();
      await new Promise((resolve) => guarded.close(resolve));
    }
  });
});
