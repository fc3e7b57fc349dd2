/**
 * What the owner sees and does in the console, page by page, against the real `spaceport dev` with the console
 * fixture app: the overview, API keys (shown once, working, deleted), scheduled actions (run, pause, resume, a new
 * interval), Base items (query, paging, edit, delete), Drive files (upload, download, delete), the export, App
 * Actions (forms from the micro's declaration, outputs as cards) and the logs.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../lib/data/archive';
import { eventually } from '../dev/dev-helpers';
import { type ConsoleDev, csrfOf, navigate, open, page, post, startConsoleDev } from './console-helpers';

let app: ConsoleDev;
let csrf: string;

beforeAll(async () => {
  app = await startConsoleDev();
  csrf = csrfOf(await page(app, '/__space/keys'));
});
afterAll(() => app?.dev.server.stop());

const text = async (response: Response): Promise<string> => response.text();
/** The notice a form's page shows: what the post did. */
const noticeOf = (html: string): string => /<div role="(?:status|alert)">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';

describe('overview', () => {
  it('shows the app URL and each micro with its path, engine, runtime, public routes and credentials', async () => {
    const html = await page(app, '/__space/');
    expect(html).toContain(`<a href="${app.dev.server.url}">${app.dev.server.url}</a>`);
    expect(html).toMatch(
      /<th scope="row">web <span class="muted">\(primary\)<\/span><\/th>\s*<td><a href="[^"]+"><code>\/<\/code><\/a><\/td><td>nodejs16<\/td><td><code>nodejs\d+\.x<\/code><\/td>\s*<td><code>\/public\/\*<\/code><\/td><td>yes<\/td><td>yes<\/td>/,
    );
    expect(html).toMatch(
      /<th scope="row">docs<\/th>\s*<td><a href="[^"]+\/docs"><code>\/docs<\/code><\/a><\/td><td>static<\/td><td><code>static<\/code><\/td>\s*<td><code>\/\*<\/code><\/td><td>no<\/td><td>no<\/td>/,
    );
  });

  it('redirects /__space to the console and shows a 404 page for what it does not have', async () => {
    const bare = await open(app, '/__space');
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe('/__space/');
    const missing = await open(app, '/__space/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('The console has no page <code>/__space/nothing</code>');
  });
});

describe('API keys', () => {
  it('shows a new key once; the key opens the micro, never the console, and stops working when deleted', async () => {
    const created = await text(await post(app, '/__space/keys/create', { name: 'ci-deploy', micro: 'web' }, csrf));
    const key = /<code class="secret"[^>]*>(spk_[A-Za-z0-9_-]+)<\/code>/.exec(created)?.[1];
    expect(key).toBeDefined();
    expect(noticeOf(created)).toContain('shown this once');
    const listed = await page(app, '/__space/keys');
    expect(listed).toContain('<code>ci-deploy</code>');
    expect(listed).not.toContain(key);
    expect((await app.dev.get('/', { headers: { 'x-space-app-key': key! } })).status).toBe(200);
    expect((await app.dev.get('/__space/keys', { headers: { 'x-space-app-key': key!, accept: 'application/json' } })).status).toBe(401);

    const taken = await post(app, '/__space/keys/create', { name: 'ci-deploy', micro: '' }, csrf);
    expect(taken.status).toBe(400);
    expect(noticeOf(await taken.text())).toContain('a key named &#39;ci-deploy&#39; exists');
    const badName = await post(app, '/__space/keys/create', { name: 'no spaces', micro: '' }, csrf);
    expect(badName.status).toBe(400);
    expect(noticeOf(await badName.text())).toContain('is not a valid key name');
    expect((await post(app, '/__space/keys/create', { name: 'x', micro: 'docs' }, csrf)).status).toBe(400);

    const deleted = await text(await post(app, '/__space/keys/delete', { name: 'ci-deploy' }, csrf));
    expect(noticeOf(deleted)).toContain('Deleted the key <code>ci-deploy</code>');
    expect((await app.dev.get('/', { headers: { 'x-space-app-key': key!, accept: 'application/json' } })).status).toBe(401);
    expect((await post(app, '/__space/keys/delete', { name: 'ci-deploy' }, csrf)).status).toBe(400);
  });
});

