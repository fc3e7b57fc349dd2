/**
 * The frameworks' own starters, with real dependencies from the npm registry, packaged the way Space's
 * quick-starts deploy them (a Spacefile with only `engine`, no commands): built by synth, the asset inspected,
 * then served by the real adapter in the local Lambda emulator, answering its page and the assets it links.
 *
 * Heavy (network installs and real builds, about a minute): this is the one file for them, run once per CI run
 * by `npm test`; alone with `npx vitest run test/frameworks`. Next and Nuxt starters are not here yet (see
 * docs/spacefile.md, "Engines": their packaging is tested with stand-in builds in test/constructs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { packageMicro } from '../../lib/packaging/micro-code';
import { buildLayer } from '../adapter/helpers/adapter-process';
import { startEmulatedAdapter, type EmulatedAdapter } from '../adapter/helpers/emulated-adapter';

const NODE = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_22_X };
const INSTALL_AND_BUILD_MS = 300_000;

let layer: ReturnType<typeof buildLayer>;
const adapters: EmulatedAdapter[] = [];
beforeAll(() => {
  layer = buildLayer();
});
afterAll(async () => {
  for (const adapter of adapters) await adapter.shutdown();
  layer?.remove();
});

/** Runs a starter generator non-interactively in a fresh directory; returns that directory. */
function starter(command: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-starter-'));
  execFileSync('npx', ['--yes', ...command], { cwd: dir, stdio: 'ignore', input: '' });
  return dir;
}

function packageApp(root: string, spacefile: string): string {
  writeFileSync(join(root, 'Spacefile'), spacefile);
  const out = mkdtempSync(join(tmpdir(), 'spaceport-asset-'));
  packageMicro(loadSpacefile(join(root, 'Spacefile')).micros[0], out, NODE);
  return out;
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

async function serve(taskRoot: string, env: Record<string, string>): Promise<(path: string) => Promise<{ statusCode: number; body: string }>> {
  const adapter = await startEmulatedAdapter({ layerDir: layer.dir, runtime: 'node', taskRoot, env });
  adapters.push(adapter);
  return async (path) => {
    const outcome = await adapter.invoke(get(path));
    if (outcome.kind !== 'success') throw new Error(`${path}: ${outcome.kind} ${outcome.errorMessage}\n${adapter.lines.join('\n')}`);
    const result = outcome.result as { statusCode: number; body: string; isBase64Encoded?: boolean };
    return { statusCode: result.statusCode, body: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body };
  };
}

/** Every `/assets/...` or `/_app/...` script and stylesheet a page links or imports (SvelteKit: `import("./_app/...")`). */
function linkedAssets(html: string): string[] {
  return [...html.matchAll(/(?:src=|href=|import\()"\.?(\/(?:assets|_app)\/[^"]+)"/g)].map((match) => match[1]);
}

describe('real starters, packaged as Space built them', () => {
  test('Vue (create-vite, engine vue): built with vite, dist served, its assets load', { timeout: INSTALL_AND_BUILD_MS }, async () => {
    const root = starter(['create-vite@6', 'web', '--template', 'vue']);
    const asset = packageApp(root, 'v: 0\nmicros:\n  - name: web\n    src: web\n    engine: vue\n    primary: true\n');
    const fetch = await serve(asset, { SPACEPORT_STATIC_DIR: 'dist' });
    const page = await fetch('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="app"></div>');
    const assets = linkedAssets(page.body);
    expect(assets.length).toBeGreaterThan(0);
    for (const path of assets) expect((await fetch(path)).statusCode, path).toBe(200);
  });

  test(
    'SvelteKit (sv create): adapter-auto is a synth error naming adapter-node; with it, build/ serves its page',
    { timeout: INSTALL_AND_BUILD_MS },
    async () => {
      const root = starter(['sv@0.8', 'create', 'web', '--template', 'minimal', '--types', 'jsdoc', '--no-add-ons', '--no-install']);
      const spacefile = 'v: 0\nmicros:\n  - name: web\n    src: web\n    engine: svelte-kit\n    primary: true\n';
      expect(() => packageApp(root, spacefile)).toThrow(/use @sveltejs\/adapter-node in svelte.config.js/);

      // The quick-start's change: adapter-node instead of adapter-auto.
      const app = join(root, 'web');
      const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
      delete manifest.devDependencies['@sveltejs/adapter-auto'];
      manifest.devDependencies['@sveltejs/adapter-node'] = '^5.0.0';
      writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
      writeFileSync(
        join(app, 'svelte.config.js'),
        readFileSync(join(app, 'svelte.config.js'), 'utf8').replace('@sveltejs/adapter-auto', '@sveltejs/adapter-node'),
      );

      const asset = packageApp(root, spacefile);
      expect(JSON.parse(readFileSync(join(asset, 'package.json'), 'utf8')).type).toBe('module');
      const fetch = await serve(asset, { SPACEPORT_RUN: 'node build/index.js' });
      const page = await fetch('/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Welcome to SvelteKit');
      const assets = linkedAssets(page.body);
      expect(assets.length).toBeGreaterThan(0);
      for (const path of assets) expect((await fetch(path)).statusCode, path).toBe(200);
    },
  );
});
