/** The frame of every console page: title, navigation, the notice of what a form just did, and the sign-out button. */
import { escapeHtml } from '../auth/responses';
import { SIGNOUT_PATH } from '../auth/rules';
import { CONSOLE_CSS } from './http';

/** Where the console lives on the app's own host. */
export const CONSOLE_PATH = '/__space/';

/** The console's pages, in navigation order: path below CONSOLE_PATH and label. */
export const PAGES = [
  ['', 'Overview'],
  ['actions', 'Scheduled actions'],
  ['keys', 'API keys'],
  ['data', 'Data'],
  ['app-actions', 'App Actions'],
  ['logs', 'Logs'],
] as const;

export type PageName = (typeof PAGES)[number][0];

export interface Notice {
  readonly kind: 'status' | 'alert';
  /** HTML, escaped by whoever made it. */
  readonly html: string;
}

/** The hidden field every state-changing form carries. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;
}

/** A POST form of one button and hidden fields. */
export function buttonForm(action: string, csrf: string, fields: Readonly<Record<string, string>>, label: string, buttonLabel = label): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form class="inline" method="post" action="${escapeHtml(action)}">${csrfField(csrf)}${hidden}<button type="submit" aria-label="${escapeHtml(buttonLabel)}">${escapeHtml(label)}</button></form>`;
}

export function renderPage(appName: string, current: PageName, title: string, body: string, notice?: Notice): string {
  const nav = PAGES.map(([path, label]) => {
    const currentAttribute = path === current ? ' aria-current="page"' : '';
    return `<a href="${CONSOLE_PATH}${path}"${currentAttribute}>${label}</a>`;
  }).join('');
  const message = notice ? `<div role="${notice.kind}">${notice.html}</div>\n` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(appName)}</title><style>${CONSOLE_CSS}</style></head>
<body><header><strong>${escapeHtml(appName)}</strong><nav aria-label="Console">${nav}</nav>
<form class="inline" method="post" action="${SIGNOUT_PATH}"><button type="submit">Sign out</button></form></header>
<main><h1>${escapeHtml(title)}</h1>
${message}${body}
</main></body></html>
`;
}

export function when(date: Date | undefined, fallback = '—'): string {
  return date
    ? `<time datetime="${date.toISOString()}">${date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')}</time>`
    : fallback;
}
