/** The app at a glance: where it answers, and each micro's path, engine, runtime, public routes and credentials. */
import { escapeHtml } from '../../auth/responses';
import { htmlPage } from '../http';
import { renderPage } from '../layout';
import type { Page } from './context';

export const overviewPage: Page = async ({ backend }, notice) => {
  const { app } = backend;
  const rows = app.micros
    .map((micro) => {
      const url = new URL(micro.path === '/' ? '/' : micro.path, app.url).toString();
      const routes =
        micro.publicRoutes.length === 0
          ? '<span class="muted">none (private)</span>'
          : micro.publicRoutes.map((route) => `<code>${escapeHtml(route)}</code>`).join(' ');
      return `<tr><th scope="row">${escapeHtml(micro.name)}${micro.primary ? ' <span class="muted">(primary)</span>' : ''}</th>
<td><a href="${escapeHtml(url)}"><code>${escapeHtml(micro.path)}</code></a></td><td>${escapeHtml(micro.engine)}</td><td><code>${escapeHtml(micro.runtime)}</code></td>
<td>${routes}</td><td>${micro.apiKeys ? 'yes' : 'no'}</td><td>${micro.provideActions ? 'yes' : 'no'}</td></tr>`;
    })
    .join('\n');
  const body = `<p>The app answers at <a href="${escapeHtml(app.url)}">${escapeHtml(app.url)}</a>. Everything not listed as public needs your sign-in (or, on micros that accept them, an API key).</p>
<table><caption class="muted">Micros</caption>
<thead><tr><th scope="col">Micro</th><th scope="col">Path</th><th scope="col">Engine</th><th scope="col">Runtime</th><th scope="col">Public routes</th><th scope="col">API keys</th><th scope="col">App Actions</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  return htmlPage(200, renderPage(app.name, '', 'Overview', body, notice));
};
