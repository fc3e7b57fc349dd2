import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Micro } from '../spacefile/model';
import { type ArchitectureName, npmInstallStep, npmPruneStep, pipInstallStep } from './dependencies';
import { normaliseEntry, selectSourceFiles } from './file-selection';
import { bundleNodeEntry, nodeEntry } from './node-bundle';
import { commandSteps, PackagingError, runStep } from './steps';

/** Bumped when packaging changes what it produces from the same input, so old assets are not reused. */
const PACKAGING_VERSION = '1';

export interface MicroPackagingOptions {
  /** The function's instruction set: Python wheels and npm platform binaries are chosen for it. */
  readonly architecture: lambda.Architecture;
  /** The function's runtime: Python wheels are chosen for its version. */
  readonly runtime: lambda.Runtime;
  /**
   * Bundle a Node micro whose `run` is `node <file>` into that one file with esbuild (see `bundleNodeEntry`).
   * @default false
   */
  readonly bundleNode?: boolean;
}

/**
 * The micro's code as a Lambda asset, packaged locally (no Docker) by `packageMicro` when the stack is bundled.
 * The asset hash covers the selected source files and the packaging recipe, so packaging the same input twice
 * gives the same hash, and a synth that skips bundling (`aws:cdk:bundling-stacks: []`) still knows it.
 */
export function microCode(micro: Micro, options: MicroPackagingOptions): lambda.AssetCode {
  return lambda.Code.fromAsset(micro.srcDir, {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: packagingHash(micro, options),
    bundling: {
      // Never pulled: local bundling always succeeds or throws a PackagingError.
      image: DockerImage.fromRegistry('none'),
      local: {
        tryBundle(outputDir: string): boolean {
          packageMicro(micro, outputDir, options);
          return true;
        },
      },
    },
  });
}

/** Hash of everything packaging reads: the recipe and each selected file's path, mode and content. */
export function packagingHash(micro: Micro, options: MicroPackagingOptions): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      version: PACKAGING_VERSION,
      kind: micro.kind,
      serve: micro.serve,
      include: micro.include,
      commands: micro.commands,
      runtime: options.runtime.name,
      architecture: options.architecture.name,
      bundleNode: bundleEntry(micro, options),
    }),
  );
  for (const file of selectSourceFiles(micro)) {
    const path = join(micro.srcDir, file);
    hash.update(`\0${file}\0${statSync(path).mode & 0o111 ? 'x' : '-'}\0`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

/**
 * Builds what the micro's function runs, into `outputDir`, the way Deta's builder did: the selected sources are
 * copied to a scratch directory (the user's tree is never modified), dependencies installed, `commands` run
 * there, then the output is picked: the `serve` directory for static micros, the `include` entries (plus
 * production dependencies) when given, everything otherwise.
 */
export function packageMicro(micro: Micro, outputDir: string, options: MicroPackagingOptions): void {
  const architecture = options.architecture.name as ArchitectureName;
  const scratch = mkdtempSync(join(tmpdir(), `spaceport-${micro.name}-`));
  try {
    for (const file of selectSourceFiles(micro)) copyPreservingMode(join(micro.srcDir, file), join(scratch, file));
    const usesNpm = micro.kind !== 'python' && existsSync(join(scratch, 'package.json'));
    const runsServer = micro.kind !== 'static';
    if (usesNpm && micro.commands.length > 0) runStep(micro, npmInstallStep(scratch, architecture, false));
    else if (usesNpm && runsServer) runStep(micro, npmInstallStep(scratch, architecture, true));
    for (const step of commandSteps(micro, scratch)) runStep(micro, step);
    if (usesNpm && runsServer && micro.commands.length > 0) runStep(micro, npmPruneStep(scratch));
    const entry = bundleEntry(micro, options);
    if (entry) bundleNodeEntry(micro, scratch, entry, options.runtime.name.replace(/^nodejs(\d+).*$/, '$1'));
    if (micro.kind === 'python' && existsSync(join(scratch, 'requirements.txt'))) {
      runStep(micro, pipInstallStep(scratch, outputDir, pythonVersion(options.runtime), architecture));
    }
    for (const entry of outputEntries(micro, scratch)) {
      const from = join(scratch, entry);
      if (!existsSync(from)) {
        const what = micro.kind === 'static' ? `serves '${entry}'` : `includes '${entry}'`;
        throw new PackagingError(micro, `${what}, which does not exist after its commands ran`);
      }
      copyPreservingMode(from, entry === '' ? outputDir : join(outputDir, entry));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Paths, relative to the scratch directory, that go into the function's code (`''` is everything). */
function outputEntries(micro: Micro, scratch: string): string[] {
  if (micro.kind === 'static') return [normaliseEntry(micro.serve ?? '')];
  if (!micro.include) return [''];
  const dependencies = ['package.json', 'node_modules'].filter((entry) => existsSync(join(scratch, entry)));
  return [...new Set([...micro.include.map(normaliseEntry), ...dependencies])];
}

/** The file to bundle, when bundling is asked for and the micro is started by `node <file>`. */
function bundleEntry(micro: Micro, options: MicroPackagingOptions): string | undefined {
  return options.bundleNode && micro.kind === 'node' ? nodeEntry(micro.run) : undefined;
}

function pythonVersion(runtime: lambda.Runtime): string {
  return runtime.name.replace(/^python/, '');
}

function copyPreservingMode(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, preserveTimestamps: false, dereference: true });
}
