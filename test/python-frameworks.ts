/**
 * The Python that has the web frameworks the tests run: Debian's python3-flask, -fastapi, -starlette, -uvicorn and
 * -gunicorn install for /usr/bin/python3 (`.ci/run` installs them). `python3` on a developer's PATH may be another
 * interpreter without them (pyenv's, say), so tests name this one explicitly.
 */
import { execFileSync } from 'node:child_process';

export const FRAMEWORK_PYTHON = '/usr/bin/python3';

/** Fails with what to install when `FRAMEWORK_PYTHON` cannot import `modules`. */
export function requirePythonModules(modules: readonly string[]): void {
  try {
    execFileSync(FRAMEWORK_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'pipe' });
  } catch (error) {
    const packages = modules.map((name) => `python3-${name}`).join(' ');
    throw new Error(
      `${FRAMEWORK_PYTHON} cannot import ${modules.join(', ')}: apt-get install ${packages} (see .ci/run)\n${String((error as { stderr?: Buffer }).stderr ?? error)}`,
      { cause: error },
    );
  }
}
