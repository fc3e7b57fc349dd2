/**
 * `spaceport dev --prod` runs a Next micro from a copy laid out as synth packages it: the standalone server at the
 * root with `.next/static` and `public` beside it, copied again on refresh, and never the app's secrets through a link.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProdLayout, prodLayout } from '../../lib/local/dev/prod-layout';
import { loadSpacefile } from '../../lib/spacefile/load';
import { writeApp } from '../constructs/helpers';

const NEXT_APP = 'v: 0\nmicros:\n  - name: prodweb\n    src: .\n    engine: next\n';
const BUILT_NEXT = {
  '.next/standalone/server.js': 'server v1',
  '.next/standalone/node_modules/next/index.js': '',
  '.next/static/chunks/app.js': 'chunk',
  'public/favicon.ico': 'icon',
};

let layout: ProdLayout | undefined;
afterEach(() => layout?.remove());

describe('the --prod layout of a Next micro', () => {
  it('lays the standalone server out at the root, with .next/static and public beside it, and again on refresh', () => {
    const app = writeApp(NEXT_APP, BUILT_NEXT);
    layout = prodLayout(app.micros[0]!, false);
    expect(readFileSync(join(layout!.dir, 'server.js'), 'utf8')).toBe('server v1');
    expect(existsSync(join(layout!.dir, 'node_modules/next/index.js'))).toBe(true);
    expect(readFileSync(join(layout!.dir, '.next/static/chunks/app.js'), 'utf8')).toBe('chunk');
    expect(readFileSync(join(layout!.dir, 'public/favicon.ico'), 'utf8')).toBe('icon');
    writeFileSync(join(app.rootDir, '.next/standalone/server.js'), 'server v2');
    layout!.refresh();
    expect(readFileSync(join(layout!.dir, 'server.js'), 'utf8')).toBe('server v2');
  });

  it("refuses a link in the build output that leads into the app's .spaceport/, instead of copying the secrets in", () => {
    const app = writeApp(NEXT_APP, { ...BUILT_NEXT, '.spaceport/owner-secret': 'owner secret' });
    symlinkSync(join(app.rootDir, '.spaceport'), join(app.rootDir, '.next/standalone/state'));
    const copies = () => readdirSync(tmpdir()).filter((name) => name.startsWith('spaceport-prod-prodweb-')).length;
    const before = copies();
    expect(() => (layout = prodLayout(app.micros[0]!, false))).toThrow(
      /micro 'prodweb'.*standalone\/state' is a symlink to .*\.spaceport, inside the app's \.spaceport\/ \(its secrets\)/,
    );
    expect(copies()).toBe(before);
  });

  it('keeps links inside an app that itself lives under a directory named .spaceport', () => {
    const app = writeApp(NEXT_APP, BUILT_NEXT);
    const nested = join(mkdtempSync(join(tmpdir(), 'spaceport-home-')), '.spaceport', 'apps', 'notes');
    mkdirSync(dirname(nested), { recursive: true });
    renameSync(app.rootDir, nested);
    symlinkSync('next', join(nested, '.next/standalone/node_modules/next-alias'));
    layout = prodLayout(loadSpacefile(join(nested, 'Spacefile')).micros[0]!, false);
    expect(existsSync(join(layout!.dir, 'node_modules/next-alias/index.js'))).toBe(true);
  });

  it('is not needed by a micro that runs from its source directory', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: api\n    src: .\n    engine: nodejs16\n    run: node index.js\n', { 'index.js': '' });
    expect(prodLayout(app.micros[0]!, false)).toBeUndefined();
  });
});
