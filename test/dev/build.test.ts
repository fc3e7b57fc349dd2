/** `spaceport dev --build`, and what a developer is told when a static micro's files are not built yet. */
import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { devCommand } from '../../lib/cli/dev';
import { startDevServer } from '../../lib/local/dev/dev-server';
import { PackagingError } from '../../lib/packaging/steps';
import { loadSpacefile } from '../../lib/spacefile/load';
import { descendantsOf, isAlive, startTestDev, type TestDev } from './dev-helpers';

/** A fresh copy of the fixture app: the build writes into the micro's own tree. */
function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-dev-build-'));
  cpSync(join(__dirname, '../fixtures/dev-build'), dir, { recursive: true });
  return dir;
}

const SITE_HINT =
  "site serves ./site/out, which does not exist: build it with 'spaceport dev --build', or run its commands in " +
  `./site: 'echo "building site"', then 'mkdir -p out && cp page.html out/index.html'`;

let dev: TestDev | undefined;
afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  vi.restoreAllMocks();
});

describe('spaceport dev --build', () => {
  it("runs each micro's commands in its own tree, streaming their output, then serves what they built", async () => {
    const dir = fixtureCopy();
    dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), build: true });

    expect(existsSync(join(dir, 'site/out/index.html'))).toBe(true);
    expect(dev.logs()).toMatch(/^site +\| echo "building site" \.\.\.\nsite +\| building site\nsite +\| echo "building site" done in [\d.]+ s$/m);
    expect(dev.logs()).toMatch(/^site +\| mkdir -p out && cp page.html out\/index.html done in/m);
    expect(dev.logs()).not.toMatch(/warning: site serves/);

    const page = await dev.get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<h1>built by its commands</h1>\n');
  });

  it('leaves a micro with a dev command to it, as space dev did: its commands do not run', async () => {
    dev = await startTestDev({ app: loadSpacefile(join(fixtureCopy(), 'Spacefile')), build: true });

    expect(dev.logs()).toMatch(/^live +\| not running its commands: its dev command \(node server.js\) runs it locally$/m);
    expect(dev.logs()).not.toMatch(/live's commands ran/);
    const live = await dev.get('/live');
    expect(live.status).toBe(200);
    expect(await live.text()).toBe('live from the dev command');
  });

  it('stops at the first failing command, naming the micro, the command, its exit code and its Spacefile line', async () => {
    const spacefile = join(fixtureCopy(), 'Spacefile.failing');
    let logged = '';
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const starting = startDevServer({ app: loadSpacefile(spacefile), build: true, port: 0, watch: false, auth: false, logStream, color: false });

    await expect(starting).rejects.toThrow(
      new PackagingError(
        loadSpacefile(spacefile).micros[1],
        `echo "error: cannot compile App.jsx" >&2; exit 3 failed (exit code 3); its output is above`,
        { file: spacefile, line: 18, column: 9 },
      ),
    );
    // The micros before it were built; its own output is in the log, and nothing after the failure ran.
    expect(logged).toMatch(/^site +\| building site$/m);
    expect(logged).toMatch(/^broken +\| compiling broken$/m);
    expect(logged).toMatch(/\nbroken +\| echo "error: cannot compile App.jsx" >&2; exit 3 \.\.\.\nbroken +\| error: cannot compile App.jsx\n$/);
    expect(logged).not.toMatch(/never reached/);
    expect(logged).not.toMatch(/ready on/);
    expect(descendantsOf(process.pid).filter(isAlive)).toEqual([]);
  });

  it('spaceport dev --build prints the failure and exits 1, without a stack trace', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const spacefile = join(fixtureCopy(), 'Spacefile.failing');

    expect(await devCommand.run(['--build', '--port', '0', '--no-watch', spacefile])).toBe(1);
    const printed = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
    expect(printed).toBe(
      `micro 'broken' (${spacefile}:18): echo "error: cannot compile App.jsx" >&2; exit 3 failed (exit code 3); its output is above\n` +
        'spaceport dev: nothing was started; fix the command and run again.\n',
    );
  });
});

describe('a static micro whose files are not built', () => {
  it('is named at start with the fix, and answers 502 carrying the same hint', async () => {
    const dir = fixtureCopy();
    dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')) });

    expect(dev.logs()).toContain(`dev  | warning: ${SITE_HINT}\n`);
    expect(dev.logs().match(/warning: \w+ serves/g)).toHaveLength(1); // not live: its dev command serves it
    expect(existsSync(join(dir, 'site/out'))).toBe(false); // nothing ran without --build

    const response = await dev.get('/');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      message: 'micro site failed to start; its output is in the spaceport dev log',
      detail: SITE_HINT,
      errorMessage: expect.stringMatching(/SPACEPORT_STATIC_DIR: .*out is not a directory/),
    });
    expect(dev.logs()).toMatch(/^site +\| failed to start \(.*\): .*SPACEPORT_STATIC_DIR: .*out is not a directory\nsite +\| hint: site serves/m);

    // Building by hand, as the hint says, is enough: the next request starts a fresh environment.
    execSync(dev.server.app.primary.commands.join(' && '), { cwd: join(dir, 'site'), stdio: 'ignore' });
    const built = await dev.get('/');
    expect(built.status).toBe(200);
    expect(await built.text()).toBe('<h1>built by its commands</h1>\n');
  });

  it('after --build, a serve directory the commands did not create names the one they did', async () => {
    const dir = fixtureCopy();
    const app = loadSpacefile(join(dir, 'Spacefile'));
    const site = app.micros[0]!;
    const misdirected = { ...app, micros: [{ ...site, serve: 'dist' }], primary: { ...site, serve: 'dist' } };
    dev = await startTestDev({ app: misdirected, build: true });

    expect(dev.logs()).toContain('warning: site serves ./site/dist, which does not exist; the build wrote its site to ./site/out: set serve: out\n');
  });
});
