/** The small page under `/__space/dev` listing the app's actions, their next firing, and a button to run each now. */
import { escapeHtml } from '../../auth/responses';
import { DEV_ACTIONS_PATH } from '../../core/paths';
import type { ScheduledFiring } from './scheduler';

/** One action as `GET /__space/dev/actions` lists it for `spaceport actions --local`. */
export interface LocalActionState {
  readonly id: string;
  readonly name: string;
  readonly micro: string;
  /** The Spacefile's `default_interval`. */
  readonly interval: string;
  readonly paused: boolean;
  /** ISO time of the next run; absent while paused. */
  readonly nextRun?: string;
  /** The latest run since `spaceport dev` started. */
  readonly lastRun?: {
    readonly at: string;
    readonly ok: boolean;
    readonly statusCode?: number;
    readonly durationMs: number;
    readonly error?: string;
  };
}

export function renderTriggerPage(appName: string, firings: readonly ScheduledFiring[]): string {
  const rows = firings
    .map(({ action, next }) => {
      const id = escapeHtml(action.id);
      return `<tr><td><code>${id}</code></td><td>${escapeHtml(action.name)}</td><td>${escapeHtml(action.microName)}</td>
<td><code>${escapeHtml(action.interval.source)}</code></td><td>${next ? `<time>${next.toISOString()}</time>` : 'paused'}</td>
<td><button data-id="${id}">Run now</button> <output id="result-${id}"></output></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(appName)} · spaceport dev</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.4rem .8rem;
border-bottom:1px solid #ddd;text-align:left}output{font-family:monospace;white-space:pre}</style></head>
<body><h1>${escapeHtml(appName)}: scheduled actions</h1>
${
  firings.length === 0
    ? '<p>This app declares no scheduled actions.</p>'
    : `<table>
<tr><th>id</th><th>name</th><th>micro</th><th>interval (UTC)</th><th>next firing (UTC)</th><th></th></tr>
${rows}
</table>`
}
<script>
for (const button of document.querySelectorAll('button[data-id]')) {
  button.addEventListener('click', async () => {
    const output = document.getElementById('result-' + button.dataset.id);
    button.disabled = true;
    output.textContent = 'running…';
    try {
      const response = await fetch('${DEV_ACTIONS_PATH}/' + encodeURIComponent(button.dataset.id), { method: 'POST' });
      const result = await response.json();
      output.textContent = (result.ok ? 'ok ' : 'failed ') + (result.statusCode ?? '') + ' ' + (result.error ?? '') + ' ' + result.durationMs + ' ms';
    } catch (error) {
      output.textContent = 'failed: ' + error;
    }
    button.disabled = false;
  });
}
</script></body></html>
`;
}
