import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors';
import { parseDotenv } from '../../lib/local/dev/dotenv';
import { dataVariables } from '../../lib/local/data/data-service';
import { microFunctionVariables, parseEnvFlag, resolvePresets } from '../../lib/local/dev/dev-variables';
import { loadOrCreateProjectKey } from '../../lib/local/project-key-file';
import { ensureInternalKey } from '../../lib/local/state';
import { app, micro } from './model-helpers';
import { synth, writeApp } from '../constructs/helpers';

const deployedApp = writeApp(
  'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node server.js\n    presets:\n      env:\n        - name: GREETING\n          default: hi\n',
  { 'server.js': '' },
);
const deployedWeb = deployedApp.primary;

/** The environment of the web micro's function in a synthesized stack. */
function synthesizedEnvironment(): Record<string, unknown> {
  const { template } = synth({ spacefile: deployedApp.spacefile });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
    (resource) => resource.Properties.Environment?.Variables ?? {},
  );
  return functions.find((variables) => variables.DETA_SPACE_APP_MICRO_NAME === 'web')!;
}

const location = { file: '/app/Spacefile', line: 12, column: 9 };
const web = micro({
  name: 'web',
  path: '/',
  primary: true,
  run: 'node server.js',
  envPresets: [
    { name: 'GREETING', default: 'Hello', location },
    { name: 'SECRET', location },
  ],
});
const api = micro({ name: 'api', path: '/api', kind: 'python', run: 'python3 main.py', dev: 'python3 -X dev main.py' });
const docs = micro({ name: 'docs', path: '/docs', kind: 'static', engine: 'static', run: undefined, serve: 'dist' });
const space = { projectKey: 'abc_def', internalKey: 'the-internal-key-of-this-test-app', hostname: 'localhost:4200' };

describe('resolvePresets', () => {
  const theApp = app([web, api]);
  const sources = (flags: Record<string, string>, dotenv: Record<string, string>) => ({
    flags: new Map(Object.entries(flags)),
    dotenv: new Map(Object.entries(dotenv)),
    dotenvFile: '/app/.env',
  });

  it('prefers --env over .env over the default', () => {
    expect(resolvePresets(theApp, sources({ SECRET: 'flag' }, { SECRET: 'file', GREETING: 'Hi' })).get('web')).toEqual({
      GREETING: 'Hi',
      SECRET: 'flag',
    });
    expect(resolvePresets(theApp, sources({}, { SECRET: 's' })).get('web')).toEqual({ GREETING: 'Hello', SECRET: 's' });
  });

  it('names a preset left without a value and where to set it', () => {
    expect(() => resolvePresets(theApp, sources({}, {}))).toThrow(
      /Spacefile:12: preset SECRET of micro web has no default and no value: add SECRET=\.\.\. to \/app\/\.env/,
    );
  });

  it('rejects --env for a name no micro declares', () => {
    expect(() => resolvePresets(theApp, sources({ SECRET: 's', TYPO: 'x' }, {}))).toThrow(/--env TYPO: no micro/);
  });
});

describe('microFunctionVariables', () => {
  it('configures the adapter and the Space environment of the primary', () => {
    expect(microFunctionVariables(web, space, { GREETING: 'Hi' })).toEqual({
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap',
      SPACEPORT_RUN: 'node server.js',
      SPACEPORT_BASE_PATH: '',
      DETA_PROJECT_KEY: 'abc_def',
      DETA_API_KEY: 'the-internal-key-of-this-test-app',
      DETA_SPACE_APP: 'true',
      DETA_RUNTIME: 'true',
      DETA_SPACE_APP_VERSION: 'dev',
      DETA_SPACE_APP_HOSTNAME: 'localhost:4200',
      DETA_SPACE_APP_MICRO_NAME: 'web',
      DETA_SPACE_APP_MICRO_TYPE: 'primary',
      GREETING: 'Hi',
    });
  });

  it('prefers the dev command, strips a normal micro path and serves static micros', () => {
    expect(microFunctionVariables(api, space, {})).toMatchObject({
      SPACEPORT_RUN: 'python3 -X dev main.py',
      SPACEPORT_BASE_PATH: '/api',
      DETA_SPACE_APP_MICRO_TYPE: 'normal',
    });
    const staticEnv = microFunctionVariables(docs, space, {});
    expect(staticEnv.SPACEPORT_STATIC_DIR).toBe('dist');
    expect(staticEnv.SPACEPORT_RUN).toBeUndefined();
  });
});

