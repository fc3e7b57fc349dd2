/**
 * App Actions, as Space offered them: every micro with `provide_actions` declares its actions at its own
 * `GET /__space/actions` (`{"actions": [{"name", "title", "path", "input": [{"name", "type", "optional"}], "output"}]}`,
 * inputs of type `string`, `number` or `boolean`); running one posts the inputs as a JSON object to the action's
 * `path` on that micro, and its answer is shown as the card its `output` names (`@deta/raw` by default,
 * `@deta/detail`, `@deta/list`, `@deta/file`). The console calls the micro with the internal key (`MicroCaller`).
 */
import { escapeHtml } from '../../auth/responses';
import type { ConsoleMicro } from '../backend';
import { htmlPage } from '../http';
import { CONSOLE_PATH, csrfField, type Notice, renderPage } from '../layout';
import { field, FieldError, type Page, type Post } from './context';

/** Where a micro declares its App Actions (relative to the micro). */
export const APP_ACTIONS_DECLARATION = '/__space/actions';

const RUN = `${CONSOLE_PATH}app-actions/run`;
const INPUT_PREFIX = 'input.';

export interface AppActionInput {
  readonly name: string;
  readonly title?: string;
  readonly type: 'string' | 'number' | 'boolean';
  readonly optional: boolean;
}

export interface AppAction {
  readonly name: string;
  readonly title: string;
  /** Relative to the micro, with a leading `/`. */
  readonly path: string;
  readonly input: readonly AppActionInput[];
  readonly output: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The micro's declaration, read leniently as Space did (missing title: the name; missing output: `@deta/raw`). */
export function parseDeclaration(text: string, micro: string): AppAction[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FieldError(`${micro}'s GET ${APP_ACTIONS_DECLARATION} did not answer JSON`);
  }
  const actions = isRecord(value) ? value.actions : undefined;
  if (!Array.isArray(actions)) throw new FieldError(`${micro}'s GET ${APP_ACTIONS_DECLARATION} has no "actions" list`);
  return actions.flatMap((action, index): AppAction[] => {
    if (!isRecord(action) || typeof action.name !== 'string' || action.name === '' || typeof action.path !== 'string') {
      throw new FieldError(`${micro}'s action #${index + 1} needs a "name" and a "path"`);
    }
    const input = (Array.isArray(action.input) ? action.input : []).filter(isRecord).flatMap((entry): AppActionInput[] =>
      typeof entry.name === 'string' && entry.name !== ''
        ? [
            {
              name: entry.name,
              ...(typeof entry.title === 'string' ? { title: entry.title } : {}),
              type: entry.type === 'number' || entry.type === 'boolean' ? entry.type : 'string',
              optional: entry.optional === true,
            },
          ]
        : [],
    );
    return [
      {
        name: action.name,
        title: typeof action.title === 'string' && action.title !== '' ? action.title : action.name,
        path: action.path.startsWith('/') ? action.path : `/${action.path}`,
        input,
        output: typeof action.output === 'string' && action.output !== '' ? action.output : '@deta/raw',
      },
    ];
  });
}

/** The JSON object an action is posted: strings as typed, numbers as numbers, booleans from their checkbox. */
export function actionPayload(action: AppAction, fields: URLSearchParams): Record<string, string | number | boolean> {
  const payload: Record<string, string | number | boolean> = {};
  for (const input of action.input) {
    const raw = fields.get(INPUT_PREFIX + input.name);
    if (input.type === 'boolean') {
      payload[input.name] = raw !== null;
      continue;
    }
    if (raw === null || raw === '') {
      if (input.optional) continue;
      throw new FieldError(`'${input.title ?? input.name}' is required by the action ${action.title}`);
    }
    if (input.type === 'number') {
      const number = Number(raw);
      if (!Number.isFinite(number)) throw new FieldError(`'${input.title ?? input.name}' must be a number, got '${raw}'`);
      payload[input.name] = number;
    } else payload[input.name] = raw;
  }
  return payload;
}

async function declarationOf(context: Parameters<Page>[0], micro: ConsoleMicro): Promise<AppAction[]> {
  const reply = await context.backend.micros.call(micro.name, 'GET', APP_ACTIONS_DECLARATION);
  if (reply.status !== 200) throw new FieldError(`${micro.name}'s GET ${APP_ACTIONS_DECLARATION} answered ${reply.status}`);
  return parseDeclaration(reply.body.toString('utf8'), micro.name);
}

/** One input; `posted` holds what the owner sent last time, shown again after a run so nothing typed is lost. */
function inputField(input: AppActionInput, id: string, posted: URLSearchParams | undefined): string {
  const label = escapeHtml(input.title ?? input.name);
  const name = escapeHtml(INPUT_PREFIX + input.name);
  const value = posted?.get(INPUT_PREFIX + input.name) ?? null;
  if (input.type === 'boolean')
    return `<label><input type="checkbox" name="${name}" value="true"${value === null ? '' : ' checked'}> ${label}</label>`;
  const type = input.type === 'number' ? 'number" step="any' : 'text';
  const optional = input.optional ? ' <span class="muted">(optional)</span>' : '';
  const shown = value === null ? '' : ` value="${escapeHtml(value)}"`;
  return `<label for="${id}">${label}${optional}</label><input id="${id}" type="${type}" name="${name}"${shown}${input.optional ? '' : ' required'}>`;
}

