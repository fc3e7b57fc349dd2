/**
 * Builds the project before every test run (`npm run build`: tsc to dist/ and the runtime layer, ~2 s): some tests
 * run the real CLI, CDK app and adapter from their built output, and must never test a stale build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'build'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
}