describe('scheduled actions', () => {
  it('runs an action now and shows its last run', async () => {
    const ran = await text(await post(app, '/__space/actions/run', { id: 'tick' }, csrf));
    expect(noticeOf(ran)).toMatch(/Ran <code>tick<\/code>: <span class="ok">ok<\/span> 200 in \d+ ms/);
    expect(ran).toMatch(/<span class="ok">ok<\/span> 200 in \d+ ms, <time/);
    expect((await post(app, '/__space/actions/run', { id: 'nope' }, csrf)).status).toBe(400);
  });

  it('pauses and resumes the schedule, as spaceport actions --local sees it', async () => {
    const paused = await text(await post(app, '/__space/actions/pause', { id: 'tick' }, csrf));
    expect(paused).toContain('<span class="muted">paused</span>');
    expect(paused).toContain('aria-label="Resume Tick"');
    const local = async (): Promise<unknown> => (await (await app.dev.get('/__space/dev/actions')).json()).actions[0];
    expect(await local()).toMatchObject({ id: 'tick', paused: true });
    const resumed = await text(await post(app, '/__space/actions/resume', { id: 'tick' }, csrf));
    expect(resumed).toContain('aria-label="Pause Tick"');
    expect(await local()).toMatchObject({ id: 'tick', paused: false, nextRun: expect.any(String) });
  });

  it('sets a new interval, and says what is wrong with a bad one', async () => {
    const set = await text(await post(app, '/__space/actions/interval', { id: 'tick', interval: '0 9 * * 1-5' }, csrf));
    expect(noticeOf(set)).toContain('<code>tick</code> now runs every <code>0 9 * * 1-5</code>');
    const next = new Date(((await (await app.dev.get('/__space/dev/actions')).json()).actions[0] as { nextRun: string }).nextRun);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([9, 0]);
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
    const bad = await post(app, '/__space/actions/interval', { id: 'tick', interval: 'every day' }, csrf);
    expect(bad.status).toBe(400);
    const refusedPage = await bad.text();
    expect(noticeOf(refusedPage)).toContain('every day');
    expect(refusedPage).toContain('<input name="interval" value="every day" size="14" required aria-invalid="true">');
    const unchanged = await page(app, '/__space/actions');
    expect(unchanged).toContain('<input name="interval" value="0 9 * * 1-5" size="14" required>');
  });
});

