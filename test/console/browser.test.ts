/**
 * The console in a real browser (Debian's chromium, headless, driven by playwright-core, which never downloads a
 * browser of its own): sign in, create and delete an API key, run and pause an action, add, query and edit a Base
 * item, upload and download a Drive file, run an App Action through its form. Plain forms, no script: what the
 * owner clicks is what the tests click. With UPDATE_SCREENSHOTS=1 the pages' screenshots are written to
 * docs/console/ (docs/console.md shows them); otherwise to a temporary directory.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleDev, ownerSecretOf, startConsoleDev } from './console-helpers';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the console's browser test`);
if (!hasChromium) console.warn(`skipping the console's browser test: ${CHROMIUM} is missing (apt-get install chromium)`);

const screenshots = process.env.UPDATE_SCREENSHOTS ? join(__dirname, '..', '..', 'docs', 'console') : mkdtempSync(join(tmpdir(), 'console-shots-'));

let app: ConsoleDev;
let browser: Browser;
let tab: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  app = await startConsoleDev();
  // Root in a container has no user namespaces for chromium's own sandbox; the page is our own console.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  tab = await browser.newPage({ viewport: { width: 1180, height: 820 }, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.dev.server.stop();
  if (!process.env.UPDATE_SCREENSHOTS) rmSync(screenshots, { recursive: true, force: true });
});

const shoot = (name: string, fullPage = true): Promise<Buffer> => tab.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
const notice = (): Promise<string> => tab.locator('[role=status], [role=alert]').first().innerText();

describe.skipIf(!hasChromium)('the console in chromium', () => {
  it('signs the owner in and shows the overview', async () => {
    await tab.goto(`${app.dev.server.url}/__space/`);
    expect(new URL(tab.url()).pathname).toBe('/__space/signin');
    await tab.getByLabel('Owner secret').fill(ownerSecretOf(app));
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL('**/__space/');
    await expect(tab.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Overview');
    await expect(tab.getByRole('row', { name: /^web \(primary\)/ }).innerText()).resolves.toContain('nodejs16');
    await shoot('overview');
  });

  it('creates an API key, shows it once, and deletes it', async () => {
    await tab.getByRole('link', { name: 'API keys' }).click();
    await tab.getByLabel('Name').fill('browser-key');
    await tab.getByLabel('For').selectOption('web');
    await tab.getByRole('button', { name: 'Create key' }).click();
    const key = await tab.getByLabel('The new API key').innerText();
    expect(key).toMatch(/^spk_/);
    await shoot('keys');
    expect((await app.dev.get('/', { headers: { 'x-space-app-key': key } })).status).toBe(200);
    await tab.reload();
    await expect(tab.content()).resolves.not.toContain(key);
    await tab.getByRole('button', { name: 'Delete the key browser-key' }).click();
    await expect(notice()).resolves.toContain('Deleted the key browser-key');
    expect((await app.dev.get('/', { headers: { 'x-space-app-key': key, accept: 'application/json' } })).status).toBe(401);
  });

  it('runs an action now and pauses it', async () => {
    await tab.getByRole('link', { name: 'Scheduled actions' }).click();
    await tab.getByRole('button', { name: 'Run Tick now' }).click();
    await expect(notice()).resolves.toMatch(/Ran tick: ok 200 in \d+ ms/);
    await tab.getByRole('button', { name: 'Pause Tick' }).click();
    await expect(notice()).resolves.toContain('Paused tick');
    await expect(tab.getByRole('row', { name: /^Tick/ }).innerText()).resolves.toContain('paused');
    await shoot('actions');
  });

  it('adds, queries and edits a Base item', async () => {
    await tab.goto(`${app.dev.server.url}/__space/data/base?base=groceries`);
    for (const [key, name, qty] of [
      ['a', 'milk', 2],
      ['b', 'eggs', 12],
      ['c', 'oat milk', 1],
    ] as const) {
      await tab.getByLabel(/^Item JSON/).fill(JSON.stringify({ key, name, qty }));
      await tab.getByRole('button', { name: 'Add item' }).click();
      await expect(notice()).resolves.toContain(`Saved ${key} in groceries`);
      await tab.goto(`${app.dev.server.url}/__space/data/base?base=groceries`);
    }
    await tab.getByLabel(/^Query/).fill('{"name?contains": "milk", "qty?lt": 5}');
    await tab.getByRole('button', { name: 'Query' }).click();
    const keys = await tab.locator('tbody th[scope=row]').allInnerTexts();
    expect(keys).toEqual(['a', 'c']);
    await shoot('data-base');
    await tab.getByRole('link', { name: 'Edit c' }).click();
    await tab.getByLabel(/^Item JSON/).fill('{"key": "c", "name": "oat milk", "qty": 3}');
    await tab.getByRole('button', { name: 'Save item' }).click();
    await expect(notice()).resolves.toContain('Saved c in groceries');
    await expect(tab.getByLabel(/^Item JSON/).inputValue()).resolves.toContain('"qty": 3');
  });

  it('uploads a Drive file and downloads it', async () => {
    await tab.goto(`${app.dev.server.url}/__space/data/drive?drive=receipts`);
    const bytes = Buffer.from('receipt: 3 oat milk\n');
    await tab.getByLabel('File', { exact: true }).setInputFiles({ name: 'march.txt', mimeType: 'text/plain', buffer: bytes });
    await tab.getByRole('button', { name: 'Upload' }).click();
    await expect(notice()).resolves.toContain('Uploaded march.txt (20 B) to receipts');
    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('link', { name: 'Download march.txt' }).click()]);
    expect(download.suggestedFilename()).toBe('march.txt');
    expect(readFileSync((await download.path())!)).toEqual(bytes);
    await shoot('data-drive');
  });

  it('runs an App Action through its form', async () => {
    await tab.getByRole('link', { name: 'App Actions' }).click();
    await tab.getByLabel('name', { exact: true }).fill('Ada');
    await tab.getByLabel('times (optional)').fill('3');
    await tab.getByLabel('loud').check();
    await tab.getByRole('button', { name: 'Run Greet someone' }).click();
    await expect(tab.getByRole('region', { name: 'Output of Greet someone' }).innerText()).resolves.toContain('HELLO ADA!!!');
    await shoot('app-actions');
  });

  it('shows the logs', async () => {
    await tab.getByRole('link', { name: 'Logs' }).click();
    await expect(tab.locator('main').innerText()).resolves.toContain('web saw POST /__space/actions/greet');
    await shoot('logs', false);
  });
});
