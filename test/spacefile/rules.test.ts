/** Every Spacefile rule: a wrong Spacefile fails with a message that says what is wrong, at the right place. */
import { describe, expect, it } from 'vitest';
import { at, load, onlyProblem, problemsOf, yaml } from './helpers';

/** A valid one-micro app; tests append keys to the micro (lines 3-5, keys at column 5). */
const ONE_MICRO = yaml`
  v: 0
  micros:
    - name: web
      src: .
      engine: nodejs16
`;

describe('top level', () => {
  it('refuses an unknown key and suggests the nearest known one', () => {
    const problem = onlyProblem('v: 0\napp-name: demo\n' + ONE_MICRO.split('\n').slice(1).join('\n'));
    expect(problem).toMatchObject({ keyPath: 'app-name', location: at(2, 1), message: "unknown key 'app-name'" });
    expect(problem.suggestion).toBe("Did you mean 'app_name'?");
  });

  it('lists the known keys when nothing is close', () => {
    const problem = onlyProblem(ONE_MICRO + 'colour: blue\n');
    expect(problem).toMatchObject({ keyPath: 'colour', location: at(6, 1), expected: 'one of v, app_name, icon, auto_pwa, micros' });
  });

  it('requires v and micros', () => {
    const problems = problemsOf('app_name: demo\n');
    expect(problems.map((p) => [p.keyPath, p.message])).toEqual([
      ['v', "'v' is required"],
      ['micros', "'micros' is required"],
    ]);
    expect(problems[0]!.location).toEqual(at(1, 1));
  });

  it('refuses a v that is not the integer 0', () => {
    expect(onlyProblem(ONE_MICRO.replace('v: 0', 'v: "0"'))).toMatchObject({
      keyPath: 'v',
      location: at(1, 4),
      message: 'must be an integer',
      found: "'0'",
    });
    expect(onlyProblem(ONE_MICRO.replace('v: 0', 'v: 2'))).toMatchObject({
      keyPath: 'v',
      message: 'is not a supported Spacefile version',
      expected: '0',
      found: '2',
    });
  });

  it('reads v: 1 as v 0 with a warning, as Deta ran it', () => {
    const { app, warnings } = load(ONE_MICRO.replace('v: 0', 'v: 1'));
    expect(app.micros).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({ keyPath: 'v', location: at(1, 4), message: expect.stringContaining('read as v 0') })]);
  });

  it('limits app_name to 12 characters', () => {
    expect(load('app_name: twelve-chars\n' + ONE_MICRO).app.name).toBe('twelve-chars');
    expect(onlyProblem('app_name: thirteen-char\n' + ONE_MICRO)).toMatchObject({
      keyPath: 'app_name',
      location: at(1, 11),
      message: 'is too long',
      found: '13 characters',
    });
  });

  it('refuses auto_pwa that is not a boolean', () => {
    expect(onlyProblem(ONE_MICRO + 'auto_pwa: "no"\n')).toMatchObject({ keyPath: 'auto_pwa', message: 'must be true or false', found: "'no'" });
  });

  it('requires 1 to 5 micros', () => {
    expect(onlyProblem('v: 0\nmicros: []\n')).toMatchObject({ keyPath: 'micros', location: at(2, 9), message: 'must list at least one micro' });
    expect(onlyProblem('v: 0\nmicros: web\n')).toMatchObject({ keyPath: 'micros', message: 'must be a list', found: "'web'" });
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => `  - {name: ${name}, src: ., engine: nodejs16${i === 0 ? ', primary: true' : ''}}`);
    expect(onlyProblem(`v: 0\nmicros:\n${six.join('\n')}\n`)).toMatchObject({
      keyPath: 'micros[5]',
      location: at(8, 5),
      message: 'an app may have at most 5 micros',
      found: '6 micros',
    });
  });

  it('refuses an empty or non-mapping document', () => {
    expect(onlyProblem('# nothing\n')).toMatchObject({ keyPath: '(document)', message: 'the Spacefile is empty' });
    expect(onlyProblem('- v: 0\n')).toMatchObject({ keyPath: '(document)', found: 'a list' });
  });
});

