/** Scheduled actions: when each runs next, how its last run went, and run now, pause, resume, a new interval. */
import { escapeHtml } from '../../auth/responses';
import type { ActionRun } from '../backend';
import { htmlPage } from '../http';
import { buttonForm, CONSOLE_PATH, csrfField, type Notice, renderPage, when } from '../layout';
import { field, type Page, type Post } from './context';

const ACTIONS = `${CONSOLE_PATH}actions`;

function describeRun(run: ActionRun | undefined): string {
  if (!run) return '<span class="muted">not run yet</span>';
  const outcome = run.ok ? '<span class="ok">ok</span>' : '<span class="bad">failed</span>';
  const status = run.statusCode === undefined ? '' : ` ${run.statusCode}`;
  const error = run.error ? `<br><span class="bad">${escapeHtml(run.error)}</span>` : '';
  return `${outcome}${status} in ${run.durationMs} ms, ${when(run.at)}${error}`;
}

export const actionsPage: Page = async ({ backend, csrf, form }, notice) => {
  const actions = await backend.actions.list();
  // An interval that was refused stays in its field, marked, so the owner corrects it rather than types it again.
  const refusedIntervalOf = (id: string): string | undefined =>
    notice?.kind === 'alert' && form.fields.get('id') === id ? (form.fields.get('interval') ?? undefined) : undefined;
  const rows = actions
    .map((action) => {
      const id = { id: action.id };
      const refused = refusedIntervalOf(action.id);
      const intervalInput =
        refused === undefined
          ? `<input name="interval" value="${escapeHtml(action.interval)}" size="14" required>`
          : `<input name="interval" value="${escapeHtml(refused)}" size="14" required aria-invalid="true">`;
      const toggle = action.enabled
        ? buttonForm(`${ACTIONS}/pause`, csrf, id, 'Pause', `Pause ${action.name}`)
        : buttonForm(`${ACTIONS}/resume`, csrf, id, 'Resume', `Resume ${action.name}`);
      return `<tr><th scope="row">${escapeHtml(action.name)}<br><code class="muted">${escapeHtml(action.id)}</code></th><td>${escapeHtml(action.micro)}</td>
<td><form class="inline" method="post" action="${ACTIONS}/interval">${csrfField(csrf)}<input type="hidden" name="id" value="${escapeHtml(action.id)}"><label>Interval ${intervalInput}</label> <button type="submit" aria-label="Set the interval of ${escapeHtml(action.name)}">Set</button></form></td>
<td>${action.enabled ? when(action.nextRun) : '<span class="muted">paused</span>'}</td><td>${describeRun(action.lastRun)}</td>
<td>${buttonForm(`${ACTIONS}/run`, csrf, id, 'Run now', `Run ${action.name} now`)} ${toggle}</td></tr>`;
    })
    .join('\n');
  const body =
    actions.length === 0
      ? '<p>This app declares no scheduled actions.</p>'
      : `<p class="muted">Intervals are in UTC, as the Spacefile's <code>default_interval</code>: <code>5 minutes</code>, <code>1 hour</code> or cron like <code>0 9 * * 1-5</code>.</p>
<table><thead><tr><th scope="col">Action</th><th scope="col">Micro</th><th scope="col">Interval</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">Do</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  return htmlPage(200, renderPage(backend.app.name, 'actions', 'Scheduled actions', body, notice));
};

const status = (html: string): Notice => ({ kind: 'status', html });

export const runAction: Post = async (context) => {
  const id = field(context, 'id');
  const run = await context.backend.actions.run(id);
  return { page: 'actions', notice: { kind: run.ok ? 'status' : 'alert', html: `Ran <code>${escapeHtml(id)}</code>: ${describeRun(run)}` } };
};

export const pauseAction: Post = async (context) => {
  const id = field(context, 'id');
  await context.backend.actions.setEnabled(id, false);
  return { page: 'actions', notice: status(`Paused <code>${escapeHtml(id)}</code>: it will not run until resumed.`) };
};

export const resumeAction: Post = async (context) => {
  const id = field(context, 'id');
  await context.backend.actions.setEnabled(id, true);
  return { page: 'actions', notice: status(`Resumed <code>${escapeHtml(id)}</code>.`) };
};

export const setActionInterval: Post = async (context) => {
  const id = field(context, 'id');
  const interval = field(context, 'interval').trim();
  await context.backend.actions.setInterval(id, interval);
  return { page: 'actions', notice: status(`<code>${escapeHtml(id)}</code> now runs every <code>${escapeHtml(interval)}</code>.`) };
};
