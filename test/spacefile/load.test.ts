/** Loading: every default filled in, sources checked, CRLF files, all problems at once and how they read. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpacefile, loadSpacefileWithWarnings } from '../../lib/spacefile/load';
import { SpacefileError } from '../../lib/spacefile/problems';
import { FILE, appDir, at, load, problemsOf, yaml } from './helpers';

const HELLO = yaml`
  v: 0
  app_name: hello
  micros:
    - name: web
      src: ./web
      engine: nodejs16
      primary: true
      public_routes:
        - "/public/*"
      presets:
        api_keys: true
        env:
          - name: GREETING
            description: How the app greets its visitors
            default: "Hello from Space"
      actions:
        - id: tick
          name: Tick
          trigger: schedule
          default_interval: "* * * * *"
    - name: api
      src: ./api
      engine: python3.9
      path: api
    - name: docs
      src: ./docs
      engine: static
      serve: .
      public: true
`;

describe('defaults', () => {
  it('fills in every default of a multi-micro app', () => {
    const { app, warnings } = load(HELLO);
    expect(warnings).toEqual([]);
    expect(app).toMatchObject({ spacefile: FILE, rootDir: '/apps/demo', name: 'hello', autoPwa: true });
    expect(app.primary.name).toBe('web');
    const [web, api, docs] = app.micros;
    expect(web).toMatchObject({
      src: './web',
      srcDir: '/apps/demo/web',
      kind: 'node',
      runtime: 'nodejs24.x',
      path: '/',
      run: 'node index.js',
      commands: [],
      publicRoutes: ['/public/*'],
      apiKeys: true,
      provideActions: false,
      location: at(4, 5),
    });
    expect(web!.envPresets).toEqual([
      { name: 'GREETING', description: 'How the app greets its visitors', default: 'Hello from Space', location: at(13, 11) },
    ]);
    expect(api).toMatchObject({
      kind: 'python',
      runtime: 'python3.13',
      primary: false,
      path: '/api',
      run: 'python3 -m spaceport_adapter.serve main:app',
      publicRoutes: [],
      apiKeys: false,
      envPresets: [],
    });
    expect(docs).toMatchObject({ kind: 'static', runtime: 'nodejs24.x', path: '/docs', serve: '.', publicRoutes: ['/*'] });
    expect(docs!.run).toBeUndefined();
    expect(app.actions.map((action) => [action.id, action.microName])).toEqual([['tick', 'web']]);
  });

  it('starts each framework the way its production build runs', () => {
    const runOf = (engine: string) => load(`v: 0\nmicros:\n  - {name: m, src: ., engine: ${engine}}\n`).app.primary.run;
    expect(runOf('next')).toBe('node server.js');
    expect(runOf('nuxt')).toBe('node .output/server/index.mjs');
    expect(runOf('svelte-kit')).toBe('node build/index.js');
    expect(runOf('python3.8')).toBe('python3 -m spaceport_adapter.serve main:app');
    expect(load(`v: 0\nmicros:\n  - {name: m, src: ., engine: custom, run: ./server}\n`).app.primary).toMatchObject({
      kind: 'custom',
      runtime: 'nodejs24.x',
      run: './server',
    });
  });

  it('runs on the Lambda runtimes the options pick', () => {
    const { app } = load(HELLO, { checkSources: false, runtimes: { node: 'nodejs22.x', python: 'python3.12' } });
    expect(app.micros.map((micro) => micro.runtime)).toEqual(['nodejs22.x', 'python3.12', 'nodejs22.x']);
  });

  it("names the app after the Spacefile's directory without app_name", () => {
    expect(load(HELLO.replace('app_name: hello\n', '')).app.name).toBe('demo');
  });
});

describe('sources', () => {
  it('refuses a src directory that does not exist, at its value', () => {
    const spacefile = appDir({ 'web/index.js': '' });
    const problems = problemsOf(HELLO.replace('./api', './missing'), { checkSources: true });
    expect(problems.map((p) => p.keyPath)).toContain('micros[1].src');
    expect(() => loadSpacefile(spacefile)).toThrow(SpacefileError);
  });

  it('loads an app whose sources exist, from the file or its directory', () => {
    const spacefile = appDir({ Spacefile: HELLO, 'web/index.js': '', 'api/main.py': '', 'docs/index.html': '' });
    const root = dirname(spacefile);
    expect(loadSpacefile(spacefile).micros.map((micro) => micro.srcDir)).toEqual([join(root, 'web'), join(root, 'api'), join(root, 'docs')]);
    expect(loadSpacefile(root).spacefile).toBe(spacefile);
  });

  it('reports every missing src with its position', () => {
    const spacefile = appDir({ Spacefile: HELLO, 'web/index.js': '' });
    try {
      loadSpacefile(spacefile);
      expect.unreachable();
    } catch (error) {
      expect((error as SpacefileError).problems).toEqual([
        expect.objectContaining({
          keyPath: 'micros[1].src',
          location: { file: spacefile, line: 22, column: 10 },
          message: "directory './api' does not exist",
        }),
        expect.objectContaining({
          keyPath: 'micros[2].src',
          location: { file: spacefile, line: 26, column: 10 },
          message: "directory './docs' does not exist",
        }),
      ]);
    }
  });

  it('uses the directory of a src that names a file, with a warning', () => {
    const text = 'v: 0\nmicros:\n  - name: m\n    src: ./build/main.js\n    engine: nodejs16\n';
    const spacefile = appDir({ Spacefile: text, 'build/main.js': '' });
    const { app, warnings } = loadSpacefileWithWarnings(spacefile);
    expect(app.primary.srcDir).toBe(join(dirname(spacefile), 'build'));
    expect(warnings).toEqual([expect.objectContaining({ keyPath: 'micros[0].src', location: { file: spacefile, line: 4, column: 10 } })]);
  });

  it('explains a Spacefile that cannot be read, without a stack trace', () => {
    const missing = join(dirname(appDir({})), 'nope', 'Spacefile');
    expect(() => loadSpacefile(missing)).toThrow(/cannot read the Spacefile: no such file/);
    const directory = dirname(appDir({}));
    mkdirSync(join(directory, 'Spacefile'));
    expect(() => loadSpacefile(join(directory, 'Spacefile', 'Spacefile'))).toThrow(SpacefileError);
  });
});

describe('problems', () => {
  const BROKEN = yaml`
    v: 0
    app_name: far-too-long-name
    micros:
      - name: web
        src: .
        engin: nodejs16
        public: yes
  `;

  it('reports every problem at once, in file order', () => {
    expect(problemsOf(BROKEN).map((p) => [p.keyPath, p.location.line, p.location.column])).toEqual([
      ['app_name', 2, 11],
      ['micros[0].engine', 4, 5],
      ['micros[0].engin', 6, 5],
      ['micros[0].public', 7, 13],
    ]);
  });

  it('points at the same line and column in a CRLF file', () => {
    const lf = problemsOf(BROKEN);
    const crlf = problemsOf(BROKEN.replace(/\n/g, '\r\n'));
    expect(crlf).toEqual(lf);
  });

  it('formats one line per problem: position, key path, message, expected/found, suggestion', () => {
    try {
      load(BROKEN);
      expect.unreachable();
    } catch (error) {
      expect((error as SpacefileError).format().split('\n')).toEqual([
        `${FILE}:2:11  app_name: is too long (expected at most 12 characters, found 17 characters)`,
        `${FILE}:4:5  micros[0].engine: 'engine' is required (expected one of static, react, svelte, vue, next, nuxt, svelte-kit, python3.9, python3.8, nodejs16, custom)`,
        `${FILE}:6:5  micros[0].engin: unknown key 'engin' Did you mean 'engine'?`,
        `${FILE}:7:13  micros[0].public: must be true or false (expected true or false, found 'yes')`,
      ]);
      expect((error as Error).message).toContain('has 4 problems');
    }
  });
});