describe('YAML syntax', () => {
  it('reports a syntax error at its position, and nothing else', () => {
    expect(onlyProblem('v: 0\n\tmicros: []\n')).toEqual({
      keyPath: '(yaml)',
      location: at(2, 1),
      message: 'Tabs are not allowed as indentation',
    });
    expect(onlyProblem('v: 0\nmicros:\n  - name: "web\n').message).toBe('Missing closing "quote');
  });

  it('refuses a key written twice in one mapping', () => {
    const problem = onlyProblem(ONE_MICRO + '    engine: python3.9\n');
    expect(problem).toMatchObject({ keyPath: '(yaml)', location: at(6, 5), message: expect.stringMatching(/unique/) });
  });
});

describe('micro keys', () => {
  it('refuses an unknown micro key with a suggestion', () => {
    expect(onlyProblem(ONE_MICRO + '    primray: true\n')).toMatchObject({
      keyPath: 'micros[0].primray',
      location: at(6, 5),
      suggestion: "Did you mean 'primary'?",
    });
  });

  it('requires name, src and engine, at the micro', () => {
    const problems = problemsOf('v: 0\nmicros:\n  - src: .\n');
    expect(problems.map((p) => p.keyPath)).toEqual(['micros[0].name', 'micros[0].engine']);
    expect(problems[0]!.location).toEqual(at(3, 5));
  });

  it('reports a required key with no value at the key', () => {
    expect(onlyProblem(ONE_MICRO.replace('src: .', 'src:'))).toMatchObject({
      keyPath: 'micros[0].src',
      location: at(4, 5),
      message: "'src' is required but has no value",
    });
  });

  it('refuses a micro name outside the pattern', () => {
    expect(onlyProblem(ONE_MICRO.replace('name: web', 'name: my web'))).toMatchObject({
      keyPath: 'micros[0].name',
      location: at(3, 11),
      message: 'is not a valid micro name',
      found: "'my web'",
    });
    expect(onlyProblem(ONE_MICRO.replace('name: web', 'name: _web')).message).toBe('is not a valid micro name');
  });

  it('refuses two micros with one name', () => {
    const text = yaml`
      v: 0
      micros:
        - name: web
          src: .
          engine: nodejs16
          primary: true
        - name: web
          src: ./other
          engine: nodejs16
    `;
    const problems = problemsOf(text);
    expect(problems).toContainEqual(
      expect.objectContaining({ keyPath: 'micros[1].name', location: at(7, 11), message: "micro name 'web' is already used by micros[0] (line 3)" }),
    );
  });

  it('refuses an unknown engine, suggesting the closest', () => {
    expect(onlyProblem(ONE_MICRO.replace('nodejs16', 'nodejs18'))).toMatchObject({
      keyPath: 'micros[0].engine',
      location: at(5, 13),
      message: 'is not a known engine',
      found: "'nodejs18'",
      suggestion: "Did you mean 'nodejs16'?",
    });
    expect(onlyProblem(ONE_MICRO.replace('nodejs16', 'deno')).suggestion).toBeUndefined();
  });

  it('refuses values of the wrong type', () => {
    expect(onlyProblem(ONE_MICRO + '    commands: npm run build\n')).toMatchObject({
      keyPath: 'micros[0].commands',
      location: at(6, 15),
      message: 'must be a list',
      found: "'npm run build'",
    });
    expect(onlyProblem(ONE_MICRO + '    commands:\n      - [npm, ci]\n')).toMatchObject({
      keyPath: 'micros[0].commands[0]',
      location: at(7, 9),
      message: 'must be a string',
      found: 'a list',
    });
    expect(onlyProblem(ONE_MICRO + '    provide_actions: 1\n')).toMatchObject({ message: 'must be true or false', found: 'number 1' });
  });

  it('refuses a custom micro without run', () => {
    expect(onlyProblem(ONE_MICRO.replace('nodejs16', 'custom'))).toMatchObject({
      keyPath: 'micros[0].run',
      location: at(3, 5),
      message: "'run' is required for engine custom",
    });
  });
});