describe('one micro environment for the cloud and spaceport dev (issue 10, finding 10)', () => {
  it("gives the platform's variables precedence over any preset value", () => {
    const env = microFunctionVariables(web, space, {
      GREETING: 'Hi',
      DETA_API_KEY: 'evil',
      SPACEPORT_BASE_PATH: '/evil',
      DETA_SPACE_APP_HOSTNAME: 'evil.example',
    });
    expect(env).toMatchObject({
      DETA_API_KEY: space.internalKey,
      SPACEPORT_BASE_PATH: '',
      DETA_SPACE_APP_HOSTNAME: 'localhost:4200',
      GREETING: 'Hi',
    });
  });

  it('sets the same variables as the deployed function, whose PORT is fixed; locally the data host is trusted through its CA', () => {
    const deployed = synthesizedEnvironment();
    const data = dataVariables('127.0.0.1:4300', '/var/spaceport/ca.pem', '/var/spaceport/ca-bundle.pem');
    const local = microFunctionVariables(deployedWeb, { ...space, data }, { GREETING: 'x' });
    const LOCAL_TRUST = ['NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'];
    expect(
      Object.keys(local)
        .filter((name) => !LOCAL_TRUST.includes(name))
        .sort(),
    ).toEqual(
      Object.keys(deployed)
        .filter((name) => name !== 'PORT')
        .sort(),
    );
    expect(Object.keys(local)).toEqual(expect.arrayContaining(LOCAL_TRUST));
  });
});

describe('parseDotenv and --env', () => {
  it('reads the common .env subset', () => {
    const values = parseDotenv('# comment\nA=1\nexport B = two words # note\nC="x\\ny"\nD=\'$raw\'\n\n', '.env');
    expect(Object.fromEntries(values)).toEqual({ A: '1', B: 'two words', C: 'x\ny', D: '$raw' });
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parseDotenv('A=1\nnot a pair\n', '/app/.env')).toThrow(new UsageError("/app/.env:2: expected NAME=value, got 'not a pair'"));
    expect(() => parseDotenv('A="open\n', '/app/.env')).toThrow(/\.env:1: missing closing "/);
  });

  it('splits --env at the first =', () => {
    expect(parseEnvFlag('URL=a=b')).toEqual(['URL', 'a=b']);
    expect(() => parseEnvFlag('=x')).toThrow(UsageError);
  });
});

describe('loadOrCreateProjectKey', () => {
  it('creates a <projectId>_<secret> key once and keeps it private', () => {
    const root = mkdtempSync(join(tmpdir(), 'spaceport-key-'));
    const key = loadOrCreateProjectKey(root);
    expect(key).toMatch(/^[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(loadOrCreateProjectKey(root)).toBe(key);
    const file = join(root, '.spaceport', 'project-key');
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'garbage');
    expect(() => loadOrCreateProjectKey(root)).toThrow(/not a project key/);
  });
});

describe('ensureInternalKey', () => {
  it('creates the DETA_API_KEY once, keeps it private and refuses a file that cannot hold one', () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'spaceport-internal-key-')), '.spaceport');
    const key = ensureInternalKey(stateDir);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ensureInternalKey(stateDir)).toBe(key);
    const file = join(stateDir, 'internal-key');
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(stateDir, '.gitignore'), 'utf8')).toBe('*\n');
    writeFileSync(file, 'short\n');
    expect(() => ensureInternalKey(stateDir)).toThrow(`${file} does not hold the app's internal key: delete it to generate a new one`);
  });
});