describe('Base', () => {
  it('adds items, queries them with the query language, pages through them, edits and deletes one', async () => {
    for (let n = 1; n <= 23; n++) {
      const saved = await post(
        app,
        '/__space/data/item',
        { base: 'people', item: JSON.stringify({ key: `p${String(n).padStart(2, '0')}`, n, team: n % 2 ? 'odd' : 'even' }) },
        csrf,
      );
      expect(saved.status).toBe(200);
    }
    expect(await page(app, '/__space/data')).toContain('<a href="/__space/data/base?base=people">people</a>');
    const first = await page(app, '/__space/data/base?base=people');
    expect(first).toContain('20 items in key order');
    const next = /<a href="([^"]+)" rel="next">/.exec(first)![1]!.replace(/&#38;/g, '&');
    const second = await page(app, next);
    expect(second).toContain('3 items in key order after <code>p20</code>');
    expect(second).toContain('<code>p23</code>');

    const query = encodeURIComponent(JSON.stringify([{ 'n?gt': 20 }, { team: 'even', 'n?lt': 4 }]));
    const found = await page(app, `/__space/data/base?base=people&query=${query}`);
    expect([...found.matchAll(/<th scope="row"><a [^>]+><code>(p\d+)<\/code>/g)].map((match) => match[1])).toEqual(['p02', 'p21', 'p22', 'p23']);
    const badQuery = await open(app, `/__space/data/base?base=people&query=${encodeURIComponent('{"n?between": 3}')}`);
    expect(badQuery.status).toBe(400);
    expect(await badQuery.text()).toContain('Bad query');

    const editor = await page(app, '/__space/data/item?base=people&key=p02');
    expect(editor).toContain('&#34;team&#34;: &#34;even&#34;');
    const edited = await text(
      await post(app, '/__space/data/item', { base: 'people', key: 'p02', item: '{"n": 2, "team": "blue", "note": "<b>bold</b>"}' }, csrf),
    );
    expect(noticeOf(edited)).toContain('Saved <code>p02</code>');
    expect(edited).toContain('&#34;note&#34;: &#34;&#60;b&#62;bold&#60;/b&#62;&#34;');
    const notJson = await post(app, '/__space/data/item', { base: 'people', key: 'p02', item: '{"n": ' }, csrf);
    expect(notJson.status).toBe(400);
    const kept = await notJson.text();
    expect(noticeOf(kept)).toContain('the item is not JSON');
    expect(kept).toContain('<title>Item p02');
    expect(kept).toContain('>{&#34;n&#34;: </textarea>');
    const badItem = await post(app, '/__space/data/item', { base: 'people', item: '{"key": "x", "__expires": "soon"}' }, csrf);
    expect(badItem.status).toBe(400);
    const keptNew = await badItem.text();
    expect(keptNew).toContain('<title>Base people');
    expect(keptNew).toContain('&#34;__expires&#34;: &#34;soon&#34;}</textarea>');

    const deleted = await text(await post(app, '/__space/data/item/delete', { base: 'people', key: 'p02' }, csrf));
    expect(noticeOf(deleted)).toContain('Deleted <code>p02</code> from people');
    expect((await open(app, '/__space/data/item?base=people&key=p02')).status).toBe(404);
  });
});

describe('Drive and export', () => {
  it('uploads a file, downloads it as an attachment with its bytes, and deletes it', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('drive', 'photos');
    form.set('name', 'trips/rome "2024".bin');
    form.set('file', new Blob([bytes], { type: 'application/octet-stream' }), 'local.bin');
    const uploaded = await navigate(app, '/__space/data/upload', {
      method: 'POST',
      headers: { cookie: app.cookie, origin: app.dev.server.url, 'sec-fetch-site': 'same-origin' },
      body: form,
    });
    const listing = await uploaded.text();
    expect(uploaded.status, noticeOf(listing)).toBe(200);
    expect(noticeOf(listing)).toContain('Uploaded <code>trips/rome &#34;2024&#34;.bin</code> (7 B) to photos');
    const href = /<a href="([^"]+)" download>trips\/rome/.exec(listing)![1]!.replace(/&#38;/g, '&');
    const downloaded = await open(app, href);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toBe(
      `attachment; filename="rome _2024_.bin"; filename*=UTF-8''${encodeURIComponent('rome "2024".bin')}`,
    );
    expect(Buffer.from(await downloaded.arrayBuffer())).toEqual(bytes);
    const deleted = await text(await post(app, '/__space/data/file/delete', { drive: 'photos', name: 'trips/rome "2024".bin' }, csrf));
    expect(noticeOf(deleted)).toContain('Deleted');
    expect((await open(app, href)).status).toBe(404);
  });

  it("exports every Base and Drive as Space's export zip", async () => {
    await post(app, '/__space/data/item', { base: 'export-me', item: '{"key": "only", "v": 1}' }, csrf);
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('drive', 'docs');
    form.set('file', new Blob(['hello']), 'hello.txt');
    await navigate(app, '/__space/data/upload', {
      method: 'POST',
      headers: { cookie: app.cookie, origin: app.dev.server.url },
      body: form,
    });
    const response = await open(app, '/__space/data/export');
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="Console demo-export-\d{4}-\d{2}-\d{2}\.zip"/);
    const dir = mkdtempSync(join(tmpdir(), 'console-export-'));
    try {
      writeFileSync(join(dir, 'export.zip'), Buffer.from(await response.arrayBuffer()));
      const archive = await openArchive(join(dir, 'export.zip'));
      expect(archive.bases).toContain('export-me');
      expect(archive.files.map((file) => `${file.drive}/${file.name}`)).toContain('docs/hello.txt');
      const items = [];
      for await (const item of archive.items('export-me')) items.push(item);
      expect(items.map((entry) => entry.value)).toContainEqual({ key: 'only', v: 1 });
      archive.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const head = await navigate(app, '/__space/data/export', { method: 'HEAD', headers: { cookie: app.cookie } });
    expect(head.status).toBe(200);
    await eventually(async () => (leftoverExports().length === 0 ? true : undefined), 'the exports to be removed');
  });
});

