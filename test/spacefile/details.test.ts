/**
 * What a user reads when a Spacefile is wrong beyond the message: what was expected, what was found and the
 * suggestion (`spaceport validate` prints all three); and the model's optional fields, present only when written.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpacefile, loadSpacefileWithWarnings } from '../../lib/spacefile/load';
import { appDir, load, onlyProblem, problemsOf, yaml } from './helpers';

/** A one-micro app; `keys` are appended to the micro at its indentation. */
function withMicro(keys = '', engine = 'nodejs16'): string {
  return (
    yaml`
    v: 0
    micros:
      - name: web
        src: .
        engine: ${engine}
  ` + keys.replace(/^(?=.)/gm, '    ')
  );
}

/** An app of the micros `names`, the first the primary; `keys` are appended to the last one. */
function withMicros(names: readonly string[], keys = ''): string {
  const micros = names.map((name, index) => `  - name: ${name}\n    src: .\n    engine: nodejs16\n${index === 0 ? '    primary: true\n' : ''}`);
  return 'v: 0\nmicros:\n' + micros.join('') + keys.replace(/^(?=.)/gm, '    ');
}

/** `count` valid actions, as the lines of an `actions:` list at a micro's indentation. */
function actions(count: number, prefix: string): string {
  return (
    'actions:\n' +
    Array.from(
      { length: count },
      (_, i) => `  - id: ${prefix}${i}\n    name: ${prefix} ${i}\n    trigger: schedule\n    default_interval: 1 minute\n`,
    ).join('')
  );
}

