/** Which of a micro's files are packaged: what `space push` uploaded, with Deta's default ignores and `.spaceignore`. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectSourceFiles } from '../../lib/packaging/file-selection';
import { writeApp } from '../constructs/helpers';

const EVERY_DEFAULT = {
  'index.js': '',
  'node_modules/a/index.js': '',
  '.venv/bin/python': '',
  'build/out.js': '',
  'dist/index.html': '',
  'venv/bin/python': '',
  'virtualenv/bin/python': '',
  '.git/HEAD': '',
  '.env': '',
  '.env.local': '',
  'src/env.js': '',
};

function nodeMicro(extra: string, files: Record<string, string>) {
  return writeApp(`v: 0\nmicros:\n  - name: api\n    src: .\n    engine: nodejs16\n${extra}`, files).micros[0]!;
}

describe('selectSourceFiles', () => {
  it('judges a link by what it leads to as well: a link to .spaceport or to a .env file packages neither', () => {
    const micro = nodeMicro('', { 'index.js': '', '.env': 'TOKEN=x', '.spaceport/owner-secret': 'secret' });
    symlinkSync('.spaceport', join(micro.srcDir, 'state'));
    symlinkSync('.env', join(micro.srcDir, 'settings'));
    symlinkSync('.', join(micro.srcDir, 'here'));
    expect(selectSourceFiles(micro)).toEqual(['Spacefile', 'index.js']);
  });

  it('leaves out what Deta never uploaded: node_modules, .venv, build, dist, .git and .env files', () => {
    expect(selectSourceFiles(nodeMicro('', EVERY_DEFAULT))).toEqual(['Spacefile', 'index.js', 'src/env.js']);
  });

  it('keeps an include entry a default would drop, written with or without ./ and a trailing slash', () => {
    expect(selectSourceFiles(nodeMicro('    include:\n      - ./build/\n      - index.js\n', EVERY_DEFAULT))).toEqual([
      'Spacefile',
      'build/out.js',
      'index.js',
      'src/env.js',
    ]);
  });

  it('keeps a dot-named include entry (Nuxt builds to .output)', () => {
    const files = { '.output/server/index.mjs': '', '.output/public/a.css': '' };
    expect(selectSourceFiles(nodeMicro('    include:\n      - .output\n', files))).toEqual([
      '.output/public/a.css',
      '.output/server/index.mjs',
      'Spacefile',
    ]);
  });

  it('still drops every default when the whole micro (.) is included', () => {
    expect(selectSourceFiles(nodeMicro('    include:\n      - .\n', EVERY_DEFAULT))).toEqual(['Spacefile', 'index.js', 'src/env.js']);
  });

  it('applies .spaceignore to kept entries too, directory patterns to directories only', () => {
    const files = {
      'build/out.js': '',
      'build/secret.key': '',
      'logs/a.txt': '',
      'src/logs': '',
      '.spaceignore': '*.key\nlogs/\n',
    };
    expect(selectSourceFiles(nodeMicro('    include:\n      - build\n', files))).toEqual(['.spaceignore', 'Spacefile', 'build/out.js', 'src/logs']);
  });

  it('follows a symlinked directory as a directory, and lists nested files sorted with /', () => {
    const micro = nodeMicro('', { 'shared/real/b.js': '', 'shared/real/a.js': '', 'z.js': '' });
    symlinkSync(join(micro.srcDir, 'shared/real'), join(micro.srcDir, 'linked'));
    mkdirSync(join(micro.srcDir, 'cache'));
    writeFileSync(join(micro.srcDir, '.spaceignore'), 'cache/\nlinked/\n');
    expect(selectSourceFiles(micro)).toEqual(['.spaceignore', 'Spacefile', 'shared/real/a.js', 'shared/real/b.js', 'z.js']);
    writeFileSync(join(micro.srcDir, '.spaceignore'), '');
    expect(selectSourceFiles(micro)).toContain('linked/a.js');
  });
});

describe('selectSourceFiles at the edges a user can reach', () => {
  it("never packages spaceport dev's local state, whatever .spaceignore says", () => {
    const files = { '.spaceport/owner-secret': 's', '.spaceport/api-keys.json': '{}', 'index.js': '', '.spaceignore': '!.spaceport/\n' };
    expect(selectSourceFiles(nodeMicro('', files))).toEqual(['.spaceignore', 'Spacefile', 'index.js']);
  });

  it('refuses a symlink out of the micro, naming it and what to do', () => {
    const micro = nodeMicro('', { 'index.js': '' });
    const outside = mkdtempSync(join(tmpdir(), 'spaceport-outside-'));
    symlinkSync(outside, join(micro.srcDir, 'shared'));
    expect(() => selectSourceFiles(micro)).toThrow(`'shared' is a symlink to ${outside}, outside the micro's src`);
  });

  it('skips a dangling symlink, and follows no loop: a link to the micro or a directory above adds nothing', () => {
    const micro = nodeMicro('', { 'index.js': '', 'lib/a/x.js': '' });
    symlinkSync(join(micro.srcDir, 'missing'), join(micro.srcDir, 'dangling'));
    symlinkSync(micro.srcDir, join(micro.srcDir, 'self'));
    symlinkSync(join(micro.srcDir, 'lib'), join(micro.srcDir, 'lib/a/up'));
    expect(selectSourceFiles(micro)).toEqual(['Spacefile', 'index.js', 'lib/a/x.js']);
  });

  it('never packages a CDK cloud assembly: the one being written, or any marked by cdk.out and manifest.json', () => {
    const files = {
      'index.js': '',
      'out/cdk.out': '{}',
      'out/manifest.json': '{}',
      'half/cdk.out': '{}',
      'notes/manifest.json': '{}',
      'synth/asset.js': '',
    };
    const micro = nodeMicro('', files);
    expect(selectSourceFiles(micro, join(micro.srcDir, 'synth'))).toEqual(['Spacefile', 'half/cdk.out', 'index.js', 'notes/manifest.json']);
  });

  it('lists files sorted, whatever order the filesystem reads them in', () => {
    const names = ['m.js', 'c.js', 'x/y.js', 'a.js', 'q.js', 'f.js', 'z.js', 'b.js', 'x.js'];
    const micro = nodeMicro('', Object.fromEntries(names.map((name) => [name, ''])));
    expect(selectSourceFiles(micro)).toEqual([...names, 'Spacefile'].sort());
  });
});
