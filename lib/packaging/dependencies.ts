import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Step } from './steps';

/** The instruction sets a micro can be packaged for (named as `lambda.Architecture.name`). */
export type ArchitectureName = 'x86_64' | 'arm64';

const NPM_CPU: Record<ArchitectureName, string> = { x86_64: 'x64', arm64: 'arm64' };
const MANYLINUX_ARCH: Record<ArchitectureName, string> = { x86_64: 'x86_64', arm64: 'aarch64' };

/**
 * Installs a Node micro's dependencies: `npm ci` when a lockfile pins them, `npm install` otherwise.
 * `production` omits devDependencies. `--os`/`--cpu` pick the Lambda platform's optional binaries
 * (esbuild, sharp and the like ship one package per platform).
 */
export function npmInstallStep(dir: string, architecture: ArchitectureName, production: boolean): Step {
  const verb = existsSync(join(dir, 'package-lock.json')) ? 'ci' : 'install';
  const args = [verb, ...(production ? ['--omit=dev'] : []), '--no-audit', '--no-fund', '--os=linux', `--cpu=${NPM_CPU[architecture]}`];
  return { description: `npm ${args.join(' ')}`, command: 'npm', args, cwd: dir };
}

/** Drops the devDependencies a build needed once the micro's commands have run. */
export function npmPruneStep(dir: string): Step {
  const args = ['prune', '--omit=dev', '--no-audit', '--no-fund'];
  return { description: `npm ${args.join(' ')}`, command: 'npm', args, cwd: dir };
}

/**
 * Installs `requirements.txt` into `targetDir` as wheels built for Lambda's platform, never for this machine:
 * binary wheels only (nothing compiles here for the wrong OS), for the runtime's CPython version and glibc
 * (Lambda's Python 3.12+ runs on Amazon Linux 2023, glibc 2.34). `--no-compile` keeps the output identical
 * between runs (bytecode embeds timestamps), so the asset hash is stable.
 */
export function pipInstallStep(sourceDir: string, targetDir: string, pythonVersion: string, architecture: ArchitectureName): Step {
  const arch = MANYLINUX_ARCH[architecture];
  const platforms = [`manylinux2014_${arch}`, `manylinux_2_28_${arch}`, `manylinux_2_34_${arch}`];
  const args = [
    '-m',
    'pip',
    'install',
    '-r',
    'requirements.txt',
    '-t',
    targetDir,
    ...platforms.flatMap((platform) => ['--platform', platform]),
    '--implementation',
    'cp',
    '--python-version',
    pythonVersion,
    '--only-binary=:all:',
    '--no-compile',
    '--disable-pip-version-check',
    '--no-input',
  ];
  return {
    description: `pip install -r requirements.txt (CPython ${pythonVersion}, ${arch} wheels)`,
    command: 'python3',
    args,
    cwd: sourceDir,
  };
}
