/**
 * The owner's console at `/__space/`: one request handler that the dev router and the cloud console function both
 * call with their `ConsoleBackend`. It answers only the signed-in owner (API keys and the internal key never open
 * it), checks every state-changing post for same-origin and the session's CSRF token before reading the form's
 * intent, routes on the exact path (any other spelling of a `/__space/` path is the runtime's 404, never a
 * micro's), and sends every answer uncached, unframed and without script.
 */
import { escapeHtml } from '../auth/responses';
import { isSameOriginRequest } from '../auth/signin';
import { signinLocation, SIGNIN_PATH } from '../auth/rules';
import { UsageError } from '../core/errors';
import { DataError } from '../data/errors';
import { IntervalError } from '../spacefile/interval';
import { type ConsoleSession, csrfToken, isNavigation, isValidCsrfToken, ownerSession } from './access';
import type { ConsoleBackend } from './backend';
import { FormError, parseForm, type ParsedForm } from './form';
import { type ConsoleRequest, type ConsoleResponse, htmlPage, jsonAnswer, redirect } from './http';
import { CONSOLE_PATH, type Notice, type PageName, renderPage } from './layout';
import { actionsPage, pauseAction, resumeAction, runAction, setActionInterval } from './pages/actions';
import { appActionsPage, runAppAction } from './pages/app-actions';
import { FieldError, type Page, type PageContext, type Post } from './pages/context';
import {
  basePage,
  dataPage,
  deleteFile,
  deleteItem,
  downloadFile,
  drivePage,
  exportData,
  itemEditor,
  itemPage,
  saveItem,
  uploadFile,
} from './pages/data';
import { keysPage, createKey, deleteKey } from './pages/keys';
import { logsPage } from './pages/logs';
import { overviewPage } from './pages/overview';

