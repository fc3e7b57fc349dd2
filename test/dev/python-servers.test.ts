/**
 * Python servers started the way Space's quick-starts and published apps start them reach the micro under
 * `spaceport dev`: `uvicorn main:app`, `gunicorn main:app`, `flask --app main run` (no port given), with the console
 * scripts of the machine's Python (Debian's, see test/python-frameworks.ts) or of a virtualenv in the micro
 * (`.venv`, or `.env` as one published app names it, which is no dotenv file), and a server that listens on a port
 * of its own. Real router, emulator, adapter and servers.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../lib/local/dev/free-port';
import { loadSpacefile } from '../../lib/spacefile/load';
import { FRAMEWORK_PYTHON, requirePythonModules } from '../python-frameworks';
import { startTestDev, type TestDev } from './dev-helpers';

const FASTAPI_APP = `import os, sys
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"server": os.path.basename(sys.argv[0]), "prefix": sys.prefix, "virtualenv": os.environ.get("VIRTUAL_ENV")}
`;
const FLASK_APP = `import os, sys
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return {"server": os.path.basename(sys.argv[0])}
`;

let root = '';
let dev: TestDev;
let fixedDev: TestDev;
let fixedPort = 0;

function write(path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/**
 * A virtualenv at `dir` using the machine's packages, holding a `uvicorn` console script as pip writes one (its
 * `#!` line names the virtualenv's python by absolute path, so the app lives outside /tmp, which a function's own
 * /tmp hides).
 */
function virtualenvWithUvicorn(dir: string): void {
  execFileSync(FRAMEWORK_PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', join(root, dir)]);
  const script = join(root, dir, 'bin/uvicorn');
  writeFileSync(
    script,
    `#!${join(root, dir, 'bin/python')}\nimport sys\nfrom uvicorn.main import main\nif __name__ == "__main__":\n    sys.exit(main())\n`,
  );
  chmodSync(script, 0o755);
}

beforeAll(async () => {
  requirePythonModules(['fastapi', 'flask', 'uvicorn', 'gunicorn']);
  const work = join(__dirname, '../../.test-work');
  mkdirSync(work, { recursive: true });
  root = mkdtempSync(join(work, 'python-servers-'));
  fixedPort = await findFreePort();
  write(
    'Spacefile',
    [
      'v: 0',
      'micros:',
      '  - name: fastapi\n    src: fastapi\n    engine: python3.9\n    primary: true\n    run: uvicorn main:app',
      '  - name: gunicorn\n    src: flask\n    engine: python3.9\n    run: gunicorn main:app',
      '  - name: flask\n    src: flask\n    engine: python3.9\n    run: flask --app main run',
      '  - name: venv\n    src: venv-app\n    engine: python3.9\n    run: uvicorn main:app',
      '  - name: dotenv\n    src: .\n    engine: python3.9\n    run: uvicorn main:app\n    dev: .env/bin/uvicorn main:app --reload',
      '',
    ].join('\n'),
  );
  write('fastapi/main.py', FASTAPI_APP);
  write('flask/main.py', FLASK_APP);
  write('venv-app/main.py', FASTAPI_APP);
  virtualenvWithUvicorn('venv-app/.venv');
  write('main.py', FASTAPI_APP);
  virtualenvWithUvicorn('.env'); // next to the Spacefile, where spaceport dev reads a dotenv file
  // A second app (an app holds at most 5 micros): a server started with a port of its own.
  write(
    'fixed/Spacefile',
    `v: 0\nmicros:\n  - name: fixed\n    src: .\n    engine: python3.9\n    run: ${FRAMEWORK_PYTHON} -m uvicorn main:app --port ${fixedPort}\n`,
  );
  write('fixed/main.py', FASTAPI_APP);
  [dev, fixedDev] = await Promise.all([
    startTestDev({ app: loadSpacefile(join(root, 'Spacefile')), schedule: false }),
    startTestDev({ app: loadSpacefile(join(root, 'fixed/Spacefile')), schedule: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([dev?.server.stop(), fixedDev?.server.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

async function json(path: string, on = dev): Promise<Record<string, string | null>> {
  const response = await on.get(path);
  const body = await response.text();
  expect(response.status, `${path}: ${body}\n${dev.logs()}`).toBe(200);
  return JSON.parse(body) as Record<string, string | null>;
}

describe('Python servers started without a port reach the micro', () => {
  it("uvicorn main:app (UVICORN_PORT), with the machine's console script", async () => {
    expect(await json('/')).toMatchObject({ server: 'uvicorn', virtualenv: null });
  });

  it('gunicorn main:app (PORT)', async () => {
    expect(await json('/gunicorn')).toMatchObject({ server: 'gunicorn' });
  });

  it('flask --app main run (FLASK_RUN_PORT)', async () => {
    expect(await json('/flask')).toMatchObject({ server: 'flask' });
  });

  it("uvicorn main:app with a .venv in the micro: the virtualenv's script and interpreter, as if activated", async () => {
    const seen = await json('/venv');
    expect(seen.server).toBe('uvicorn');
    expect(seen.prefix).toBe(join(root, 'venv-app/.venv'));
    expect(seen.virtualenv).toMatch(/\/\.venv$/);
  });

  it('a virtualenv named .env beside the Spacefile: dev runs .env/bin/uvicorn --reload, no dotenv error', async () => {
    const seen = await json('/dotenv');
    expect(seen.prefix).toBe(join(root, '.env'));
  });

  it('a server that listens on a port of its own is found there, and the log says so', async () => {
    expect(await json('/', fixedDev)).toMatchObject({ virtualenv: null });
    expect(fixedDev.logs()).toContain(`listens on port ${fixedPort}, not on $PORT`);
  });
});
