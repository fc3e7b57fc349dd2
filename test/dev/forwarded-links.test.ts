/**
 * Apps that build absolute links (Flask's `url_for(_external=True)` behind ProxyFix, Starlette's `url_for` under
 * uvicorn's proxy headers, Express with 'trust proxy') get working `http://` links under `spaceport dev`, for the
 * primary and for micros under a path: the router says the scheme and port it serves, the adapter the path it
 * stripped, and what a client claims about them never passes. Real router, emulator, adapter and servers.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { requirePythonModules } from '../python-frameworks';
import { startTestDev, type TestDev } from './dev-helpers';

let dev: TestDev;

beforeAll(async () => {
  requirePythonModules(['flask', 'starlette', 'uvicorn']);
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-forwarded-links-'));
  cpSync(join(__dirname, '../fixtures/forwarded-links'), dir, { recursive: true });
  // The micro gets Express as a package of its own, as npm would install it: a link to this repository's
  // node_modules could lead where the sandbox does not show (its own /tmp, when the repository lives there).
  copyWithDependencies('express', join(__dirname, '../../node_modules'), join(dir, 'express/node_modules'));
  dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), schedule: false });
});
afterAll(() => dev?.server.stop());

/** Copies package `name` and, recursively, its dependencies from a flat node_modules. */
function copyWithDependencies(name: string, from: string, to: string, copied = new Set<string>()): void {
  if (copied.has(name) || !existsSync(join(from, name))) return; // a nested dependency came with its parent
  copied.add(name);
  cpSync(join(from, name), join(to, name), { recursive: true, dereference: true });
  const manifest = JSON.parse(readFileSync(join(from, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) copyWithDependencies(dependency, from, to, copied);
}

/** The stylesheet link of the page at `url`, and what fetching that link gives. */
async function followLink(url: string, headers: Record<string, string> = {}): Promise<{ href: string; status: number; css: string }> {
  const page = await fetch(url, { headers });
  expect(page.status, await page.clone().text()).toBe(200);
  const href = /href="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const css = await fetch(href);
  return { href, status: css.status, css: await css.text() };
}

describe('absolute links under spaceport dev', () => {
  it('Flask (ProxyFix) on the primary: an http link to this server that loads', async () => {
    const link = await followLink(`${dev.server.url}/`);
    expect(link.href).toBe(`http://localhost:${dev.server.port}/static/style.css`);
    expect([link.status, link.css]).toEqual([200, 'body { color: green } /* flask */\n']);
  });

  it("Flask (ProxyFix) under /docs: the link keeps the micro's path and loads", async () => {
    const link = await followLink(`${dev.server.url}/docs`);
    expect(link.href).toBe(`http://localhost:${dev.server.port}/docs/static/style.css`);
    expect([link.status, link.css]).toEqual([200, 'body { color: green } /* flask */\n']);
  });

  it("Express (trust proxy) under /express: http, this host and port, the micro's path", async () => {
    const link = await followLink(`${dev.server.url}/express`);
    expect(link.href).toBe(`http://localhost:${dev.server.port}/express/static/style.css`);
    expect([link.status, link.css]).toEqual([200, 'body { color: red } /* express */\n']);
  });

  it('Starlette under uvicorn: http on this host and port (the micro sees its own root, as on Space)', async () => {
    const link = await followLink(`${dev.server.url}/starlette`);
    expect(link.href).toBe(`http://localhost:${dev.server.port}/static/style.css`);
  });

  it('the host the browser used is the one in the links', async () => {
    const link = await followLink(`http://127.0.0.1:${dev.server.port}/docs`);
    expect(link.href).toBe(`http://127.0.0.1:${dev.server.port}/docs/static/style.css`);
    expect(link.status).toBe(200);
  });

  it('what a client claims about scheme, host, port or prefix never reaches the links', async () => {
    const claims = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'x-forwarded-port': '443', 'x-forwarded-prefix': '/evil' };
    for (const path of ['/', '/express']) {
      const link = await followLink(`${dev.server.url}${path}`, claims);
      expect(link.href.startsWith(`http://localhost:${dev.server.port}/`), link.href).toBe(true);
      expect(link.status).toBe(200);
    }
  });
});
