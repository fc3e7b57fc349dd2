/**
 * The app's data: its Bases (query with Deta's query language, page, edit an item's JSON, delete) and Drives (list,
 * upload, download, delete), and the whole of it as Space's export zip. Every read and write goes through the same
 * Base and Drive semantics as the SDKs' API (`BaseApi`, `DriveApi`), so the console stores only what an SDK could.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml } from '../../auth/responses';
import { BaseApi } from '../../data/base';
import type { BaseRef, Item } from '../../data/base-store';
import { DriveApi } from '../../data/drive';
import type { DriveRef } from '../../data/drive-store';
import { exportArchive } from '../../data/transfer';
import { formatBytes } from '../../core/format-bytes';
import { download, htmlPage } from '../http';
import { buttonForm, CONSOLE_PATH, csrfField, renderPage } from '../layout';
import { field, FieldError, type Page, type PageContext, type Post } from './context';

const DATA = `${CONSOLE_PATH}data`;
/** Items and file names per page: a screenful. */
export const PAGE_SIZE = 20;

const baseApi = (context: PageContext): BaseApi => new BaseApi(context.backend.data.base, context.now);
const driveApi = (context: PageContext): DriveApi => new DriveApi(context.backend.data.drive);
const baseRef = (context: PageContext, base: string): BaseRef => ({ projectId: context.backend.data.projectId, base });
const driveRef = (context: PageContext, drive: string): DriveRef => ({ projectId: context.backend.data.projectId, drive });

function link(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  return `${path}?${query.toString()}`;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new FieldError(`the address has no '${name}'`);
  return value;
}

export const dataPage: Page = async (context, notice) => {
  const { backend, csrf } = context;
  const { projectId, catalog } = backend.data;
  const [bases, drives] = await Promise.all([catalog.baseNames(projectId), catalog.driveNames(projectId)]);
  const list = (names: readonly string[], page: string, key: string, empty: string): string =>
    names.length === 0
      ? `<p class="muted">${empty}</p>`
      : `<ul>${names.map((name) => `<li><a href="${escapeHtml(link(page, { [key]: name }))}">${escapeHtml(name)}</a></li>`).join('')}</ul>`;
  const body = `<h2>Bases</h2>
${list(bases, `${DATA}/base`, 'base', 'No Base holds items yet.')}
<h2>Drives</h2>
${list(drives, `${DATA}/drive`, 'drive', 'No Drive holds files yet.')}
<form class="stack" method="post" action="${DATA}/upload" enctype="multipart/form-data">${csrfField(csrf)}
<label>Upload to the Drive <input name="drive" required placeholder="uploads"></label>
<label>File <input type="file" name="file" required></label>
<button type="submit">Upload</button></form>
<h2>Export</h2>
<p>Every Base and Drive as one zip, in the layout of Deta Space's export (<code>spaceport data import</code> reads it back).</p>
<p><a href="${DATA}/export" download>Download the export</a></p>`;
  return htmlPage(200, renderPage(backend.app.name, 'data', 'Data', body, notice));
};

/** The query in the form: a JSON object or array of objects in Deta's query language; empty for every item. */
function parseQueryText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FieldError(`the query is not JSON: ${(error as Error).message}`);
  }
}

