/** Which of a micro's files are packaged: what `space push` uploaded, with Deta's default ignores and `.spaceignore`. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseEntry, selectSourceFiles } from '../../lib/packaging/file-selection';
import { writeApp } from '../constructs/helpers';

const EVERY_DEFAULT = {
  'index.js': '',
  'node_modules/a/index.js': '',
  '.venv/bin/python': '',
  'build/out.js': '',
  'dist/index.html': '',
  '.git/HEAD': '',
  '.env': '',
  '.env.local': '',
  'src/env.js': '',
};

function nodeMicro(extra: string, files: Record<string, string>) {
  return writeApp(`v: 0\nmicros:\n  - name: api\n    src: .\n    engine: nodejs16\n${extra}`, files).micros[0]!;
}

describe('selectSourceFiles', () => {
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

describe('normaliseEntry', () => {
  it.each([
    ['./dist/', 'dist'],
    ['dist', 'dist'],
    ['dist//', 'dist'],
    ['.', ''],
    ['./', ''],
    ['.output', '.output'],
    ['./.output/public/', '.output/public'],
  ])('reads %j as %j', (entry, normalised) => {
    expect(normaliseEntry(entry)).toBe(normalised);
  });
});
