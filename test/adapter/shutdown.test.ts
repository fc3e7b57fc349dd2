/**
 * SIGTERM at shutdown through the REAL built layer in the local emulator. On Lambda a function with no registered
 * extension has a 0 ms shutdown phase (SIGKILL, no SIGTERM); the layer's external extension (`extensions/
 * spaceport-shutdown`) registers for SHUTDOWN so the runtime gets SIGTERM, which the adapter forwards to the app.
 * Each case runs with only its interpreter on PATH, as on Lambda (Node runtimes have no python3, Python runtimes no
 * node), so both implementations of the extension are exercised.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, type AdapterRuntime } from './helpers/adapter-process';
import { startEmulatedAdapter } from './helpers/emulated-adapter';

const NODE_APP = `
const fs = require('node:fs');
require('node:http').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  fs.writeFileSync(process.env.MARK_FILE, 'node app got SIGTERM');
  process.exit(0);
});
`;

const PYTHON_APP = `
import http.server, os, signal

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

def on_sigterm(_signum, _frame):
    with open(os.environ["MARK_FILE"], "w") as mark:
        mark.write("python app got SIGTERM")
    os._exit(0)

signal.signal(signal.SIGTERM, on_sigterm)
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
`;

const CASES: { runtime: AdapterRuntime; interpreter: string; run: string }[] = [
  { runtime: 'node', interpreter: 'node', run: 'node server.js' },
  { runtime: 'python', interpreter: 'python3', run: 'python3 main.py' },
];

let work: string;
let layer: ReturnType<typeof buildLayer>;
let layerWithoutExtension: string;

beforeAll(() => {
  layer = buildLayer();
  work = mkdtempSync(join(tmpdir(), 'spaceport-shutdown-'));
  layerWithoutExtension = join(work, 'layer-without-extension');
  cpSync(layer.dir, layerWithoutExtension, { recursive: true });
  rmSync(join(layerWithoutExtension, 'extensions'), { recursive: true });
  mkdirSync(join(work, 'app'));
  writeFileSync(join(work, 'app', 'server.js'), NODE_APP);
  writeFileSync(join(work, 'app', 'main.py'), PYTHON_APP);
  // One PATH directory per interpreter holding it (the real binary: a version manager's shim needs more) and the
  // coreutils the bootstrap calls, but not the other interpreter.
  const located = (command: string): string =>
    execFileSync('/bin/sh', ['-c', `command -v ${command}`])
      .toString()
      .trim();
  const executables = { node: process.execPath, python3: execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim() };
  for (const [name, executable] of Object.entries(executables)) {
    mkdirSync(join(work, `only-${name}`));
    symlinkSync(executable, join(work, `only-${name}`, name));
    symlinkSync(located('dirname'), join(work, `only-${name}`, 'dirname'));
  }
});
afterAll(() => {
  layer?.remove();
  rmSync(work, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function get(path: string): unknown {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'x' },
    requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } },
    isBase64Encoded: false,
  };
}

describe.each(CASES)('$runtime micro ($interpreter only on PATH)', ({ runtime, interpreter, run }) => {
  async function runThenShutdown(layerDir: string): Promise<{ mark: string; appPid: number; lines: string[] }> {
    const mark = join(work, `mark-${runtime}-${layerDir === layer.dir ? 'with' : 'without'}`);
    const adapter = await startEmulatedAdapter({
      layerDir,
      runtime,
      taskRoot: join(work, 'app'),
      env: { SPACEPORT_RUN: run, MARK_FILE: mark, PATH: join(work, `only-${interpreter}`) },
    });
    const outcome = await adapter.invoke(get('/'));
    if (outcome.kind !== 'success') throw new Error(`the ${runtime} micro did not start: ${JSON.stringify(outcome)}\n${adapter.lines.join('\n')}`);
    const appPid = Number((outcome.result as { body: string }).body);
    await adapter.shutdown();
    return { mark, appPid, lines: adapter.lines };
  }

  test("the app gets SIGTERM when the environment shuts down, through the layer's extension", async () => {
    const { mark, appPid, lines } = await runThenShutdown(layer.dir);
    expect(existsSync(mark) && readFileSync(mark, 'utf8')).toBe(`${runtime} app got SIGTERM`);
    expect(isAlive(appPid)).toBe(false);
    // The extension registered and exited on SHUTDOWN by itself: it logs only when something goes wrong.
    expect(lines.filter((line) => line.includes('extension'))).toEqual([]);
  });

  test("without the extension in the layer, shutdown kills the app with no SIGTERM (Lambda's 0 ms phase)", async () => {
    const { mark, appPid } = await runThenShutdown(layerWithoutExtension);
    expect(existsSync(mark)).toBe(false);
    expect(isAlive(appPid)).toBe(false);
  });

  test('the extension exits naming the refusal when it cannot register', async () => {
    const refusal = JSON.stringify({ errorMessage: 'Extension registration closed already', errorType: 'Extension.RegistrationClosed' });
    const api = createServer((req, res) => req.resume().on('end', () => res.writeHead(403).end(refusal)));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const address = `127.0.0.1:${(api.address() as AddressInfo).port}`;
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(
          join(layer.dir, 'extensions', 'spaceport-shutdown'),
          { env: { PATH: join(work, `only-${interpreter}`), AWS_LAMBDA_RUNTIME_API: address } },
          (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
        );
      });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `[spaceport] extension spaceport-shutdown: the Extensions API refused to register spaceport-shutdown (403): ${refusal}`,
      );
    } finally {
      api.close();
    }
  });
});
