import { extname, join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

/**
 * The code of one of Spaceport's own small Node functions: `lib/<module>` (the .ts sources, or the compiled .js in
 * dist/) bundled by esbuild into one `index.js`, locally, without Docker.
 */
export function bundledCode(module: string): lambda.Code {
  const lib = join(__dirname, '..');
  return lambda.Code.fromAsset(lib, {
    // Hash what is deployed: a hash of the source folder would change with every unrelated file.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      local: {
        tryBundle(outputDir) {
          bundleFunction(module, join(outputDir, 'index.js'));
          return true;
        },
      },
    },
  });
}

/** Bundles `lib/<module>` into `outfile` exactly as it is deployed (tests run the same bundle in the emulator). */
export function bundleFunction(module: string, outfile: string): void {
  buildSync({
    entryPoints: [join(__dirname, '..', module + extname(__filename))],
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
