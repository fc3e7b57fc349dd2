/**
 * Builds the project before every test run (`npm run build`: tsc to dist/ and the runtime layer, ~2 s): some tests
 * run the real CLI, CDK app and adapter from their built output, and must never test a stale build.
 *
 * It also creates one local data CA for the run and trusts it the way `spaceport dev` makes a micro trust it
 * (`NODE_EXTRA_CA_CERTS`, read by Node only at start, so it must be set before the test workers are forked):
 * data tests copy it into their `.spaceport/tls`, and the official SDK in the test process reaches them over TLS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function setup(): Promise<() => void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'build'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
  const stateDir = mkdtempSync(join(tmpdir(), 'spaceport-test-tls-'));
  const { ensureLocalTls } = await import('../dist/lib/local/data/local-tls.js');
  process.env.NODE_EXTRA_CA_CERTS = ensureLocalTls(stateDir).caFile;
  process.env.SPACEPORT_TEST_STATE_DIR = stateDir;
  return () => rmSync(stateDir, { recursive: true, force: true });
}