describe('what each problem expects and found', () => {
  it.each<[string, string, Record<string, string>]>([
    ['micros missing', 'v: 0\n', { keyPath: 'micros', expected: 'a list of 1 to 5 micros' }],
    ['v missing', 'micros:\n  - name: web\n    src: .\n    engine: nodejs16\n', { keyPath: 'v', expected: '0' }],
    ['an empty micro list', 'v: 0\nmicros: []\n', { message: 'must list at least one micro', expected: 'a list of 1 to 5 micros' }],
    ['a micro name missing', 'v: 0\nmicros:\n  - src: .\n    engine: nodejs16\n', { keyPath: 'micros[0].name', expected: 'a name like my-micro' }],
    [
      'a src missing',
      'v: 0\nmicros:\n  - name: web\n    engine: nodejs16\n',
      { keyPath: 'micros[0].src', expected: "the micro's directory, relative to the Spacefile" },
    ],
    [
      'an invalid micro name',
      withMicro().replace('name: web', 'name: _web'),
      { expected: 'a letter or digit, then letters, digits, "_" or "-"', found: "'_web'" },
    ],
    [
      'an unknown engine',
      withMicro('', 'cobol'),
      {
        message: 'is not a known engine',
        expected: 'one of static, react, svelte, vue, next, nuxt, svelte-kit, python3.9, python3.8, nodejs16, custom',
      },
    ],
    ['an empty src', withMicro().replace('src: .', 'src: "  "'), { message: 'must not be empty', expected: "a directory such as '.' or './api'" }],
    ['a src outside the app', withMicro().replace('src: .', 'src: ../x'), { found: "'../x', which is /apps/x" }],
    [
      'a path with a space',
      withMicros(['web', 'api'], 'path: a b/api\n'),
      { message: 'is not a valid micro path', expected: "segments of letters, digits, '.', '_', '~' or '-', such as /api", found: "'a b/api'" },
    ],
    ['a path with a . segment', withMicros(['web', 'api'], 'path: a/./b\n'), { message: 'is not a valid micro path' }],
    ['a path of /', withMicros(['web', 'api'], 'path: /\n'), { message: "'/' belongs to the primary micro", suggestion: "Use a path like '/api'." }],
    [
      'a default path taken',
      withMicros(['web', 'api', 'other'], 'path: /api\n'),
      { keyPath: 'micros[2].path', message: "path '/api' is already used by micro 'api'" },
    ],
    [
      'a path taken by a default',
      withMicros(['web', 'other', 'api']).replace(
        '  - name: other\n    src: .\n    engine: nodejs16\n',
        '  - name: other\n    src: .\n    engine: nodejs16\n    path: /api\n',
      ),
      { keyPath: 'micros[2]', message: "path '/api' (the default for micro 'api') is already used by micro 'other'" },
    ],
    [
      'no primary',
      withMicros(['web', 'api']).replace('    primary: true\n', ''),
      { expected: "exactly one micro with 'primary: true' when there are several" },
    ],
    [
      'static without serve',
      withMicro('', 'static'),
      { message: "'serve' is required for engine static", expected: 'the directory of files to serve, relative to src' },
    ],
    ['serve outside src', withMicro('serve: ..\n', 'static'), { message: "must be a directory inside the micro's src", found: "'..'" }],
    ['include on a static micro', withMicro('include:\n  - dist\n', 'vue'), { suggestion: "Use 'serve' to choose the directory to serve." }],
    [
      'custom without run',
      withMicro('', 'custom'),
      { message: "'run' is required for engine custom", expected: 'the command that starts the server on $PORT' },
    ],
    ['an empty run', withMicro('run: "  "\n'), { message: 'must not be empty', expected: 'the command that starts the server on $PORT' }],
    [
      'public with public_routes',
      withMicro('public: true\npublic_routes:\n  - /x\n'),
      { suggestion: "Keep 'public_routes' (use \"/*\" to make everything public) and remove 'public'." },
    ],
    ['a blank public route', withMicro('public_routes:\n  - "  "\n'), { message: 'must not be empty', expected: 'a route such as /public/*' }],
    [
      'a preset without a name',
      withMicro('presets:\n  env:\n    - description: x\n'),
      { keyPath: 'micros[0].presets.env[0].name', expected: 'an environment variable name' },
    ],
    [
      'an invalid preset name',
      withMicro('presets:\n  env:\n    - name: 1X\n'),
      { expected: 'a letter followed by letters, digits or underscores (at least 2 characters)', found: "'1X'" },
    ],
    [
      'an action without id or name',
      withMicro('actions:\n  - trigger: schedule\n    default_interval: 1 minute\n    name: n\n'),
      { keyPath: 'micros[0].actions[0].id', expected: 'a unique action id' },
    ],
    [
      'an action without a name',
      withMicro('actions:\n  - trigger: schedule\n    default_interval: 1 minute\n    id: a\n'),
      { keyPath: 'micros[0].actions[0].name', expected: 'a unique action name' },
    ],
    [
      'an action without a trigger',
      withMicro('actions:\n  - id: a\n    name: n\n    default_interval: 1 minute\n'),
      { keyPath: 'micros[0].actions[0].trigger', expected: "'schedule'" },
    ],
    [
      'an action without an interval',
      withMicro('actions:\n  - id: a\n    name: n\n    trigger: schedule\n'),
      { keyPath: 'micros[0].actions[0].default_interval', expected: 'a rate like "5 minutes" or a cron expression' },
    ],
    [
      'an unknown trigger',
      withMicro('actions:\n  - id: a\n    name: n\n    trigger: webhook\n    default_interval: 1 minute\n'),
      { message: 'is not a supported trigger', expected: "'schedule'", found: "'webhook'" },
    ],
    [
      'a trigger that is not a string',
      withMicro('actions:\n  - id: a\n    name: n\n    trigger: [schedule]\n    default_interval: 1 minute\n'),
      { keyPath: 'micros[0].actions[0].trigger', found: 'a list' },
    ],
    [
      'an empty action id',
      withMicro('actions:\n  - id: ""\n    name: n\n    trigger: schedule\n    default_interval: 1 minute\n'),
      { keyPath: 'micros[0].actions[0].id', message: 'must not be empty' },
    ],
    [
      'a blank action name',
      withMicro('actions:\n  - id: a\n    name: "  "\n    trigger: schedule\n    default_interval: 1 minute\n'),
      { keyPath: 'micros[0].actions[0].name', message: 'must not be empty' },
    ],
    [
      'a long description',
      withMicro(`actions:\n  - id: a\n    name: n\n    description: ${'d'.repeat(143)}\n    trigger: schedule\n    default_interval: 1 minute\n`),
      { message: 'is too long', expected: 'at most 142 characters', found: '143 characters' },
    ],
    ['six actions in a micro', withMicro(actions(6, 'a')), { keyPath: 'micros[0].actions[5]', found: '6 actions' }],
  ])('%s', (_, spacefile, problem) => {
    expect(onlyProblem(spacefile)).toMatchObject(problem);
  });

  it('says where a src that does not exist was looked for', () => {
    const problem = problemsOf(withMicro().replace('src: .', 'src: ./missing'), { checkSources: true }).find((p) => p.keyPath === 'micros[0].src');
    expect(problem).toMatchObject({ message: "directory './missing' does not exist", found: 'nothing at /apps/demo/missing' });
  });

  it('refuses a src that is a link leading out of the app', () => {
    const outside = mkdtempSync(join(tmpdir(), 'spaceport-outside-'));
    const spacefile = appDir({ Spacefile: withMicro().replace('src: .', 'src: ./linked') });
    symlinkSync(outside, join(dirname(spacefile), 'linked'));
    expect(() => loadSpacefile(spacefile)).toThrow(/must be a directory inside the app/);
  });

  it('uses the directory holding a src that is a file, with a warning that names it', () => {
    const spacefile = appDir({ Spacefile: withMicro().replace('src: .', 'src: ./api/main.js'), 'api/main.js': '' });
    const { app, warnings } = loadSpacefileWithWarnings(spacefile);
    const api = join(dirname(spacefile), 'api');
    expect(app.primary.srcDir).toBe(api);
    expect(warnings).toEqual([
      expect.objectContaining({ message: `'./api/main.js' is a file, not a directory: the micro uses the directory holding it, '${api}'` }),
    ]);
  });

  it('refuses _HANDLER and _X_AMZN_TRACE_ID by the name rule Lambda applies', () => {
    expect(onlyProblem(withMicro('presets:\n  env:\n    - name: _HANDLER\n'))).toMatchObject({ message: 'is not a valid environment variable name' });
  });

  it.each([
    'AWS_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'AWS_DEFAULT_REGION',
    'AWS_EXECUTION_ENV',
    'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
    'AWS_LAMBDA_FUNCTION_NAME',
    'AWS_LAMBDA_FUNCTION_VERSION',
    'AWS_LAMBDA_INITIALIZATION_TYPE',
    'AWS_LAMBDA_LOG_GROUP_NAME',
    'AWS_LAMBDA_LOG_STREAM_NAME',
    'AWS_LAMBDA_RUNTIME_API',
    'AWS_REGION',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'LAMBDA_RUNTIME_DIR',
    'LAMBDA_TASK_ROOT',
  ])('refuses the Lambda-reserved variable %s as a preset', (name) => {
    expect(onlyProblem(withMicro(`presets:\n  env:\n    - name: ${name}\n`)).message).toBe(
      `'${name}' is set by AWS Lambda itself and cannot be a preset`,
    );
  });
});