describe('primary', () => {
  /** Two micros; `first` and `second` are extra lines of each (keys at column 5). */
  const twoMicros = (first: string, second: string) =>
    yaml`
      v: 0
      micros:
        - name: web
          src: .
          engine: nodejs16
        - name: api
          src: ./api
          engine: python3.9
    `
      .replace('nodejs16', `nodejs16${first}`)
      .replace('python3.9', `python3.9${second}`);

  it('requires a primary when there are several micros', () => {
    expect(onlyProblem(twoMicros('', ''))).toMatchObject({
      keyPath: 'micros',
      location: at(3, 3),
      message: 'no micro is marked as the primary',
      suggestion: "Add 'primary: true' to the micro that should serve '/'.",
    });
  });

  it('allows only one primary', () => {
    expect(onlyProblem(twoMicros('\n    primary: true', '\n    primary: true'))).toMatchObject({
      keyPath: 'micros[1].primary',
      location: at(10, 14),
      message: 'only one micro may be the primary; micros[0] already is',
    });
  });

  it('makes a single micro primary, even with primary: false', () => {
    const { app, warnings } = load(ONE_MICRO + '    primary: false\n');
    expect(app.primary.name).toBe('web');
    expect(app.primary.path).toBe('/');
    expect(warnings).toEqual([expect.objectContaining({ keyPath: 'micros[0].primary', location: at(6, 14) })]);
  });
});

describe('paths', () => {
  /** A primary and an `api` micro; `apiKeys` are extra lines of `api` (keys at column 5, from line 10). */
  const withApi = (apiKeys: string) =>
    yaml`
      v: 0
      micros:
        - name: web
          src: .
          engine: nodejs16
          primary: true
        - name: api
          src: ./api
          engine: python3.9
    `.replace('python3.9', `python3.9${apiKeys}`);

  it('normalises paths and defaults them to /<name>', () => {
    expect(load(withApi('')).app.micros[1]!.path).toBe('/api');
    expect(load(withApi('\n    path: v1/')).app.micros[1]!.path).toBe('/v1');
    expect(load(withApi('\n    path: /v1/items')).app.micros[1]!.path).toBe('/v1/items');
  });

  it('ignores a path on the primary, with a warning', () => {
    const { app, warnings } = load(ONE_MICRO + '    path: /web\n');
    expect(app.primary.path).toBe('/');
    expect(warnings).toEqual([expect.objectContaining({ keyPath: 'micros[0].path', location: at(6, 11) })]);
  });

  it('refuses a path that collides with another micro', () => {
    const text = withApi('') + '  - name: other\n    src: ./other\n    engine: nodejs16\n    path: api/\n';
    expect(onlyProblem(text)).toMatchObject({
      keyPath: 'micros[2].path',
      location: at(13, 11),
      message: "path '/api' is already used by micro 'api'",
    });
  });

  it("refuses '/' on a micro that is not the primary", () => {
    expect(onlyProblem(withApi('\n    path: /'))).toMatchObject({ keyPath: 'micros[1].path', message: "'/' belongs to the primary micro" });
  });

  it('refuses paths under /__space', () => {
    expect(onlyProblem(withApi('\n    path: __space/v0'))).toMatchObject({
      keyPath: 'micros[1].path',
      location: at(10, 11),
      message: "path '/__space/v0' is reserved for the Space runtime (/__space)",
    });
  });

  it('refuses characters no route can hold', () => {
    expect(onlyProblem(withApi("\n    path: 'my api'"))).toMatchObject({ message: 'is not a valid micro path', found: "'my api'" });
    expect(onlyProblem(withApi('\n    path: /a/../b')).message).toBe('is not a valid micro path');
  });
});

describe('public and public_routes', () => {
  it('refuses both at once', () => {
    expect(onlyProblem(ONE_MICRO + '    public: true\n    public_routes:\n      - /x\n')).toMatchObject({
      keyPath: 'micros[0].public_routes',
      location: at(7, 5),
      message: "'public' and 'public_routes' cannot be used together",
    });
  });

  it('turns public: true into /* and gives routes a leading slash', () => {
    expect(load(ONE_MICRO + '    public: true\n').app.primary.publicRoutes).toEqual(['/*']);
    expect(load(ONE_MICRO + '    public: false\n').app.primary.publicRoutes).toEqual([]);
    expect(load(ONE_MICRO + '    public_routes: ["*", "api/*", "/x"]\n').app.primary.publicRoutes).toEqual(['/*', '/api/*', '/x']);
  });

  it('refuses empty and repeated routes', () => {
    const problems = problemsOf(ONE_MICRO + '    public_routes:\n      - ""\n      - /x\n      - x\n');
    expect(problems).toEqual([
      expect.objectContaining({ keyPath: 'micros[0].public_routes[0]', location: at(7, 9), message: 'must not be empty' }),
      expect.objectContaining({ keyPath: 'micros[0].public_routes[2]', location: at(9, 9), message: "repeats the public route '/x' of line 8" }),
    ]);
  });
});

