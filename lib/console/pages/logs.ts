/** The app's recent log lines, of every micro or of one. */
import { escapeHtml } from '../../auth/responses';
import { htmlPage } from '../http';
import { CONSOLE_PATH, renderPage } from '../layout';
import type { Page } from './context';

/** Lines on the page: enough to see what just happened, few enough to read. */
export const LOG_LINES = 200;

export const logsPage: Page = async ({ backend, params }, notice) => {
  const { app } = backend;
  const requested = params.get('source') ?? '';
  const sources = app.micros.map((micro) => micro.name);
  const source = sources.includes(requested) ? requested : undefined;
  const lines = await backend.logs.recent({ limit: LOG_LINES, ...(source ? { source } : {}) });
  const options = ['', ...sources]
    .map(
      (name) =>
        `<option value="${escapeHtml(name)}"${name === (source ?? '') ? ' selected' : ''}>${name ? escapeHtml(name) : 'every micro'}</option>`,
    )
    .join('');
  // Newest first: what just happened is at the top of the page.
  const rows = [...lines]
    .reverse()
    .map((line) => {
      const iso = line.at.toISOString();
      return `<tr><td class="nowrap"><time datetime="${iso}" title="${iso}">${iso.slice(11, 19)}</time></td><td>${escapeHtml(line.source)}</td><td><pre>${escapeHtml(line.message)}</pre></td></tr>`;
    })
    .join('\n');
  const body = `<form method="get" action="${CONSOLE_PATH}logs"><label>Show <select name="source">${options}</select></label> <button type="submit">Show</button></form>
${
  lines.length === 0
    ? '<p class="muted">No log lines yet.</p>'
    : `<table><caption class="muted">The last ${lines.length} lines, newest first (UTC)</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Message</th></tr></thead><tbody>
${rows}
</tbody></table>`
}`;
  return htmlPage(200, renderPage(app.name, 'logs', 'Logs', body, notice));
};