describe('what each warning says', () => {
  it.each<[string, string, Record<string, string>]>([
    ['v: 1', withMicro().replace('v: 0', 'v: 1'), { keyPath: 'v', found: '1' }],
    ['the only micro not primary', withMicro('primary: false\n'), { message: 'is ignored: the only micro of an app is always its primary' }],
    ["the primary's path", withMicro('path: /web\n'), { message: "is ignored: the primary micro always serves '/'" }],
    [
      'run on a static micro',
      withMicro('serve: .\nrun: node x\n', 'static'),
      { message: 'is ignored: a static micro is a directory of files that Spaceport serves itself' },
    ],
    ['an empty commands list', withMicro('commands: []\n'), { message: 'lists no command and is ignored' }],
    ['an empty include list', withMicro('include: []\n'), { message: 'lists no file or directory and is ignored' }],
  ])('%s', (_, spacefile, warning) => {
    expect(load(spacefile).warnings).toEqual([expect.objectContaining(warning)]);
  });
});

describe('paths, serve and include as written', () => {
  it.each([
    [' api ', '/api'],
    ['//api', '/api'],
    ['api//', '/api'],
    ['v1.0', '/v1.0'],
  ])('reads the path %j as %s', (path, expected) => {
    expect(load(withMicros(['web', 'api'], `path: "${path}"\n`)).app.micros[1]!.path).toBe(expected);
  });

  it.each([
    [' public ', 'public'],
    ['a\\\\b', 'a/b'],
    ['public/', 'public'],
    ['/', '.'],
  ])('reads serve %j as %s', (serve, expected) => {
    expect(load(withMicro(`serve: "${serve}"\n`, 'static')).app.primary.serve).toBe(expected);
  });

  it('keeps include entries once each, in order', () => {
    expect(load(withMicro('include:\n  - dist\n  - lib\n  - dist\n')).app.primary.include).toEqual(['dist', 'lib']);
  });

  it('reads python3.8 as a Python micro', () => {
    expect(load(withMicro('', 'python3.8')).app.primary.kind).toBe('python');
  });
});

