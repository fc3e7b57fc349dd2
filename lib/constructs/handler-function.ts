import { dirname, extname, join } from 'node:path';
import { AssetHashType, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { FunctionLogging } from './function-logging';

export interface HandlerFunctionOptions {
  /** The handler module without extension, e.g. `join(__dirname, 'authorizer')`: its .ts source, or the compiled .js in dist/. */
  readonly module: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default Duration.seconds(5) */
  readonly timeout?: Duration;
}

/**
 * One of Spaceport's own small Node functions (authorizer, sign-in, secret generator): bundled by esbuild from its
 * module, on ARM, with its own log group and a role that may write only there.
 */
export function handlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): lambda.Function {
  const logging = new FunctionLogging(scope, `${id}Logging`, { retention: options.logRetention });
  const entry = options.module + extname(__filename);
  return new lambda.Function(scope, id, {
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(dirname(entry), {
      // Hash what is deployed: the bundle also holds modules from other folders, which a hash of this one would miss.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: lambda.Runtime.NODEJS_24_X.bundlingImage,
        local: {
          tryBundle(outputDir) {
            buildSync({
              entryPoints: [entry],
              outfile: join(outputDir, 'index.js'),
              bundle: true,
              platform: 'node',
              target: 'node22',
              format: 'cjs',
              minify: true,
              // The AWS SDK v3 ships with the Node.js runtimes: bundling it would only slow cold starts.
              external: ['@aws-sdk/*'],
              logLevel: 'error',
            });
            return true;
          },
        },
      },
    }),
    memorySize: 256,
    timeout: options.timeout ?? Duration.seconds(5),
    environment: options.environment,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup: logging.logGroup,
    role: logging.role,
  });
}
