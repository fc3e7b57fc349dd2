import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

const HANDLERS_DIR = join(__dirname, '..', 'handlers');

/**
 * The code of one of Spaceport's own Node functions: `lib/handlers/<module>` (the .ts sources, or the compiled .js
 * in dist/) bundled by esbuild into one `index.js`, locally, without Docker, with `files` (name to content) beside
 * it: what synth knows that the function reads at run time and that would not fit its environment.
 */
export function handlerCode(module: string, files: Readonly<Record<string, string>> = {}): lambda.Code {
  return lambda.Code.fromAsset(HANDLERS_DIR, {
    // Hash what is deployed: the bundle also holds lib/auth, lib/data, lib/routing..., which a hash of this folder would miss.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      // Names the handler in the bundling options, which key CDK's asset cache: every handler bundles from this one
      // folder, and without it the first function's bundle would be staged for all of them.
      environment: { SPACEPORT_HANDLER: module, ...(Object.keys(files).length > 0 ? { SPACEPORT_HANDLER_FILES: filesHash(files) } : {}) },
      local: {
        tryBundle(outputDir) {
          bundleHandler(module, join(outputDir, 'index.js'));
          for (const [name, content] of Object.entries(files)) writeFileSync(join(outputDir, name), content);
          return true;
        },
      },
    },
  });
}

/** Keys CDK's asset cache on the files too: two apps' console functions bundle the same module with other files. */
function filesHash(files: Readonly<Record<string, string>>): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(files).sort()))
    .digest('hex');
}

/** Bundles `lib/handlers/<module>` into `outfile` exactly as it is deployed (tests run the same bundle in the emulator). */
export function bundleHandler(module: string, outfile: string): void {
  buildSync({
    entryPoints: [join(HANDLERS_DIR, module + extname(__filename))],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    // The AWS SDK v3 ships with the Node.js runtimes: bundling it would only slow cold starts.
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
}