describe('the app limits', () => {
  it('allows 25 actions in an app and refuses the 26th', () => {
    const micro = (name: string, count: number) =>
      `  - name: ${name}\n    src: .\n    engine: nodejs16\n${name === 'm0' ? '    primary: true\n' : ''}` +
      actions(count, name).replace(/^(?=.)/gm, '    ');
    const app = (last: number) => 'v: 0\nmicros:\n' + ['m0', 'm1', 'm2', 'm3'].map((name) => micro(name, 5)).join('') + micro('m4', last);
    expect(load(app(5)).app.actions).toHaveLength(25);
    expect(problemsOf(app(6)).map((p) => [p.keyPath, p.message, p.found])).toEqual([
      ['micros[4].actions[5]', 'a micro may declare at most 5 actions', '6 actions'],
      ['micros[4].actions[5].id', 'an app may declare at most 25 actions', '26 actions'],
    ]);
  });
});

describe('optional fields of the model', () => {
  it('are absent when not written', () => {
    const { app } = load(withMicro(actions(1, 'a') + 'presets:\n  env:\n    - name: TOKEN\n', 'nodejs16'));
    expect(Object.keys(app)).not.toContain('icon');
    for (const key of ['serve', 'include', 'dev']) expect(Object.keys(app.primary)).not.toContain(key);
    expect(Object.keys(app.primary.envPresets[0]!)).toEqual(['name', 'location']);
    expect(Object.keys(app.actions[0]!)).not.toContain('description');
    expect(Object.keys(load(withMicro('serve: .\n', 'static')).app.primary)).not.toContain('run');
  });

  it('are present when written', () => {
    const { app } = load(
      'icon: ./icon.png\n' +
        withMicro(
          'include:\n  - dist\ndev: npm run dev\npresets:\n  env:\n    - name: TOKEN\n      description: the token\n      default: ""\n' +
            actions(1, 'a').replace('    trigger', '    description: nightly\n    trigger'),
        ),
    );
    expect(app.icon).toBe('./icon.png');
    expect(app.primary).toMatchObject({ include: ['dist'], dev: 'npm run dev' });
    expect(app.primary.envPresets).toEqual([expect.objectContaining({ name: 'TOKEN', description: 'the token', default: '' })]);
    expect(app.actions[0]!.description).toBe('nightly');
  });
});
