/** `spaceport keys` against the local store, and the dev router's view of the keys it writes (no restart). */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalAuth } from '../../lib/local/dev/local-auth';
import { generateInternalKey } from '../../lib/auth/internal-key';
import { keysCommand } from '../../lib/cli/keys';
import { UsageError } from '../../lib/core/errors';
import { loadSpacefile } from '../../lib/spacefile/load';

const SPACEFILE = `v: 0
micros:
  - name: web
    src: web
    engine: nodejs16
    primary: true
    presets:
      api_keys: true
  - name: api
    src: api
    engine: python3.9
`;

let dir: string;
let spacefile: string;
let stdout: string[];
let stderr: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spaceport-keys-'));
  for (const src of ['web', 'api']) mkdirSync(join(dir, src));
  spacefile = join(dir, 'Spacefile');
  writeFileSync(spacefile, SPACEFILE);
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const keys = (...args: string[]) => keysCommand.run([...args, '--spacefile', spacefile]);

describe('spaceport keys (local)', () => {
  it('shows a new key once on stdout and stores only its hash', async () => {
    expect(await keys('create', 'ci', '--local')).toBe(0);
    const key = stdout.join('').trim();
    expect(key).toMatch(/^spk_[\w-]{43}$/);
    expect(stderr.join('')).toContain("Created API key 'ci' for every micro with api_keys (web)");
    const file = readFileSync(join(dir, '.spaceport', 'api-keys.json'), 'utf8');
    expect(file).not.toContain(key);
    expect(readFileSync(join(dir, '.spaceport', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('uses the local store by default once .spaceport/ exists, and lists and deletes by name', async () => {
    await expect(keys('list')).rejects.toThrow(/no local state in .*\.spaceport \(run 'spaceport dev' once, or pass --local\)/);
    await keys('create', 'ci', '--local');
    await keys('create', 'bot', '--micro', 'web');
    stdout = [];
    expect(await keys('list')).toBe(0);
    expect(stdout.join('')).toMatch(/NAME +MICRO +CREATED\nci +\(all with api_keys\) +\d{4}-.*\nbot +web +\d{4}-/);
    expect(await keys('delete', 'ci')).toBe(0);
    expect(await keys('delete', 'ci')).toBe(1);
    expect(stderr.join('')).toContain("No API key named 'ci'");
  });

  it('refuses mistakes with a message that names them', async () => {
    await keys('create', 'ci', '--local');
    await expect(keys('create', 'ci')).rejects.toThrow(new UsageError("a key named 'ci' already exists"));
    await expect(keys('create', 'x', '--micro', 'api')).rejects.toThrow(/--micro api: the micro has no 'presets: api_keys: true'/);
    await expect(keys('create', 'x', '--micro', 'nope')).rejects.toThrow(/no such micro \(micros: web, api\)/);
    await expect(keys('create', 'bad name')).rejects.toThrow(/'bad name' is not a valid key name/);
    await expect(keys('rotate')).rejects.toThrow(/expected create, list or delete, got 'rotate'/);
    await expect(keys('delete')).rejects.toThrow(/needs the key's name/);
    await expect(keys('list', '--bogus')).rejects.toThrow(new UsageError(`unknown option '--bogus'. Usage: spaceport ${keysCommand.usage}`));
    await expect(keysCommand.run(['create', 'x', '--micro'])).rejects.toThrow(/^--micro needs a value\. Usage: spaceport keys /);
    await expect(keysCommand.run(['create', 'x', '--micro', '--local'])).rejects.toThrow(/^--micro needs a value\./);
  });

  it('answers --help and -h with the usage and every option, touching no store', async () => {
    expect(await keysCommand.run(['--help'])).toBe(0);
    expect(await keysCommand.run(['list', '-h'])).toBe(0);
    const help = stdout.join('');
    expect(help).toContain(`Usage: spaceport ${keysCommand.usage}\n`);
    for (const option of ['--micro <micro>', '--spacefile <path>', '--local', '--table <name>', '-h, --help']) {
      expect(help).toMatch(new RegExp(`^  ${option} +\\S`, 'm'));
    }
    expect(help).toMatch(/^ {2}delete <name> +remove a key/m);
    expect(stderr.join('')).toBe('');
  });

  it('takes effect in the dev router without a restart, and a deleted key stops working', async () => {
    const auth = LocalAuth.open(loadSpacefile(spacefile, { checkSources: false }), generateInternalKey());
    const request = (key: string) =>
      auth.answer({ method: 'GET', url: '/notes', headers: { 'x-space-app-key': key }, readBody: async () => Buffer.alloc(0) });
    await keys('create', 'ci');
    const key = stdout.join('').trim();
    expect(await request(key)).toBeUndefined();
    await keys('delete', 'ci');
    expect((await request(key))?.statusCode).toBe(401);
    await keys('create', 'ci');
    expect(await request(key)).toMatchObject({ statusCode: 401 });
    expect(await request(stdout.join('').trim().split('\n').at(-1)!)).toBeUndefined();
  });
});

describe('local owner secret', () => {
  it('is generated once, private to the user, and the same on every later run', () => {
    const app = loadSpacefile(spacefile, { checkSources: false });
    const first = LocalAuth.open(app, generateInternalKey());
    const second = LocalAuth.open(app, generateInternalKey());
    expect(first.ownerSecretCreated).toBe(true);
    expect(second.ownerSecretCreated).toBe(false);
    expect(second.ownerSecret).toBe(first.ownerSecret);
    expect(statSync(join(dir, '.spaceport', 'owner-secret')).mode & 0o077).toBe(0);
  });

  it('rotates without a restart: a new secret in the file ends every session and retires the old one (issue 10, finding 9)', async () => {
    const app = loadSpacefile(spacefile, { checkSources: false });
    const auth = LocalAuth.open(app, generateInternalKey());
    const signin = (secret: string) =>
      auth.answer({
        method: 'POST',
        url: '/__space/signin',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        readBody: async () => Buffer.from(new URLSearchParams({ secret }).toString()),
      });
    const withSession = (cookie: string) =>
      auth.answer({ method: 'GET', url: '/notes', headers: { cookie, accept: 'application/json' }, readBody: async () => Buffer.alloc(0) });
    const old = auth.ownerSecret;
    const signedIn = await signin(old);
    const cookie = signedIn!.headers.find(([name]) => name === 'set-cookie')![1].split(';')[0]!;
    expect(await withSession(cookie)).toBeUndefined();

    writeFileSync(join(dir, '.spaceport', 'owner-secret'), 'a-brand-new-owner-secret-after-a-leak\n');
    expect((await withSession(cookie))?.statusCode).toBe(401);
    expect((await signin(old))?.statusCode).toBe(401);
    expect((await signin('a-brand-new-owner-secret-after-a-leak'))?.statusCode).toBe(303);
  });

  it('names its session cookie after the app, so apps on localhost do not share one (issue 10, finding 12)', async () => {
    const app = loadSpacefile(spacefile, { checkSources: false });
    const auth = LocalAuth.open(app, generateInternalKey());
    const response = await auth.answer({
      method: 'POST',
      url: '/__space/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      readBody: async () => Buffer.from(new URLSearchParams({ secret: auth.ownerSecret }).toString()),
    });
    const cookie = response!.headers.find(([name]) => name === 'set-cookie')![1];
    expect(cookie).toMatch(/^spaceport_session_[0-9a-f]{8}=v1\./);
    const otherDir = mkdtempSync(join(tmpdir(), 'spaceport-other-app-'));
    writeFileSync(join(otherDir, 'Spacefile'), readFileSync(spacefile));
    const other = LocalAuth.open(loadSpacefile(join(otherDir, 'Spacefile'), { checkSources: false }), generateInternalKey());
    expect(other.sessionCookie).not.toBe(auth.sessionCookie);
  });
});
