/**
 * In the cloud, `run: <console script>` (`uvicorn main:app` in Space's Python quick-start) starts the script of a
 * packaged dependency: packaging points the scripts `pip install -t` writes at the runtime's python3, and the adapter
 * puts them on PATH and the task root on PYTHONPATH. A wheel built here (offline) stands in for uvicorn; the packaged
 * micro runs under the real bootstrap in the local Lambda emulator.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { packageMicro } from '../../lib/packaging/micro-code';
import { writeApp } from '../constructs/helpers';
import { buildWheel } from '../python-wheels';
import { buildLayer } from './helpers/adapter-process';
import { httpGetEvent, startEmulatedAdapter, type EmulatedAdapter } from './helpers/emulated-adapter';

/** A server that answers "hello from <its arguments>" on $PORT, as the module of a console script. */
const HELLO_SERVER = [
  'import http.server, os, sys',
  'class Handler(http.server.BaseHTTPRequestHandler):',
  '    def do_GET(self):',
  "        body = ('hello from ' + ' '.join(sys.argv[1:])).encode()",
  "        self.send_response(200); self.send_header('content-type', 'text/plain'); self.send_header('content-length', str(len(body))); self.end_headers()",
  '        self.wfile.write(body)',
  'def main():',
  "    http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), Handler).serve_forever()",
  '',
].join('\n');

let layer: ReturnType<typeof buildLayer>;
let adapter: EmulatedAdapter | undefined;
let packaged = '';

beforeAll(() => {
  layer = buildLayer();
  const app = writeApp('v: 0\nmicros:\n  - name: api\n    src: .\n    engine: python3.9\n    run: hello-server the console script\n', {
    'requirements.txt': './hello_server-1.0-py3-none-any.whl\n',
  });
  buildWheel(app.rootDir, {
    name: 'hello-server',
    version: '1.0',
    files: { 'hello_server/__init__.py': HELLO_SERVER },
    consoleScripts: { 'hello-server': 'hello_server:main' },
  });
  packaged = mkdtempSync(join(tmpdir(), 'spaceport-out-'));
  process.env.PIP_NO_INDEX = '1'; // offline: the wheel is a local file
  try {
    packageMicro(app.micros[0], packaged, { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.PYTHON_3_13 });
  } finally {
    delete process.env.PIP_NO_INDEX;
  }
});
afterAll(async () => {
  await adapter?.shutdown();
  layer?.remove();
});

test("the packaged script starts with the runtime's python3, not this machine's", () => {
  expect(readFileSync(join(packaged, 'bin/hello-server'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env python3');
});

test('run: <console script> reaches the micro under the adapter, as `uvicorn main:app` does on Space', async () => {
  adapter = await startEmulatedAdapter({
    layerDir: layer.dir,
    runtime: 'python',
    taskRoot: packaged,
    env: { SPACEPORT_RUN: 'hello-server the console script' },
  });
  const outcome = await adapter.invoke(httpGetEvent());
  expect(outcome).toMatchObject({ kind: 'success', result: { statusCode: 200, body: 'hello from the console script' } });
});