describe('serve, include and run by engine', () => {
  const micro = (engine: string, extra = '') => ONE_MICRO.replace('nodejs16', engine) + extra;

  it('requires serve for static, suggesting "serve: ."', () => {
    expect(onlyProblem(micro('static'))).toMatchObject({
      keyPath: 'micros[0].serve',
      location: at(3, 5),
      message: "'serve' is required for engine static",
      suggestion: 'Add "serve: ." to serve the micro\'s directory.',
    });
  });

  it('defaults serve for react, vue and svelte', () => {
    expect(load(micro('react')).app.primary.serve).toBe('build');
    expect(load(micro('vue')).app.primary.serve).toBe('dist');
    expect(load(micro('svelte')).app.primary.serve).toBe('public');
    expect(load(micro('static', '    serve: ./dist/\n')).app.primary.serve).toBe('dist');
  });

  it('refuses serve on engines that run a server', () => {
    for (const engine of ['nodejs16', 'next', 'python3.9']) {
      expect(onlyProblem(micro(engine, '    serve: dist\n'))).toMatchObject({
        keyPath: 'micros[0].serve',
        location: at(6, 12),
        message: 'is only allowed for engines static, react, vue, svelte',
        found: `engine ${engine}`,
      });
    }
  });

  it('refuses serve outside the micro', () => {
    expect(onlyProblem(micro('static', '    serve: ../site\n'))).toMatchObject({ message: "must be a directory inside the micro's src" });
  });

  it("refuses a src outside the app, as Space's builder only saw the app (issue 10, finding 12)", () => {
    for (const src of ['/etc', '../../..', '..', './a/../../b']) {
      expect(onlyProblem(ONE_MICRO.replace('src: .', `src: ${src}`)), src).toMatchObject({
        keyPath: 'micros[0].src',
        location: at(4, 10),
        message: "must be a directory inside the app (the Spacefile's directory)",
      });
    }
    expect(load(ONE_MICRO.replace('src: .', 'src: ./a/../b')).app.primary.srcDir).toBe('/apps/demo/b');
  });

  it("refuses include entries outside the micro's src (issue 10, finding 12)", () => {
    const problems = problemsOf(micro('nodejs16', '    include:\n      - dist\n      - ../secrets\n      - /etc/passwd\n'));
    expect(problems).toEqual([
      expect.objectContaining({
        keyPath: 'micros[0].include[1]',
        location: at(8, 9),
        message: "must be inside the micro's src",
        found: "'../secrets'",
      }),
      expect.objectContaining({
        keyPath: 'micros[0].include[2]',
        location: at(9, 9),
        message: "must be inside the micro's src",
        found: "'/etc/passwd'",
      }),
    ]);
  });

  it('normalises include and serve entries once, as packaging and dev read them', () => {
    const entries = ['./dist/', 'dist', 'dist//', '.', './', '.output', './.output/public/', './/lib', 'site./', 'a\\\\b', 'x/../y'];
    const include = load(micro('nodejs16', `    include:\n${entries.map((entry) => `      - '${entry}'\n`).join('')}`)).app.primary.include;
    expect(include).toEqual(['dist', '.', '.output', '.output/public', 'lib', 'site.', 'a/b', 'y']);
    expect(load(micro('static', '    serve: ./\n')).app.primary.serve).toBe('.');
  });

  it('refuses include on static-like engines', () => {
    expect(onlyProblem(micro('vue', '    include:\n      - dist\n'))).toMatchObject({
      keyPath: 'micros[0].include',
      location: at(7, 7),
      message: 'is not allowed for engine vue',
    });
  });

  it('ignores run on a static-like engine, with a warning', () => {
    const { app, warnings } = load(micro('react', '    run: npm run start\n'));
    expect(app.primary.run).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ keyPath: 'micros[0].run', location: at(6, 10) })]);
  });

  it('refuses an empty run', () => {
    expect(onlyProblem(micro('nodejs16', '    run: "  "\n'))).toMatchObject({ keyPath: 'micros[0].run', message: 'must not be empty' });
  });
});