export const basePage: Page = async (context, notice) => {
  const { backend, params, csrf } = context;
  const base = required(params, 'base');
  const queryText = params.get('query') ?? '';
  const last = params.get('last') ?? undefined;
  const reply = await baseApi(context).query(baseRef(context, base), {
    query: parseQueryText(queryText),
    limit: PAGE_SIZE,
    ...(last ? { last } : {}),
  });
  const { items, paging } = reply.body as { items: Item[]; paging: { size: number; last?: string } };
  const rows = items
    .map((item) => {
      const edit = escapeHtml(link(`${DATA}/item`, { base, key: item.key }));
      return `<tr><th scope="row"><a href="${edit}"><code>${escapeHtml(item.key)}</code></a></th><td><pre>${escapeHtml(JSON.stringify(item))}</pre></td>
<td><a href="${edit}" aria-label="Edit ${escapeHtml(item.key)}">Edit</a> ${buttonForm(`${DATA}/item/delete`, csrf, { base, key: item.key }, 'Delete', `Delete ${item.key}`)}</td></tr>`;
    })
    .join('\n');
  const next = paging.last
    ? `<p><a href="${escapeHtml(link(`${DATA}/base`, { base, query: queryText, last: paging.last }))}" rel="next">Next page</a></p>`
    : '';
  const body = `<form class="stack" method="get" action="${DATA}/base"><input type="hidden" name="base" value="${escapeHtml(base)}">
<label>Query (Deta's query language, e.g. <code>{"age?gte": 18}</code> or a list of such objects for OR; empty for every item)
<textarea name="query" rows="3">${escapeHtml(queryText)}</textarea></label>
<button type="submit">Query</button></form>
${items.length === 0 ? '<p class="muted">No items match.</p>' : `<table><caption class="muted">${items.length} item${items.length === 1 ? '' : 's'} in key order${last ? ` after <code>${escapeHtml(last)}</code>` : ''}</caption><thead><tr><th scope="col">Key</th><th scope="col">Item</th><th scope="col"><span class="muted">Edit or delete</span></th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
${next}
<h2>New item</h2>
${itemForm(base, undefined, context.form.fields.get('item') ?? '{\n  "key": "",\n  "value": ""\n}', csrf)}
<p><a href="${DATA}">All Bases and Drives</a></p>`;
  return htmlPage(200, renderPage(backend.app.name, 'data', `Base ${base}`, body, notice));
};

function itemForm(base: string, key: string | undefined, json: string, csrf: string): string {
  return `<form class="stack" method="post" action="${DATA}/item">${csrfField(csrf)}<input type="hidden" name="base" value="${escapeHtml(base)}">
${key === undefined ? '' : `<input type="hidden" name="key" value="${escapeHtml(key)}">`}<label>Item JSON${key === undefined ? ' (without a key, one is made up)' : ''}
<textarea name="item" rows="14" required>${escapeHtml(json)}</textarea></label>
<button type="submit">${key === undefined ? 'Add item' : 'Save item'}</button></form>`;
}

export const itemPage: Page = async (context, notice) => {
  const { backend, params, csrf } = context;
  const base = required(params, 'base');
  const key = required(params, 'key');
  const reply = await baseApi(context).get(baseRef(context, base), key);
  const back = `<p><a href="${escapeHtml(link(`${DATA}/base`, { base }))}">Back to ${escapeHtml(base)}</a></p>`;
  const body =
    reply.status === 404
      ? `<p role="alert">No item has the key <code>${escapeHtml(key)}</code> in ${escapeHtml(base)}.</p>${back}`
      : `<p class="muted">Saving replaces the whole item. The key stays <code>${escapeHtml(key)}</code> unless you change it, which saves a copy under the new key.</p>
${itemForm(base, key, context.form.fields.get('item') ?? JSON.stringify(reply.body, null, 2), csrf)}
${buttonForm(`${DATA}/item/delete`, csrf, { base, key }, 'Delete this item', `Delete ${key}`)}
${back}`;
  return htmlPage(reply.status === 404 ? 404 : 200, renderPage(backend.app.name, 'data', `Item ${key}`, body, notice));
};

export const saveItem: Post = async (context) => {
  const base = field(context, 'base');
  const originalKey = context.form.fields.get('key') || undefined;
  let item: unknown;
  try {
    item = JSON.parse(field(context, 'item'));
  } catch (error) {
    if (error instanceof FieldError) throw error;
    throw new FieldError(`the item is not JSON: ${(error as Error).message}`);
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new FieldError('the item must be a JSON object');
  const record = item as Record<string, unknown>;
  if ((record.key === undefined || record.key === '') && originalKey !== undefined) record.key = originalKey;
  if (record.key === '') delete record.key;
  const reply = await baseApi(context).put(baseRef(context, base), { items: [record] });
  const saved = (reply.body as { processed: { items: Item[] } }).processed.items[0]!;
  return {
    page: (pageContext, notice) => itemPage({ ...pageContext, params: new URLSearchParams({ base, key: saved.key }) }, notice),
    notice: { kind: 'status', html: `Saved <code>${escapeHtml(saved.key)}</code> in ${escapeHtml(base)}.` },
  };
};

/** Where a failed save is shown: the form it came from, holding what the owner typed, so nothing is lost. */
export const itemEditor: Page = (context, notice) => {
  const base = context.form.fields.get('base') ?? '';
  const key = context.form.fields.get('key') || undefined;
  const params = new URLSearchParams(key === undefined ? { base } : { base, key });
  return (key === undefined ? basePage : itemPage)({ ...context, params }, notice);
};

export const deleteItem: Post = async (context) => {
  const base = field(context, 'base');
  const key = field(context, 'key');
  await baseApi(context).delete(baseRef(context, base), key);
  return {
    page: (pageContext, notice) => basePage({ ...pageContext, params: new URLSearchParams({ base }) }, notice),
    notice: { kind: 'status', html: `Deleted <code>${escapeHtml(key)}</code> from ${escapeHtml(base)}.` },
  };
};

export const drivePage: Page = async (context, notice) => {
  const { backend, params, csrf } = context;
  const drive = required(params, 'drive');
  const prefix = params.get('prefix') ?? '';
  const last = params.get('last') ?? '';
  const reply = await driveApi(context).list(driveRef(context, drive), new URLSearchParams({ prefix, last, limit: String(PAGE_SIZE) }));
  const { names, paging } = reply.body as { names: string[]; paging?: { last: string } };
  const rows = names
    .map((name) => {
      const href = escapeHtml(link(`${DATA}/file`, { drive, name }));
      return `<tr><th scope="row"><a href="${href}" download>${escapeHtml(name)}</a></th>
<td><a href="${href}" download aria-label="Download ${escapeHtml(name)}">Download</a> ${buttonForm(`${DATA}/file/delete`, csrf, { drive, name }, 'Delete', `Delete ${name}`)}</td></tr>`;
    })
    .join('\n');
  const next = paging ? `<p><a href="${escapeHtml(link(`${DATA}/drive`, { drive, prefix, last: paging.last }))}" rel="next">Next page</a></p>` : '';
  const body = `<form method="get" action="${DATA}/drive"><input type="hidden" name="drive" value="${escapeHtml(drive)}">
<label>Names starting with <input name="prefix" value="${escapeHtml(prefix)}"></label> <button type="submit">Filter</button></form>
${names.length === 0 ? '<p class="muted">No files.</p>' : `<table><thead><tr><th scope="col">File</th><th scope="col"><span class="muted">Download or delete</span></th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
${next}
<h2>Upload</h2>
<form class="stack" method="post" action="${DATA}/upload" enctype="multipart/form-data">${csrfField(csrf)}<input type="hidden" name="drive" value="${escapeHtml(drive)}">
<label>File <input type="file" name="file" required></label>
<label>Name in the Drive (empty: the file's own name) <input name="name" placeholder="folder/name.txt"></label>
<button type="submit">Upload</button></form>
<p><a href="${DATA}">All Bases and Drives</a></p>`;
  return htmlPage(200, renderPage(backend.app.name, 'data', `Drive ${drive}`, body, notice));
};

export const downloadFile: Page = async (context) => {
  const drive = required(context.params, 'drive');
  const name = required(context.params, 'name');
  const file = await driveApi(context).download(driveRef(context, drive), name);
  return download(file.body, file.contentType, name.slice(name.lastIndexOf('/') + 1), file.size);
};

export const uploadFile: Post = async (context) => {
  const drive = field(context, 'drive').trim();
  const file = context.form.files.get('file');
  if (!file || file.fileName === '') throw new FieldError('choose a file to upload');
  const name = context.form.fields.get('name')?.trim() || file.fileName;
  await driveApi(context).putFile(
    driveRef(context, drive),
    name,
    file.contentType,
    (async function* () {
      yield file.data;
    })(),
    file.data.length,
  );
  return {
    page: (pageContext, notice) => drivePage({ ...pageContext, params: new URLSearchParams({ drive }) }, notice),
    notice: { kind: 'status', html: `Uploaded <code>${escapeHtml(name)}</code> (${formatBytes(file.data.length)}) to ${escapeHtml(drive)}.` },
  };
};

export const deleteFile: Post = async (context) => {
  const drive = field(context, 'drive');
  const name = field(context, 'name');
  await driveApi(context).deleteMany(driveRef(context, drive), { names: [name] });
  return {
    page: (pageContext, notice) => drivePage({ ...pageContext, params: new URLSearchParams({ drive }) }, notice),
    notice: { kind: 'status', html: `Deleted <code>${escapeHtml(name)}</code> from ${escapeHtml(drive)}.` },
  };
};

/** The export, written to a temporary file (as `spaceport data export` writes it; /tmp in Lambda) and streamed. */
export const exportData: Page = async (context) => {
  const dir = await mkdtemp(join(tmpdir(), 'spaceport-console-export-'));
  const path = join(dir, 'export.zip');
  try {
    await exportArchive(context.backend.data, path, { now: context.now });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // Removed once the stream closes: read to the end, destroyed by a client gone away, or discarded for a HEAD.
  const stream = createReadStream(path);
  stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  const day = new Date(context.now()).toISOString().slice(0, 10);
  return download(stream, 'application/zip', `${context.backend.app.name}-export-${day}.zip`);
};
