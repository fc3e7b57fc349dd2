/**
 * The Python adapter's event translation, in-process: runs test/adapter/python (unittest, the counterpart of
 * events.test.ts and results.test.ts, and every conformance fixture through parse_event) against the layer the global
 * setup builds, whose spaceport_adapter/constants.py is generated from lib/core. tools/mutate/python_mutate.py
 * mutates the adapter against the same tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { adapterLayerDir } from '../../lib/layer-dir';

test('the Python unittest suite of the event translation passes', () => {
  const tests = join(__dirname, 'python');
  // Debian's Python, as CI installs it; -B leaves no __pycache__ in the tests' folder.
  const run = spawnSync('/usr/bin/python3', ['-B', '-m', 'unittest', 'discover', '-s', tests, '-t', tests], {
    env: { ...process.env, PYTHONPATH: join(adapterLayerDir(), 'python') },
    encoding: 'utf8',
  });
  // unittest reports on stderr: the failing assertions are the message when it fails.
  expect(run.status, `${run.stderr}${run.stdout}${run.error ?? ''}`).toBe(0);
  expect(run.stderr).toMatch(/^Ran \d+ tests/m);
});