/** The console's temporary export directories still on disk. */
function leftoverExports(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('spaceport-console-export-'));
}

describe('App Actions', () => {
  it("renders a form per action from the micro's GET /__space/actions", async () => {
    const html = await page(app, '/__space/app-actions');
    expect(html).toContain('<legend>Greet someone</legend>');
    expect(html).toMatch(/<label for="web-greet-0">name<\/label><input id="web-greet-0" type="text" name="input.name" required>/);
    expect(html).toMatch(
      /<label for="web-greet-1">times <span class="muted">\(optional\)<\/span><\/label><input id="web-greet-1" type="number" step="any" name="input.times">/,
    );
    expect(html).toContain('<label><input type="checkbox" name="input.loud" value="true"> loud</label>');
    expect(html).toContain('<legend>echo</legend>');
    expect(html).toContain('<code>POST /tools/echo</code> on web, shown as <code>@deta/raw</code>');
  });

  it('runs an action with typed inputs and shows its output as its card, without unsafe links', async () => {
    const ran = await text(
      await post(
        app,
        '/__space/app-actions/run',
        { micro: 'web', action: 'greet', 'input.name': 'Ada', 'input.times': '2', 'input.loud': 'true' },
        csrf,
      ),
    );
    const notice = noticeOf(ran);
    expect(notice).toContain('<h3>Greeting</h3><p>HELLO ADA!!</p>');
    expect(notice).not.toContain('javascript:');
    const echoed = noticeOf(
      await text(await post(app, '/__space/app-actions/run', { micro: 'web', action: 'echo', 'input.text': '<i>x</i>' }, csrf)),
    );
    expect(echoed).toContain('&#34;text&#34;: &#34;&#60;i&#62;x&#60;/i&#62;&#34;');
    const missing = await post(app, '/__space/app-actions/run', { micro: 'web', action: 'greet', 'input.name': '' }, csrf);
    expect(missing.status).toBe(400);
    expect(noticeOf(await missing.text())).toContain('&#39;name&#39; is required by the action Greet someone');
    const notNumber = await post(
      app,
      '/__space/app-actions/run',
      { micro: 'web', action: 'greet', 'input.name': 'A"b', 'input.times': 'many', 'input.loud': 'true' },
      csrf,
    );
    const again = await notNumber.text();
    expect(noticeOf(again)).toContain('must be a number');
    expect(again).toContain('name="input.name" value="A&#34;b" required>');
    expect(again).toContain('name="input.times" value="many">');
    expect(again).toContain('name="input.loud" value="true" checked>');
    expect(again).toMatch(/name="input.text">/);
    expect((await post(app, '/__space/app-actions/run', { micro: 'docs', action: 'greet' }, csrf)).status).toBe(400);
    expect((await post(app, '/__space/app-actions/run', { micro: 'web', action: 'nope' }, csrf)).status).toBe(400);
  });
});

describe('logs', () => {
  it("shows the app's recent lines, of every micro or of one", async () => {
    await app.dev.get('/hello-from-the-logs-test', { headers: { cookie: app.cookie } });
    const all = await page(app, '/__space/logs');
    expect(all).toContain('web saw GET /hello-from-the-logs-test');
    expect(all).toMatch(/<td>dev<\/td><td><pre>ready on/);
    const web = await page(app, '/__space/logs?source=web');
    expect(web).toContain('web saw GET /hello-from-the-logs-test');
    expect(web).not.toContain('<td>dev</td>');
  });
});
