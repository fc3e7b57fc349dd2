/** API keys: each key's name, micro and age; a new key is shown once, on the page that created it. */
import { checkKeyName } from '../../auth/api-keys';
import { escapeHtml } from '../../auth/responses';
import { htmlPage } from '../http';
import { buttonForm, CONSOLE_PATH, csrfField, renderPage, when } from '../layout';
import { field, FieldError, type Page, type Post } from './context';

const KEYS = `${CONSOLE_PATH}keys`;

export const keysPage: Page = async ({ backend, csrf }, notice) => {
  const { app } = backend;
  const keyMicros = app.micros.filter((micro) => micro.apiKeys);
  const keys = await backend.keys.list();
  const rows = keys
    .map(
      (
        key,
      ) => `<tr><th scope="row"><code>${escapeHtml(key.name)}</code></th><td>${key.micro ? escapeHtml(key.micro) : '<span class="muted">every micro with API keys</span>'}</td>
<td>${when(new Date(key.createdAt))}</td><td>${buttonForm(`${KEYS}/delete`, csrf, { name: key.name }, 'Delete', `Delete the key ${key.name}`)}</td></tr>`,
    )
    .join('\n');
  const options = [['', 'every micro with API keys'], ...keyMicros.map((micro) => [micro.name, micro.name])]
    .map(([value, label]) => `<option value="${escapeHtml(value!)}">${escapeHtml(label!)}</option>`)
    .join('');
  const create =
    keyMicros.length === 0
      ? '<p class="muted">No micro of this app accepts API keys: a micro does when its Spacefile has <code>presets: api_keys: true</code>.</p>'
      : `<form class="stack" method="post" action="${KEYS}/create">${csrfField(csrf)}
<label>Name <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" placeholder="ci-deploy"></label>
<label>For <select name="micro">${options}</select></label>
<button type="submit">Create key</button></form>`;
  const body = `<p>Clients send a key as the <code>X-Space-App-Key</code> header to micros that accept API keys (${keyMicros.map((micro) => escapeHtml(micro.name)).join(', ') || 'none'}). A key never opens this console.</p>
${keys.length === 0 ? '<p class="muted">No API keys.</p>' : `<table><thead><tr><th scope="col">Name</th><th scope="col">For</th><th scope="col">Created</th><th scope="col"><span class="muted">Delete</span></th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
<h2>New key</h2>
${create}`;
  return htmlPage(200, renderPage(app.name, 'keys', 'API keys', body, notice));
};

export const createKey: Post = async (context) => {
  const name = field(context, 'name').trim();
  try {
    checkKeyName(name);
  } catch (error) {
    throw new FieldError((error as Error).message);
  }
  const micro = context.form.fields.get('micro') || undefined;
  if (micro !== undefined && !context.backend.app.micros.some((candidate) => candidate.name === micro && candidate.apiKeys)) {
    throw new FieldError(`the micro '${micro}' does not accept API keys`);
  }
  if ((await context.backend.keys.list()).some((key) => key.name === name))
    throw new FieldError(`a key named '${name}' exists: delete it first or pick another name`);
  const { key } = await context.backend.keys.create(name, micro, new Date(context.now()));
  return {
    page: 'keys',
    notice: {
      kind: 'status',
      html: `Created the key <code>${escapeHtml(name)}</code>. Copy it now: it is shown this once and never again.<br><code class="secret" aria-label="The new API key">${escapeHtml(key)}</code>`,
    },
  };
};

export const deleteKey: Post = async (context) => {
  const name = field(context, 'name');
  if (!(await context.backend.keys.delete(name))) throw new FieldError(`no key is named '${name}'`);
  return {
    page: 'keys',
    notice: { kind: 'status', html: `Deleted the key <code>${escapeHtml(name)}</code>: requests with it are refused from now on.` },
  };
};