describe('presets', () => {
  it('refuses unknown preset and env keys', () => {
    const problems = problemsOf(ONE_MICRO + '    presets:\n      api_key: true\n      env:\n        - name: TOKEN\n          descripton: x\n');
    expect(problems).toEqual([
      expect.objectContaining({ keyPath: 'micros[0].presets.api_key', location: at(7, 7), suggestion: "Did you mean 'api_keys'?" }),
      expect.objectContaining({
        keyPath: 'micros[0].presets.env[0].descripton',
        location: at(10, 11),
        suggestion: "Did you mean 'description'?",
      }),
    ]);
  });

  it('requires an env preset name', () => {
    expect(onlyProblem(ONE_MICRO + '    presets:\n      env:\n        - description: no name\n')).toMatchObject({
      keyPath: 'micros[0].presets.env[0].name',
      location: at(8, 11),
      message: "'name' is required",
    });
  });

  it('refuses names Lambda cannot set', () => {
    expect(onlyProblem(ONE_MICRO + '    presets:\n      env:\n        - name: MY-TOKEN\n')).toMatchObject({
      keyPath: 'micros[0].presets.env[0].name',
      location: at(8, 17),
      message: 'is not a valid environment variable name',
    });
    expect(onlyProblem(ONE_MICRO + '    presets:\n      env:\n        - name: AWS_REGION\n').message).toBe(
      "'AWS_REGION' is set by AWS Lambda itself and cannot be a preset",
    );
  });

  it('refuses a preset named like a variable the runtime adapter is configured by (issue 10, finding 10)', () => {
    for (const name of ['PORT', 'AWS_LAMBDA_EXEC_WRAPPER', 'SPACEPORT_BASE_PATH', 'SPACEPORT_ANYTHING']) {
      expect(onlyProblem(ONE_MICRO + `    presets:\n      env:\n        - name: ${name}\n`), name).toMatchObject({
        keyPath: 'micros[0].presets.env[0].name',
        location: at(8, 17),
        message: `'${name}' is set by the platform for the runtime adapter and cannot be a preset`,
      });
    }
  });

  it("ignores, with a warning, a preset named like a variable Space sets: Space's value wins, in the cloud and locally (issue 10, finding 10)", () => {
    const { app, warnings } = load(
      ONE_MICRO +
        '    presets:\n      env:\n        - name: DETA_API_KEY\n        - name: DETA_SPACE_APP_HOSTNAME\n          default: evil.example\n        - name: TOKEN\n',
    );
    expect(app.primary.envPresets.map((preset) => preset.name)).toEqual(['TOKEN']);
    expect(warnings).toEqual([
      expect.objectContaining({
        keyPath: 'micros[0].presets.env[0].name',
        location: at(8, 17),
        message: "'DETA_API_KEY' is set by Space itself: this preset is ignored and the micro gets the platform's value",
      }),
      expect.objectContaining({ keyPath: 'micros[0].presets.env[1].name', location: at(9, 17) }),
    ]);
  });

  it('warns about a name defined twice; the last definition wins in the first place', () => {
    const text =
      ONE_MICRO +
      '    presets:\n      env:\n        - name: A1\n          default: first\n        - name: B1\n        - name: A1\n          default: second\n';
    const { app, warnings } = load(text);
    expect(app.primary.envPresets.map((preset) => [preset.name, preset.default])).toEqual([
      ['A1', 'second'],
      ['B1', undefined],
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        keyPath: 'micros[0].presets.env[2].name',
        location: at(11, 17),
        message: "env preset 'A1' is defined again; this definition replaces the one at line 8",
      }),
    ]);
  });

  it('takes scalar defaults as written and keeps an empty default', () => {
    const text =
      ONE_MICRO + '    presets:\n      env:\n        - name: PORT_NUMBER\n          default: 0100\n        - name: EMPTY\n          default: ""\n';
    expect(load(text).app.primary.envPresets.map((preset) => preset.default)).toEqual(['0100', '']);
  });

  it('requires api_keys to be a boolean', () => {
    expect(onlyProblem(ONE_MICRO + '    presets:\n      api_keys: "yes"\n')).toMatchObject({
      keyPath: 'micros[0].presets.api_keys',
      location: at(7, 17),
      message: 'must be true or false',
    });
  });
});

