import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { STATE_DIR_NAME } from '../core/state-dir';
import { isWithin, realTarget } from '../core/tree-links';
import type { Micro } from '../spacefile/model';
import { type ArchitectureName, npmInstallStep, npmPruneStep, pipInstallStep, relocateConsoleScripts } from './dependencies';
import { selectSourceFiles } from './file-selection';
import { bundleNodeEntry, nodeEntry } from './node-bundle';
import { builtSiteDirectory, frameworkBuildStep, frameworkOutputs, type OutputEntry } from './framework-build';
import { checkNodeEntryStarts, loadedAs } from './node-module-type';
import { checkDetaRequirement, DETA_CONSTRAINT } from './python-requirements';
import { commandSteps, PackagingError, runStep } from './steps';

/** Lambda's limit on a function's code and layers, unzipped. */
const LAMBDA_CODE_LIMIT_BYTES = 250 * 1024 * 1024;
/** npm's per-project configuration, which may hold registry tokens. */
const NPM_CONFIG_FILE = '.npmrc';

/** Bumped when packaging changes what it produces from the same input, so old assets are not reused. */
const PACKAGING_VERSION = '4';

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
  /**
   * The cloud assembly being written (`Stage.of(scope).outdir`): never packaged, even when inside the micro's `src`.
   * Finished assemblies are recognised by their `cdk.out` marker; this one has none until the synth ends.
   * @default no directory besides finished assemblies
   */
  readonly assemblyDir?: string;
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
  for (const file of selectSourceFiles(micro, options.assemblyDir)) {
    const path = join(micro.srcDir, file);
    hash.update(`\0${file}\0${statSync(path).mode & 0o111 ? 'x' : '-'}\0`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

/**
 * Builds what the micro's function runs, into `outputDir`, the way Deta's builder did: the selected sources are
 * copied to a scratch directory (the user's tree is never modified), dependencies installed, `commands` run
 * there (a framework micro without them: the framework's build), then the output is picked: the `serve` directory
 * for static micros, the `include` entries (plus production dependencies) when given, what a full-stack
 * framework's server needs, everything otherwise; a package over Lambda's 250 MB stops here.
 */
export function packageMicro(micro: Micro, outputDir: string, options: MicroPackagingOptions): void {
  const architecture = options.architecture.name as ArchitectureName;
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), `spaceport-${micro.name}-`));
  // Beside the scratch copy, not in it: everything in it may be packaged.
  const constraints = `${scratch}.constraints.txt`;
  try {
    for (const file of selectSourceFiles(micro, options.assemblyDir)) copyIntoPackage(micro, join(micro.srcDir, file), join(scratch, file));
    const usesNpm = micro.kind !== 'python' && existsSync(join(scratch, 'package.json'));
    const runsServer = micro.kind !== 'static';
    const frameworkBuild = frameworkBuildStep(micro, scratch);
    const builds = micro.commands.length > 0 || frameworkBuild !== undefined;
    if (usesNpm && builds) runStep(micro, npmInstallStep(scratch, architecture, false));
    else if (usesNpm && runsServer) runStep(micro, npmInstallStep(scratch, architecture, true));
    for (const step of frameworkBuild ? [frameworkBuild] : commandSteps(micro, scratch)) runStep(micro, step);
    if (usesNpm && runsServer && builds) runStep(micro, npmPruneStep(scratch));
    const entry = bundleEntry(micro, options);
    if (entry) {
      const format = loadedAs(scratch, join(scratch, entry)) ?? 'cjs';
      bundleNodeEntry(micro, scratch, entry, options.runtime.name.replace(/^nodejs(\d+).*$/, '$1'), format);
    }
    if (micro.kind === 'python' && existsSync(join(scratch, 'requirements.txt'))) {
      checkDetaRequirement(micro, readFileSync(join(scratch, 'requirements.txt'), 'utf8'));
      writeFileSync(constraints, DETA_CONSTRAINT);
      runStep(micro, pipInstallStep(scratch, outputDir, pythonVersion(options.runtime), architecture, constraints));
      relocateConsoleScripts(outputDir);
    }
    for (const { from, to } of frameworkOutputs(micro, scratch, builds) ?? outputEntries(micro, scratch)) {
      if (!existsSync(join(scratch, from))) {
        const what = micro.kind === 'static' ? `serves '${from}'` : `includes '${from}'`;
        const site = micro.kind === 'static' ? builtSiteDirectory(scratch) : undefined;
        const fix = site ? `: the build wrote its site to '${site}'; set serve: ${site}` : '';
        throw new PackagingError(micro, `${what}, which does not exist after ${frameworkBuild ? 'its build ran' : 'its commands ran'}${fix}`);
      }
      copyIntoPackage(micro, join(scratch, from), join(outputDir, to));
    }
    // npm reads the app's .npmrc to install (registry tokens, legacy-peer-deps); nothing reads it at run time, and its
    // tokens must not travel with the code into cdk.out, the assets bucket and the function.
    rmSync(join(outputDir, NPM_CONFIG_FILE), { force: true });
    checkNodeEntryStarts(micro, outputDir);
    const { files, bytes } = treeSize(outputDir);
    if (bytes > LAMBDA_CODE_LIMIT_BYTES) {
      throw new PackagingError(
        micro,
        `its package is ${(bytes / 1024 / 1024).toFixed(0)} MB unzipped, over Lambda's 250 MB for a function's code and layers: ` +
          `leave out what it does not need at run time ('include', .spaceignore, production dependencies only)`,
      );
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`[spaceport] ${micro.name}: packaged ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB, in ${seconds} s\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(constraints, { force: true });
  }
}

/**
 * Paths, relative to the scratch directory, that go into the function's code (`''` is everything). With `include`,
 * only its entries, as Deta's builder did ("everything not part of it will be ignored"; published apps list
 * `package.json` there when their build needs it), plus the installed production dependencies. Never an unlisted
 * package.json: its `"type"` changes how Node loads the included build output.
 */
function outputEntries(micro: Micro, scratch: string): OutputEntry[] {
  const same = (path: string): OutputEntry => ({ from: path, to: path });
  if (micro.kind === 'static') return [same(micro.serve ?? '')];
  if (!micro.include) return [same('')];
  const dependencies = existsSync(join(scratch, 'node_modules')) ? ['node_modules'] : [];
  return [...new Set([...micro.include, ...dependencies])].map(same);
}

/** The file to bundle, when bundling is asked for and the micro is started by `node <file>`. */
function bundleEntry(micro: Micro, options: MicroPackagingOptions): string | undefined {
  return options.bundleNode && micro.kind === 'node' ? nodeEntry(micro.run) : undefined;
}

function pythonVersion(runtime: lambda.Runtime): string {
  return runtime.name.replace(/^python/, '');
}

/** Files under `dir` and their total size, as the asset holds them (symbolic links were dereferenced). */
function treeSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/**
 * How a file or tree goes into a package: links resolved to what they lead to, modes kept, fresh timestamps. Whatever
 * would be copied from the app's secrets is refused, judged by its real path: a link a build made into them, and a
 * file reached through a link to a directory above them (`app -> ..` leads on into `.spaceport/`).
 */
export function copyIntoPackage(micro: Micro, from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const stateDirs = possibleStateDirs(micro);
  const refuseSecrets = (source: string): boolean => {
    const real = realTarget(source);
    if (real !== undefined && stateDirs.some((stateDir) => isWithin(stateDir, real))) {
      const how = lstatSync(source).isSymbolicLink() ? `is a symlink to ${real}` : `is ${real} through a symlink`;
      throw new PackagingError(micro, `'${source}' ${how}, inside the app's ${STATE_DIR_NAME}/ (its secrets): delete the link`);
    }
    return true;
  };
  cpSync(from, to, { recursive: true, preserveTimestamps: false, dereference: true, filter: refuseSecrets });
}

/**
 * Where the app's state directory can be: beside the Spacefile, which is the micro's `src` or a directory above it.
 * One that holds the micro is not (an app may live under a directory that happens to be named `.spaceport`).
 */
function possibleStateDirs(micro: Micro): string[] {
  const src = realTarget(micro.srcDir) ?? micro.srcDir;
  const dirs: string[] = [];
  for (let dir = src; ; dir = dirname(dir)) {
    const stateDir = join(dir, STATE_DIR_NAME);
    if (!isWithin(stateDir, src)) dirs.push(stateDir);
    if (dirname(dir) === dir) return dirs;
  }
}