export interface ConsoleOptions {
  /** The owner's session as the sign-in pages issue it. */
  readonly session: ConsoleSession;
  /** The key of the forms' CSRF tokens (`consoleCsrfKey(ownerSecret)`). */
  readonly csrfKey: Buffer;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

const PAGE_OF: Readonly<Record<PageName, Page>> = {
  '': overviewPage,
  actions: actionsPage,
  keys: keysPage,
  data: dataPage,
  'app-actions': appActionsPage,
  logs: logsPage,
};

/** GET routes, by path below `/__space/`; the pages of the navigation and the data views. */
const GETS: ReadonlyMap<string, Page> = new Map<string, Page>([
  ...Object.entries(PAGE_OF),
  ['data/base', basePage],
  ['data/item', itemPage],
  ['data/drive', drivePage],
  ['data/file', downloadFile],
  ['data/export', exportData],
]);

/** POST routes: every state change, each behind the same-origin and CSRF checks. */
const POSTS: ReadonlyMap<string, { readonly post: Post; readonly page: PageName | Page }> = new Map([
  ['actions/run', { post: runAction, page: 'actions' }],
  ['actions/pause', { post: pauseAction, page: 'actions' }],
  ['actions/resume', { post: resumeAction, page: 'actions' }],
  ['actions/interval', { post: setActionInterval, page: 'actions' }],
  ['keys/create', { post: createKey, page: 'keys' }],
  ['keys/delete', { post: deleteKey, page: 'keys' }],
  ['data/item', { post: saveItem, page: itemEditor }],
  ['data/item/delete', { post: deleteItem, page: 'data' }],
  ['data/upload', { post: uploadFile, page: 'data' }],
  ['data/file/delete', { post: deleteFile, page: 'data' }],
  ['app-actions/run', { post: runAppAction, page: 'app-actions' }],
] as const);

/** Every route of the console (path and method): what the access matrix in the tests walks. */
export function consoleRoutes(): Array<{ readonly method: 'GET' | 'POST'; readonly path: string }> {
  return [
    ...[...GETS.keys()].map((route) => ({ method: 'GET' as const, path: CONSOLE_PATH + route })),
    ...[...POSTS.keys()].map((route) => ({ method: 'POST' as const, path: CONSOLE_PATH + route })),
  ];
}

function notSignedIn(request: ConsoleRequest): ConsoleResponse {
  const isPageRequest = (request.method === 'GET' || request.method === 'HEAD') && (request.headers['accept'] ?? '').includes('text/html');
  if (isPageRequest) return { ...redirect(signinLocation(request)), status: 302 };
  return jsonAnswer(401, { error: 'unauthorized', message: `the console is for the app's owner: sign in at ${SIGNIN_PATH}` });
}

function notFound(backend: ConsoleBackend, path: string): ConsoleResponse {
  return htmlPage(404, renderPage(backend.app.name, '', 'Not found', `<p>The console has no page <code>${escapeHtml(path)}</code>.</p>`));
}

/** The notice of a request that failed on something the owner can fix (a bad query, a taken key name), or undefined. */
function fixableError(error: unknown): { readonly status: number; readonly notice: Notice } | undefined {
  const alert = (status: number, message: string): { status: number; notice: Notice } => ({
    status,
    notice: { kind: 'alert', html: escapeHtml(message) },
  });
  if (error instanceof DataError) return alert(error.status, error.message);
  if (error instanceof FieldError || error instanceof FormError || error instanceof UsageError || error instanceof IntervalError) {
    return alert(400, error.message);
  }
  return undefined;
}

export async function handleConsoleRequest(request: ConsoleRequest, backend: ConsoleBackend, options: ConsoleOptions): Promise<ConsoleResponse> {
  const now = options.now ?? Date.now;
  const session = ownerSession(request, options.session, now());
  if (session === undefined) return notSignedIn(request);
  const route =
    request.path === CONSOLE_PATH.slice(0, -1) ? undefined : request.path.startsWith(CONSOLE_PATH) ? request.path.slice(CONSOLE_PATH.length) : null;
  if (route === undefined) return redirect(CONSOLE_PATH);
  if (!isNavigation(request)) {
    return jsonAnswer(403, {
      error: 'forbidden',
      message: "the console answers a browser's page loads and form posts only: a script's request (fetch, XMLHttpRequest) is refused",
    });
  }
  const csrf = csrfToken(options.csrfKey, session);
  const context: PageContext = {
    backend,
    request,
    params: new URLSearchParams(request.query),
    form: { fields: new URLSearchParams(), files: new Map() },
    csrf,
    now,
  };
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  const page = route === null ? undefined : GETS.get(route);
  const post = route === null ? undefined : POSTS.get(route);
  if (!page && !post) return notFound(backend, request.path);
  if (isRead && !page) return jsonAnswer(405, { error: 'method_not_allowed', message: `${request.path} takes the console's form posts only` });
  if (!isRead && (request.method !== 'POST' || !post)) {
    return jsonAnswer(405, { error: 'method_not_allowed', message: `${request.method} is not allowed on ${request.path}` });
  }
  if (isRead) {
    try {
      return await page!(context);
    } catch (error) {
      const fixable = fixableError(error);
      if (!fixable) throw error;
      return htmlPage(
        fixable.status,
        renderPage(
          backend.app.name,
          '',
          'Cannot show this page',
          `<p role="alert">${fixable.notice.html}</p><p><a href="${CONSOLE_PATH}data">Data</a></p>`,
        ),
      );
    }
  }
  if (!isSameOriginRequest(request.headers)) {
    return jsonAnswer(403, { error: 'forbidden', message: 'the console takes form posts from its own pages only: cross-site requests are refused' });
  }
  let form: ParsedForm;
  try {
    form = parseForm(request.headers['content-type'], request.body);
  } catch (error) {
    if (error instanceof FormError) return jsonAnswer(400, { error: 'bad_request', message: error.message });
    throw error;
  }
  if (!isValidCsrfToken(options.csrfKey, session, form.fields.get('csrf') ?? undefined)) {
    return jsonAnswer(403, {
      error: 'forbidden',
      message: "the form's CSRF token is missing or belongs to another session: reload the console page and send it again",
    });
  }
  const posted = { ...context, form };
  try {
    const outcome = await post!.post(posted);
    if (!('page' in outcome)) return outcome;
    const show = typeof outcome.page === 'string' ? PAGE_OF[outcome.page] : outcome.page;
    return await show(posted, outcome.notice);
  } catch (error) {
    const fixable = fixableError(error);
    if (!fixable) throw error;
    const show = typeof post!.page === 'string' ? PAGE_OF[post!.page] : post!.page;
    const shown = await show(posted, fixable.notice);
    return { ...shown, status: fixable.status };
  }
}