describe('actions', () => {
  const action = (fields: string) => `  - id: a1\n    name: A one\n    trigger: schedule\n    default_interval: 5 minutes\n${fields}`;
  const withActions = (...actions: string[]) => ONE_MICRO + '    actions:\n' + actions.map((text) => text.replace(/^(?=.)/gm, '    ')).join('');

  it('accepts a valid action', () => {
    const { app } = load(withActions(action('')));
    expect(app.actions).toEqual([expect.objectContaining({ id: 'a1', name: 'A one', trigger: 'schedule', microName: 'web', location: at(7, 9) })]);
    expect(app.actions[0]!.interval.source).toBe('5 minutes');
  });

  it('requires id, name, trigger and default_interval', () => {
    const problems = problemsOf(ONE_MICRO + '    actions:\n      - description: nothing else\n');
    expect(problems.map((p) => p.keyPath)).toEqual([
      'micros[0].actions[0].id',
      'micros[0].actions[0].name',
      'micros[0].actions[0].trigger',
      'micros[0].actions[0].default_interval',
    ]);
    expect(problems[0]!.location).toEqual(at(7, 9));
  });

  it('refuses an unknown action key', () => {
    expect(onlyProblem(withActions(action('    cron: x\n')))).toMatchObject({
      keyPath: 'micros[0].actions[0].cron',
      location: at(11, 9),
      expected: 'one of id, name, description, trigger, default_interval, path',
    });
  });

  it('accepts only the schedule trigger', () => {
    expect(onlyProblem(withActions(action('').replace('trigger: schedule', 'trigger: webhook')))).toMatchObject({
      keyPath: 'micros[0].actions[0].trigger',
      location: at(9, 18),
      message: 'is not a supported trigger',
      found: "'webhook'",
    });
  });

  it('refuses an interval Deta refused, with the reason', () => {
    const problem = onlyProblem(withActions(action('').replace('5 minutes', '30 seconds')));
    expect(problem).toMatchObject({ keyPath: 'micros[0].actions[0].default_interval', location: at(10, 27) });
    expect(problem.message).toContain('interval "30 seconds"');
  });

  it('limits descriptions to 142 characters', () => {
    expect(load(withActions(action(`    description: ${'d'.repeat(142)}\n`))).app.actions[0]!.description).toHaveLength(142);
    expect(onlyProblem(withActions(action(`    description: ${'d'.repeat(143)}\n`)))).toMatchObject({
      keyPath: 'micros[0].actions[0].description',
      message: 'is too long',
      found: '143 characters',
    });
  });

  it('warns that an action path is ignored', () => {
    const { warnings } = load(withActions(action('    path: /run\n')));
    expect(warnings).toEqual([
      expect.objectContaining({ keyPath: 'micros[0].actions[0].path', message: expect.stringContaining('/__space/v0/actions') }),
    ]);
  });

  it('allows at most 5 actions per micro', () => {
    const six = [1, 2, 3, 4, 5, 6].map((n) => action('').replace('a1', `a${n}`).replace('A one', `A ${n}`));
    expect(onlyProblem(withActions(...six))).toMatchObject({
      keyPath: 'micros[0].actions[5]',
      location: at(27, 9),
      message: 'a micro may declare at most 5 actions',
    });
  });

  it('refuses repeated action ids and names across micros', () => {
    const text = yaml`
      v: 0
      micros:
        - name: web
          src: .
          engine: nodejs16
          primary: true
          actions:
            - {id: sync, name: Sync, trigger: schedule, default_interval: 1 hour}
        - name: api
          src: ./api
          engine: python3.9
          actions:
            - {id: sync, name: Sync, trigger: schedule, default_interval: 1 hour}
    `;
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ keyPath: 'micros[1].actions[0].id', location: at(13, 14), message: "action id 'sync' is already used at line 8" }),
      expect.objectContaining({
        keyPath: 'micros[1].actions[0].name',
        location: at(13, 26),
        message: "action name 'Sync' is already used at line 8",
      }),
    ]);
  });

  it('allows at most 25 actions per app', () => {
    const micros = [0, 1, 2, 3, 4, 5].map((m) => {
      const actions = [0, 1, 2, 3, 4].map((a) => `{id: m${m}a${a}, name: M${m}A${a}, trigger: schedule, default_interval: 1 hour}`);
      return `  - {name: m${m}, src: ., path: /m${m}, engine: nodejs16, primary: ${m === 0}, actions: [${actions.join(', ')}]}`;
    });
    const problems = problemsOf(`v: 0\nmicros:\n${micros.join('\n')}\n`);
    expect(problems).toContainEqual(expect.objectContaining({ message: 'an app may declare at most 25 actions', found: '30 actions' }));
  });
});

describe('keys with no value', () => {
  it('treats an optional key with nothing after it as absent, with a warning', () => {
    const { app, warnings } = load(ONE_MICRO + '    commands:\n      # - npm ci\n');
    expect(app.primary.commands).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({ keyPath: 'micros[0].commands', location: at(6, 5), message: "'commands' has no value and is ignored" }),
    ]);
  });
});