function actionForm(micro: string, action: AppAction, csrf: string, fields: URLSearchParams): string {
  const posted = fields.get('micro') === micro && fields.get('action') === action.name ? fields : undefined;
  const inputs = action.input
    .map((input, index) => inputField(input, `${micro}-${action.name}-${index}`.replace(/[^A-Za-z0-9_-]/g, '_'), posted))
    .join('\n');
  return `<form class="stack" method="post" action="${RUN}"><fieldset><legend>${escapeHtml(action.title)}</legend>${csrfField(csrf)}
<input type="hidden" name="micro" value="${escapeHtml(micro)}"><input type="hidden" name="action" value="${escapeHtml(action.name)}">
${inputs}
<p class="muted"><code>POST ${escapeHtml(action.path)}</code> on ${escapeHtml(micro)}, shown as <code>${escapeHtml(action.output)}</code></p>
<button type="submit">Run ${escapeHtml(action.title)}</button></fieldset></form>`;
}

export const appActionsPage: Page = async (context, notice) => {
  const { backend, csrf } = context;
  const micros = backend.app.micros.filter((micro) => micro.provideActions);
  const sections = await Promise.all(
    micros.map(async (micro) => {
      let content: string;
      try {
        const actions = await declarationOf(context, micro);
        content =
          actions.length === 0
            ? '<p class="muted">It declares no actions.</p>'
            : actions.map((action) => actionForm(micro.name, action, csrf, context.form.fields)).join('\n');
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        content = `<p role="alert">${escapeHtml(error.message)}</p>`;
      }
      return `<h2>${escapeHtml(micro.name)}</h2>\n${content}`;
    }),
  );
  const body =
    micros.length === 0
      ? '<p>No micro of this app provides App Actions: a micro does with <code>provide_actions: true</code> in the Spacefile and a <code>GET /__space/actions</code> route.</p>'
      : sections.join('\n');
  return htmlPage(200, renderPage(backend.app.name, 'app-actions', 'App Actions', body, notice));
};

/** Only links a browser may follow from a card: http(s), never `javascript:` or `data:`. */
function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function linkTo(value: unknown, label: string): string {
  const url = safeUrl(value);
  return url ? `<a href="${escapeHtml(url)}" rel="noreferrer noopener">${escapeHtml(label)}</a>` : '';
}

function raw(data: unknown): string {
  return `<pre>${escapeHtml(typeof data === 'string' ? data : JSON.stringify(data, null, 2))}</pre>`;
}

/** The action's answer as the card its `output` names; anything a card cannot show is shown raw. */
export function renderOutput(output: string, data: unknown): string {
  if (output === '@deta/detail' && isRecord(data)) {
    const title = typeof data.title === 'string' && data.title ? `<h3>${escapeHtml(data.title)}</h3>` : '';
    const text = typeof data.text === 'string' ? `<p>${escapeHtml(data.text)}</p>` : '';
    const links = [linkTo(data.url ?? data.ref, 'Open'), linkTo(data.image_url, 'Image')].filter(Boolean).join(' ');
    return `${title}${text}${links ? `<p>${links}</p>` : ''}`;
  }
  if (output === '@deta/list' && isRecord(data) && Array.isArray(data.items)) {
    const head = `${typeof data.title === 'string' ? `<h3>${escapeHtml(data.title)}</h3>` : ''}${typeof data.description === 'string' ? `<p>${escapeHtml(data.description)}</p>` : ''}`;
    const items = data.items
      .map((item) => {
        if (!isRecord(item)) return `<li>${raw(item)}</li>`;
        const title = typeof item.title === 'string' ? item.title : JSON.stringify(item);
        const description = typeof item.description === 'string' ? ` <span class="muted">${escapeHtml(item.description)}</span>` : '';
        return `<li>${linkTo(item.url, title) || escapeHtml(title)}${description}</li>`;
      })
      .join('');
    return `${head}<ul>${items}</ul>`;
  }
  if (output === '@deta/file' && isRecord(data)) {
    const name = typeof data.name === 'string' ? data.name : 'the file';
    return `<p>${linkTo(data.url, name) || escapeHtml(name)}</p>`;
  }
  return raw(data);
}

export const runAppAction: Post = async (context) => {
  const microName = field(context, 'micro');
  const actionName = field(context, 'action');
  const micro = context.backend.app.micros.find((candidate) => candidate.name === microName && candidate.provideActions);
  if (!micro) throw new FieldError(`no micro named '${microName}' provides App Actions`);
  const action = (await declarationOf(context, micro)).find((candidate) => candidate.name === actionName);
  if (!action) throw new FieldError(`${microName} declares no action '${actionName}'`);
  const reply = await context.backend.micros.call(micro.name, 'POST', action.path, actionPayload(action, context.form.fields));
  const text = reply.body.toString('utf8');
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // Space showed a body that is not JSON as the text it is.
  }
  const ok = reply.status < 400;
  const notice: Notice = {
    kind: ok ? 'status' : 'alert',
    html: `<p>${escapeHtml(action.title)} on ${escapeHtml(micro.name)}: ${ok ? '<span class="ok">answered</span>' : '<span class="bad">failed</span>'} ${reply.status}</p>
<section aria-label="Output of ${escapeHtml(action.title)}">${renderOutput(ok ? action.output : '@deta/raw', data)}</section>`,
  };
  return { page: 'app-actions', notice };
};
