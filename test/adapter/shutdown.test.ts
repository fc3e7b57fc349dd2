/**
 * SIGTERM at shutdown through the REAL built layer in the local emulator. On Lambda a function with no registered
 * extension has a 0 ms shutdown phase (SIGKILL, no SIGTERM); the layer's external extension (`extensions/
 * spaceport-shutdown`, a bash script) registers for SHUTDOWN so the runtime gets SIGTERM, which the adapter
 * forwards to the app. Each micro runs with only its interpreter on PATH, as on Lambda (Node runtimes have no
 * python3, Python runtimes no node); the extension itself runs with an empty PATH against a stand-in Extensions API.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, type AdapterRuntime } from './helpers/adapter-process';
import { httpGetEvent, startEmulatedAdapter } from './helpers/emulated-adapter';
import { probeSandbox, Sandbox } from '../../lib/local/emulator/sandbox';

const NODE_APP = `
const fs = require('node:fs');
require('node:http').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  fs.writeSync(1, 'node app got SIGTERM\\n');
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
    os.write(1, b"python app got SIGTERM\\n")
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

const get = httpGetEvent;

describe.each(CASES)('$runtime micro ($interpreter only on PATH)', ({ runtime, interpreter, run }) => {
  async function runThenShutdown(layerDir: string, sandbox?: Sandbox): Promise<{ mark: string; appPid: number; lines: string[] }> {
    const mark = join(work, `mark-${runtime}-${layerDir === layer.dir ? 'with' : 'without'}${sandbox ? '-confined' : ''}`);
    const adapter = await startEmulatedAdapter({
      sandbox,
      layerDir,
      runtime,
      taskRoot: join(work, 'app'),
      // Confined, /tmp is the sandbox's own: the interpreter comes from the host's PATH instead.
      env: { SPACEPORT_RUN: run, MARK_FILE: mark, ...(sandbox ? {} : { PATH: join(work, `only-${interpreter}`) }) },
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

  test("also confined as spaceport dev confines micros (bubblewrap's read-only root and /dev, where available)", async () => {
    // The sandbox's /tmp is its own (the mark file cannot be written), so the app's word comes through its output.
    const { lines } = await runThenShutdown(layer.dir, new Sandbox(await probeSandbox()));
    expect(lines).toContain(`${runtime} app got SIGTERM`);
    expect(lines.filter((line) => line.includes('extension'))).toEqual([]);
  });

  test("without the extension in the layer, shutdown kills the app with no SIGTERM (Lambda's 0 ms phase)", async () => {
    const { mark, appPid } = await runThenShutdown(layerWithoutExtension);
    expect(existsSync(mark)).toBe(false);
    expect(isAlive(appPid)).toBe(false);
  });
});

/** What the extension sent to a stand-in Extensions API, and how it ended. */
interface ExtensionRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
}

/** Runs the layer's extension with an empty PATH against `answer`, or against a closed port without one. */
async function runExtension(answer?: (request: ExtensionRun['requests'][number], res: ServerResponse) => void): Promise<ExtensionRun> {
  const requests: ExtensionRun['requests'] = [];
  const api = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      answer?.(request, res);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(api.address() as AddressInfo).port}`;
  if (!answer) await new Promise<void>((resolve) => api.close(() => resolve()));
  try {
    return await new Promise((resolve) => {
      const child = execFile(
        join(layer.dir, 'extensions', 'spaceport-shutdown'),
        { env: { PATH: '', AWS_LAMBDA_RUNTIME_API: address }, timeout: 10_000 },
        (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr: stderr.trim(), requests }),
      );
    });
  } finally {
    api.close();
  }
}

describe('the shutdown extension (bash builtins only, nothing on PATH)', () => {
  test('registers for SHUTDOWN under its file name, waits, and exits 0 on SHUTDOWN, also chunked', async () => {
    const run = await runExtension(({ path }, res) => {
      if (path.endsWith('/register'))
        return res.writeHead(200, { 'Lambda-Extension-Identifier': 'ext-1', 'Content-Type': 'application/json' }).end('{"functionName":"f"}');
      // No Content-Length: Node sends the event chunked, in two chunks.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"eventType":');
      setTimeout(() => res.end('"SHUTDOWN","shutdownReason":"spindown","deadlineMs":1}'), 50);
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /2020-01-01/extension/register',
      'GET /2020-01-01/extension/event/next',
    ]);
    expect(run.requests[0].headers['lambda-extension-name']).toBe('spaceport-shutdown');
    expect(JSON.parse(run.requests[0].body)).toEqual({ events: ['SHUTDOWN'] });
    expect(run.requests[1].headers['lambda-extension-identifier']).toBe('ext-1');
  });

  test('exits naming the refusal when it cannot register', async () => {
    const refusal = JSON.stringify({ errorMessage: 'Extension registration closed already', errorType: 'Extension.RegistrationClosed' });
    const run = await runExtension((_request, res) => res.writeHead(403).end(refusal));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`[spaceport] extension spaceport-shutdown: the Extensions API refused to register spaceport-shutdown (403): ${refusal}`);
  });

  test('exits naming the answer when next fails', async () => {
    const run = await runExtension(({ path }, res) => {
      if (path.endsWith('/register')) return res.writeHead(200, { 'Lambda-Extension-Identifier': 'ext-1' }).end('{}');
      res.writeHead(500).end('{"errorType":"Extension.Crash"}');
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('[spaceport] extension spaceport-shutdown: the Extensions API answered 500 to next: {"errorType":"Extension.Crash"}');
  });

  test('exits naming the address when the Extensions API is unreachable', async () => {
    const run = await runExtension();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\[spaceport\] extension spaceport-shutdown: cannot connect to the Extensions API at 127\.0\.0\.1:\d+$/);
  });
});
