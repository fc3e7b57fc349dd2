/** The console fixture app under a real `spaceport dev` with sign-in on, and a signed-in owner to drive it. */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { loadSpacefile } from '../../lib/spacefile/load';
import { type TestDev, startTestDev } from '../dev/dev-helpers';

export interface ConsoleDev {
  readonly dev: TestDev;
  readonly appDir: string;
  /** `name=value` of the owner's session cookie. */
  cookie: string;
}

export async function startConsoleDev(): Promise<ConsoleDev> {
  const appDir = mkdtempSync(join(tmpdir(), 'spaceport-console-'));
  cpSync(join(__dirname, '..', 'fixtures', 'console'), appDir, { recursive: true });
  const dev = await startTestDev({ app: loadSpacefile(join(appDir, 'Spacefile')), auth: true });
  const started: ConsoleDev = { dev, appDir, cookie: '' };
  started.cookie = await signIn(started);
  return started;
}

export function ownerSecretOf(app: ConsoleDev): string {
  return readFileSync(join(app.appDir, '.spaceport', 'owner-secret'), 'utf8').trim();
}

export async function signIn(app: ConsoleDev): Promise<string> {
  const signin = await app.dev.get('/__space/signin', {
    method: 'POST',
    body: new URLSearchParams({ secret: ownerSecretOf(app), next: '/__space/' }),
    redirect: 'manual',
  });
  return signin.headers.getSetCookie()[0]!.split(';')[0]!;
}

/** What a browser sends with a page load or a form post, where a page's script's fetch says `cors`. */
const NAVIGATION = { 'sec-fetch-mode': 'navigate' } as const;

/**
 * A request as a browser's navigation sends it, unless `init` says another `Sec-Fetch-Mode`: Node's fetch always says
 * `cors`, so this goes over node:http, with the body encoded as fetch would (form fields, multipart). No redirects
 * are followed.
 */
export async function navigate(app: ConsoleDev, path: string, init: RequestInit = {}): Promise<Response> {
  const encoded = new Request(`${app.dev.server.url}${path}`, init);
  const body = init.body === undefined ? undefined : Buffer.from(await encoded.arrayBuffer());
  const headers: Record<string, string> = { ...NAVIGATION, ...Object.fromEntries(encoded.headers) };
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const sent = request(encoded.url, { method: encoded.method, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const status = answer.statusCode!;
        const pairs = Object.entries(answer.headers).flatMap(([name, value]) => [value ?? []].flat().map((one): [string, string] => [name, one]));
        resolve(new Response([204, 304].includes(status) || encoded.method === 'HEAD' ? null : Buffer.concat(chunks), { status, headers: pairs }));
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/** A console page as the signed-in owner's browser gets it. */
export function open(app: ConsoleDev, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return navigate(app, path, { headers: { accept: 'text/html', cookie: app.cookie, ...headers } });
}

export async function page(app: ConsoleDev, path: string): Promise<string> {
  const response = await open(app, path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.text();
}

export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('the page has no form with a CSRF token');
  return match[1]!;
}

/** A form post as the owner's browser sends it from a console page: same-origin, with the page's CSRF token. */
export async function post(app: ConsoleDev, path: string, fields: Record<string, string>, csrf?: string): Promise<Response> {
  const token = csrf ?? csrfOf(await page(app, '/__space/keys'));
  return navigate(app, path, {
    method: 'POST',
    headers: {
      accept: 'text/html',
      cookie: app.cookie,
      origin: app.dev.server.url,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ ...fields, csrf: token }),
  });
}
