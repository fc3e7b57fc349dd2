/**
 * The frameworks' own starters, with real dependencies from the npm registry, packaged the way Space's
 * quick-starts deploy them (a Spacefile with only `engine`, no commands): built by synth's packaging, the asset
 * inspected, then served by the real adapter in the local Lambda emulator, answering its page and the assets it
 * links. The SvelteKit starter is also served by the real `spaceport dev` (router, owner sign-in, emulator, its
 * own dev server).
 *
 * Nuxt's starter generator (`create-nuxt`/`nuxi init`) downloads its templates from GitHub (giget), which this
 * project's machines and CI cannot reach, and no npm package ships them: the Nuxt app is Nuxt's `minimal`
 * template written out file by file (as its docs show it), with its real dependencies from npm.
 * Next's default template loads its fonts from Google Fonts at build time (`next/font/google`), unreachable here
 * too: Next is create-next-app's `--empty` template.
 * The Vite SPAs build to `dist/`, not the `build/` (react) and `public/` (svelte) of the templates Space's
 * engines assumed (docs/spacefile.md, "Engines"): their Spacefiles say `serve: dist`.
 *
 * Heavy (network installs and real builds, a few minutes): this is the one file for them, run once per CI run by
 * `npm test`; alone with `npx vitest run test/frameworks`. Each packaging runs in its own process (synth's
 * packaging from dist/, which the test run builds first) so the starters build side by side, two at a time.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { functionVariables } from '../../lib/spacefile/platform-variables';
import { buildLayer } from '../adapter/helpers/adapter-process';
import { startEmulatedAdapter, type EmulatedAdapter } from '../adapter/helpers/emulated-adapter';
import { startTestDev, type TestDev } from '../dev/dev-helpers';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const INSTALL_AND_BUILD_MS = 600_000;
/** Installs revalidate nothing the npm cache already holds (the starters share most of their dependencies). */
const NPM_ENV = { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false' };

let layer: ReturnType<typeof buildLayer>;
const adapters: EmulatedAdapter[] = [];
const devs: TestDev[] = [];
beforeAll(() => {
  layer = buildLayer();
});
/** Every starter and asset directory, removed at the end: each holds hundreds of MB of node_modules. */
const scratch: string[] = [];
function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  for (const adapter of adapters) await adapter.shutdown();
  for (const dev of devs) await dev.server.stop();
  layer?.remove();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Runs a starter generator non-interactively in a fresh directory; returns that directory. */
async function starter(command: string[]): Promise<string> {
  const dir = temporary('spaceport-starter-');
  await run('npx', ['--yes', ...command], { cwd: dir, env: NPM_ENV });
  return dir;
}

/** At most `count` of the callers at once (two cores: two builds side by side, not six). */
function slots(count: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = count;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    else free -= 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}
const packagingSlot = slots(2);

/** Synth's packaging of the app's first micro (`packageMicro`), in a child process so other starters build meanwhile. */
const PACKAGE_MICRO = `
const [spacefile, out] = process.argv.slice(1);
const lambda = require('aws-cdk-lib/aws-lambda');
const { loadSpacefile } = require('./dist/lib/spacefile/load.js');
const { packageMicro } = require('./dist/lib/packaging/micro-code.js');
try {
  packageMicro(loadSpacefile(spacefile).micros[0], out, { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_22_X });
} catch (error) {
  process.stderr.write(error.message + '\\n');
  process.exit(1);
}`;

/** Writes the app's Spacefile and packages its micro; resolves with the asset's directory, rejects with synth's message. */
async function packageApp(root: string, spacefile: string): Promise<string> {
  writeFileSync(join(root, 'Spacefile'), spacefile);
  const out = temporary('spaceport-asset-');
  return packagingSlot(async () => {
    try {
      await run(process.execPath, ['-e', PACKAGE_MICRO, join(root, 'Spacefile'), out], { cwd: ROOT, env: NPM_ENV, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      throw new Error(stderr.trim().split('\n').slice(-20).join('\n'), { cause: error });
    }
    return out;
  });
}

function get(path: string): unknown {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'x', accept: 'text/html' },
    requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } },
    isBase64Encoded: false,
  };
}

type Fetch = (path: string) => Promise<{ statusCode: number; body: string }>;

/** Serves the asset through the real adapter in the emulator, with the variables the function gets from the Spacefile. */
async function serve(taskRoot: string, spacefile: string): Promise<Fetch> {
  const micro = loadSpacefile(spacefile).micros[0]!;
  const platform = { projectKey: 'a0key_secret', internalKey: 'internal', hostname: 'x', appVersion: '1', command: micro.run };
  const env = functionVariables(micro, platform, {});
  delete env.AWS_LAMBDA_EXEC_WRAPPER; // the emulated adapter sets its own
  const adapter = await startEmulatedAdapter({ layerDir: layer.dir, runtime: 'node', taskRoot, env });
  adapters.push(adapter);
  return async (path) => {
    const outcome = await adapter.invoke(get(path));
    if (outcome.kind !== 'success') throw new Error(`${path}: ${outcome.kind} ${outcome.errorMessage}\n${adapter.lines.join('\n')}`);
    const result = outcome.result as { statusCode: number; body: string; isBase64Encoded?: boolean };
    return { statusCode: result.statusCode, body: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body };
  };
}

