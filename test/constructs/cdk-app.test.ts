/** `bin/cdk-app.ts` as `cdk synth` runs it (context in CDK_CONTEXT_JSON); needs `npm run build`. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { writeApp } from './helpers';

const ROOT = resolve(__dirname, '../..');

function cdkApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'spaceport-cdkapp-'));
  const result = spawnSync('node', ['dist/bin/cdk-app.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }) },
  });
  return { ...result, outdir };
}

test('synthesizes the given Spacefile under the given stack name, with presets from context', () => {
  expect(existsSync(join(ROOT, 'dist/bin/cdk-app.js')), 'run npm run build').toBe(true);
  const { status, stderr, outdir } = cdkApp({
    spacefile: 'examples/hello/Spacefile',
    stackName: 'hello-test',
    'preset:web.GREETING': 'hi',
    'runtime:api': 'python3.14',
  });
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(status).toBe(0);
  const template = readFileSync(join(outdir, 'hello-test.template.json'), 'utf8');
  expect(template).toContain('"GREETING": "hi"');
  expect(template).toContain('"Runtime": "python3.14"');
});

test('user mistakes print one message, never a stack trace', () => {
  const preset = writeApp('v: 0\nmicros:\n  - name: w\n    src: .\n    engine: nodejs16\n    presets:\n      env:\n        - name: TOKEN\n', {
    'index.js': '',
  });
  const missingPreset = cdkApp({ spacefile: preset.spacefile });
  expect(missingPreset.status).toBe(1);
  expect(missingPreset.stderr.trim()).toMatch(/^\S+\/App\/Micro-w: micro 'w' needs a value for preset TOKEN.*Spacefile:8:\d+\)$/);

  const failing = writeApp('v: 0\nmicros:\n  - name: w\n    src: .\n    engine: nodejs16\n    commands:\n      - "echo oops >&2; exit 4"\n', {
    'index.js': '',
  });
  const build = spawnSync('node', ['dist/bin/cdk-app.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'spaceport-cdkapp-')),
      CDK_CONTEXT_JSON: JSON.stringify({ spacefile: failing.spacefile }),
    },
  });
  expect(build.status).toBe(1);
  expect(build.stderr).toMatch(/^micro 'w' \(.*Spacefile:7\): echo oops >&2; exit 4 failed \(exit code 4\):\noops\n$/m);
  expect(build.stderr).not.toMatch(/\n\s+at /);

  const architecture = cdkApp({ spacefile: 'examples/hello/Spacefile', architecture: 'arm' });
  expect(architecture.stderr).toMatch(/^-c architecture=arm: expected arm64 or x86_64$/m);
  expect(architecture.stderr).not.toMatch(/\n\s+at /);
});
