import { extname, join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

const HANDLERS_DIR = join(__dirname, '..', 'handlers');

/**
 * The code of one of Spaceport's own Node functions: `lib/handlers/<module>` (the .ts sources, or the compiled .js
 * in dist/) bundled by esbuild into one `index.js`, locally, without Docker.
 */
export function handlerCode(module: string): lambda.Code {
  return lambda.Code.fromAsset(HANDLERS_DIR, {
    // Hash what is deployed: the bundle also holds lib/auth, lib/data, lib/routing..., which a hash of this folder would miss.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      // Names the handler in the bundling options, which key CDK's asset cache: every handler bundles from this one
      // folder, and without it the first function's bundle would be staged for all of them.
      environment: { SPACEPORT_HANDLER: module },
      local: {
        tryBundle(outputDir) {
          bundleHandler(module, join(outputDir, 'index.js'));
          return true;
        },
      },
    },
  });
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