/** Every root-relative script, stylesheet or module a page links or imports (SvelteKit: `import("./_app/...")`). */
function linkedAssets(html: string): string[] {
  const paths = [...html.matchAll(/(?:src=|href=|import\()"\.?(\/(?:assets|_app|_next|_nuxt)\/[^"]+)"/g)].map((match) => match[1]!);
  return [...new Set(paths)];
}

/** The page answers 200 with `marker`, and so does every asset it links (there is at least one). */
async function expectPageAndAssets(fetch: Fetch, marker: string | RegExp): Promise<void> {
  const page = await fetch('/');
  expect(page.statusCode).toBe(200);
  expect(page.body).toMatch(marker);
  const assets = linkedAssets(page.body);
  expect(assets.length).toBeGreaterThan(0);
  for (const path of assets) expect((await fetch(path)).statusCode, path).toBe(200);
}

function spacefile(engine: string, extra = ''): string {
  return `v: 0\nmicros:\n  - name: web\n    src: web\n    engine: ${engine}\n    primary: true\n${extra}`;
}

function editJson(path: string, edit: (value: Record<string, Record<string, string>>) => void): void {
  const value = JSON.parse(readFileSync(path, 'utf8'));
  edit(value);
  writeFileSync(path, JSON.stringify(value, null, 2));
}

describe.concurrent('real starters, packaged as Space built them', () => {
  // Vue's engine serves dist/ by default; React's and Svelte's defaults are older templates' directories.
  test.for([
    { template: 'vue', extra: '', page: '<div id="app"></div>' },
    { template: 'react', extra: '    serve: dist\n', page: '<div id="root"></div>' },
    { template: 'svelte', extra: '    serve: dist\n', page: '<div id="app"></div>' },
  ])(
    'Vite $template SPA (create-vite, engine $template): built, only dist packaged, its assets load',
    { timeout: INSTALL_AND_BUILD_MS },
    async ({ template, extra, page }) => {
      const root = await starter(['create-vite@6', 'web', '--template', template]);
      const asset = await packageApp(root, spacefile(template, extra));
      expect(existsSync(join(asset, 'dist', 'index.html'))).toBe(true);
      expect(existsSync(join(asset, 'src')) || existsSync(join(asset, 'node_modules'))).toBe(false);
      await expectPageAndAssets(await serve(asset, join(root, 'Spacefile')), page);
    },
  );

  test(
    "Next (create-next-app): without output: 'standalone' a synth error naming it; with it, the standalone server serves its page",
    { timeout: INSTALL_AND_BUILD_MS },
    async () => {
      const root = await starter([
        'create-next-app@16',
        'web',
        ...['--js', '--app', '--empty', '--no-src-dir', '--import-alias', '@/*', '--use-npm', '--skip-install', '--disable-git'],
        ...['--no-tailwind', '--no-eslint', '--no-biome', '--no-react-compiler', '--no-agents-md', '--yes'],
      ]);
      await expect(packageApp(root, spacefile('next'))).rejects.toThrow(/set output: 'standalone' in next.config.js/);

      // The quick-start's change: the standalone server, which needs no node_modules of its own beside it.
      const config = join(root, 'web', 'next.config.mjs');
      writeFileSync(config, readFileSync(config, 'utf8').replace('const nextConfig = {', "const nextConfig = {\n  output: 'standalone',"));
      expect(readFileSync(config, 'utf8')).toContain("output: 'standalone'");
      const asset = await packageApp(root, spacefile('next'));
      expect(existsSync(join(asset, 'server.js'))).toBe(true);
      expect(existsSync(join(asset, '.next', 'static'))).toBe(true);
      expect(existsSync(join(asset, 'node_modules', 'next'))).toBe(true);
      expect(existsSync(join(asset, 'app'))).toBe(false); // sources stay behind: the build holds what runs
      await expectPageAndAssets(await serve(asset, join(root, 'Spacefile')), 'Hello World!');
    },
  );

  test(
    "Nuxt (Nuxt's minimal template, engine nuxt): built, only .output packaged, its page and assets load",
    { timeout: INSTALL_AND_BUILD_MS },
    async () => {
      const root = temporary('spaceport-starter-');
      writeNuxtMinimal(join(root, 'web'));
      const asset = await packageApp(root, spacefile('nuxt'));
      expect(existsSync(join(asset, '.output', 'server', 'index.mjs'))).toBe(true);
      expect(existsSync(join(asset, 'node_modules')) || existsSync(join(asset, 'app'))).toBe(false);
      await expectPageAndAssets(await serve(asset, join(root, 'Spacefile')), '<title>Welcome to Nuxt!</title>');
    },
  );

  test(
    'SvelteKit (sv create): adapter-auto is a synth error naming adapter-node; with it, build/ serves its page, and spaceport dev serves the owner',
    { timeout: INSTALL_AND_BUILD_MS },
    async () => {
      const root = await starter(['sv@0.8', 'create', 'web', '--template', 'minimal', '--types', 'jsdoc', '--no-add-ons', '--no-install']);
      await expect(packageApp(root, spacefile('svelte-kit'))).rejects.toThrow(/use @sveltejs\/adapter-node in svelte.config.js/);

      // The quick-start's change: adapter-node instead of adapter-auto.
      const app = join(root, 'web');
      editJson(join(app, 'package.json'), (manifest) => {
        delete manifest.devDependencies!['@sveltejs/adapter-auto'];
        manifest.devDependencies!['@sveltejs/adapter-node'] = '^5.0.0';
      });
      writeFileSync(
        join(app, 'svelte.config.js'),
        readFileSync(join(app, 'svelte.config.js'), 'utf8').replace('@sveltejs/adapter-auto', '@sveltejs/adapter-node'),
      );

      // The developer's own tree for `spaceport dev` below, installed as they would while synth packages a copy.
      const devRoot = temporary('spaceport-starter-dev-');
      cpSync(root, devRoot, { recursive: true });
      const installed = run('npm', ['install', '--no-audit'], { cwd: join(devRoot, 'web'), env: NPM_ENV });

      const asset = await packageApp(root, spacefile('svelte-kit'));
      expect(JSON.parse(readFileSync(join(asset, 'package.json'), 'utf8')).type).toBe('module');
      await expectPageAndAssets(await serve(asset, join(root, 'Spacefile')), 'Welcome to SvelteKit');

      // Under `spaceport dev`: the engine's dev command (vite's dev server) behind the router, private by default,
      // reached by the signed-in owner.
      await installed;
      const dev = await startTestDev({ app: loadSpacefile(join(devRoot, 'Spacefile')), auth: true, schedule: false, watch: false });
      devs.push(dev);
      const page = (path: string, cookie?: string): Promise<Response> =>
        dev.get(path, { headers: { accept: 'text/html', ...(cookie && { cookie }) }, redirect: 'manual' });
      expect((await page('/')).status).toBe(302); // to sign in
      const secret = /owner secret \(shown once, kept in [^)]+\): (\S+)/.exec(dev.logs())![1]!;
      const signin = await dev.get('/__space/signin', { method: 'POST', body: new URLSearchParams({ secret, next: '/' }), redirect: 'manual' });
      const cookie = signin.headers.getSetCookie()[0]!.split(';')[0]!;
      const home = await page('/', cookie);
      const html = await home.text();
      expect(home.status, html).toBe(200);
      expect(html).toContain('Welcome to SvelteKit');
      // vite's dev server serves modules, not built files: the client entry it names and what the page imports.
      const modules = [...new Set([...html.matchAll(/(?:src=|import\()"(\/[^"]+)"/g)].map((match) => match[1]!))];
      expect(modules.length).toBeGreaterThan(0);
      for (const path of modules) expect((await page(path, cookie)).status, path).toBe(200);
      expect(dev.logs()).toMatch(/^web +\| GET \/ 200 \d+ ms/m);
    },
  );
});

/** Nuxt's `minimal` starter (nuxt/starter, `templates/minimal`), as `npm create nuxt -- -t minimal` writes it. */
function writeNuxtMinimal(dir: string): void {
  mkdirSync(join(dir, 'app'), { recursive: true });
  mkdirSync(join(dir, 'public'));
  const manifest = {
    name: 'nuxt-app',
    type: 'module',
    private: true,
    scripts: { build: 'nuxt build', dev: 'nuxt dev', generate: 'nuxt generate', preview: 'nuxt preview', postinstall: 'nuxt prepare' },
    dependencies: { nuxt: '^4.0.0', vue: '^3.5.0', 'vue-router': '^4.5.0' },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, 'nuxt.config.ts'),
    "export default defineNuxtConfig({\n  compatibilityDate: '2025-07-15',\n  devtools: { enabled: true },\n});\n",
  );
  writeFileSync(join(dir, 'app', 'app.vue'), '<template>\n  <div>\n    <NuxtRouteAnnouncer />\n    <NuxtWelcome />\n  </div>\n</template>\n');
  writeFileSync(join(dir, 'public', 'robots.txt'), 'User-Agent: *\nDisallow:\n');
  writeFileSync(join(dir, '.gitignore'), '.output\n.data\n.nuxt\n.nitro\n.cache\ndist\nnode_modules\n.env\n.env.*\n!.env.example\n');
}
