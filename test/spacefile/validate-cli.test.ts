/** `spaceport validate`: what a user sees for a valid Spacefile, a broken one, and a wrong command line. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateCommand } from '../../lib/cli/validate';
import { UsageError } from '../../lib/core/errors';
import { appDir, yaml } from './helpers';

const APP = yaml`
  v: 0
  app_name: hello
  micros:
    - name: web
      src: ./web
      engine: nodejs16
      primary: true
      public_routes: ["/public/*"]
      presets:
        api_keys: true
      actions:
        - {id: tick, name: Tick, trigger: schedule, default_interval: "0/15 * * * *"}
    - name: api
      src: ./api
      engine: python3.9
      primary: false
      path: api/
`;

/** Runs the command in this process and returns its exit code and output. */
async function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await validateCommand.run(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('spaceport validate', () => {
  it('shows the micros and actions of a valid Spacefile', async () => {
    const spacefile = appDir({ Spacefile: APP, 'web/index.js': '', 'api/main.py': '' });
    const { code, stdout, stderr } = await validate(spacefile);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`App 'hello' (${spacefile}): valid.`);
    const lines = stdout.split('\n');
    expect(lines).toContain('NAME  ENGINE     KIND    RUNTIME     PATH  PRIMARY  PUBLIC ROUTES  API KEYS');
    expect(lines).toContain('web   nodejs16   node    nodejs24.x  /     yes      /public/*      yes');
    expect(lines).toContain('api   python3.9  python  python3.13  /api  no       -              no');
    expect(lines).toContain('ID    NAME  MICRO  INTERVAL      EVENTBRIDGE');
    expect(lines.some((line) => /^tick {2}Tick {2}web {4}0\/15 \* \* \* \* {2}cron\(0\/15 \* \* \* \? \*\)$/.test(line))).toBe(true);
  });

  it('lists warnings after the tables', async () => {
    const spacefile = appDir({ Spacefile: 'v: 1\nmicros:\n  - {name: web, src: ., engine: nodejs16}\n' });
    const { code, stdout } = await validate(spacefile);
    expect(code).toBe(0);
    expect(stdout).toContain(`Warnings\n${spacefile}:1:4  v: is read as v 0`);
  });

  it('prints every problem and exits 1', async () => {
    const spacefile = appDir({ Spacefile: 'v: 0\nmicros:\n  - name: web\n    src: ./web\n    engin: nodejs16\n' });
    const { code, stdout, stderr } = await validate(spacefile);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      `${spacefile}:3:5  micros[0].engine: 'engine' is required (expected one of static, react, svelte, vue, next, nuxt, svelte-kit, python3.9, python3.8, nodejs16, custom)`,
      `${spacefile}:4:10  micros[0].src: directory './web' does not exist (found nothing at ${join(dirname(spacefile), 'web')})`,
      `${spacefile}:5:5  micros[0].engin: unknown key 'engin' Did you mean 'engine'?`,
      `${spacefile}: 3 problems, nothing to run.`,
      '',
    ]);
  });

  it('checks the Spacefile alone with --no-check-src', async () => {
    const spacefile = appDir({ Spacefile: APP });
    expect((await validate(spacefile)).code).toBe(1);
    expect((await validate('--no-check-src', spacefile)).code).toBe(0);
  });

  it('explains a missing Spacefile and bad YAML', async () => {
    const missing = await validate(join(mkdtempSync(join(tmpdir(), 'spaceport-none-')), 'Spacefile'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Spacefile:1:1 {2}\(file\): cannot read the Spacefile: no such file/);
    const broken = await validate(appDir({ Spacefile: 'v: 0\nmicros:\n  - name: [web\n' }));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/Spacefile:\d+:\d+ {2}\(yaml\): /);
  });

  it('refuses unknown options and extra arguments as usage errors', async () => {
    await expect(validate('--strict')).rejects.toThrow(UsageError);
    await expect(validate('a', 'b')).rejects.toThrow(/expected one Spacefile, got 2/);
    await expect(validate('--no-check-src=no')).rejects.toThrow(/^--no-check-src takes no value\. Usage: spaceport validate/);
  });

  it('answers --help and -h with the usage and its option, checking nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await validate(flag, 'no/such/Spacefile');
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toContain(`Usage: spaceport ${validateCommand.usage}\n`);
      expect(stdout).toMatch(/^ {2}--no-check-src +check the Spacefile alone/m);
      expect(stdout).toMatch(/^ {2}Spacefile +the Spacefile to check \(default: \.\/Spacefile\)$/m);
    }
  });

  it('runs as a real process through the spaceport dispatcher', () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'spaceport-cli-')), 'spaceport.js');
    buildSync({ entryPoints: [join(__dirname, '../../bin/spaceport.ts')], bundle: true, platform: 'node', outfile: bundle, logLevel: 'silent' });
    const valid = appDir({ Spacefile: APP, 'web/index.js': '', 'api/main.py': '' });
    const ok = spawnSync(process.execPath, [bundle, 'validate', valid], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("App 'hello'");
    const bad = spawnSync(process.execPath, [bundle, 'validate', appDir({ Spacefile: 'v: 0\n' })], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("micros: 'micros' is required");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const usage = spawnSync(process.execPath, [bundle, 'validate', '--strict'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("spaceport validate: unknown option '--strict'. Usage: spaceport validate [--no-check-src] [Spacefile]\n");
    for (const command of ['validate', 'dev', 'trigger', 'keys']) {
      const help = spawnSync(process.execPath, [bundle, command, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: spaceport ${command} [\\s\\S]*^  -h, --help +show this help$`, 'm'));
      expect(spawnSync(process.execPath, [bundle, 'help', command], { encoding: 'utf8' }).stdout).toBe(help.stdout);
    }
    const unknown = spawnSync(process.execPath, [bundle, 'keys', 'list', '--bogus'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^spaceport keys: unknown option '--bogus'\. Usage: spaceport keys create <name>.*\n$/);
    const overview = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });
    expect(overview.status).toBe(0);
    expect(overview.stdout).toContain('  spaceport trigger <action-id> [--port N | --function <name-or-arn> [--region <region>]]\n');
  });
});
