import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { handlerCode } from './bundled-code';
import { FunctionLogging } from './function-logging';

export interface HandlerFunctionOptions {
  /** The handler's module in `lib/handlers`, without extension, e.g. `authorizer`. */
  readonly module: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default Duration.seconds(5) */
  readonly timeout?: Duration;
  /** Files bundled beside the handler (see `handlerCode`). @default none */
  readonly files?: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** Escape hatch: properties merged over the function's. @default none */
  readonly overrides?: Partial<lambda.FunctionProps>;
}

/**
 * One of Spaceport's own small Node functions (authorizer, sign-in, secret generator): its module bundled by
 * `handlerCode`, on ARM, with its own log group and a role that may write only there.
 */
export function handlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): lambda.Function {
  const logging = new FunctionLogging(scope, `${id}Logging`, { retention: options.logRetention });
  return new lambda.Function(scope, id, {
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: handlerCode(options.module, options.files),
    memorySize: options.memorySize ?? 256,
    timeout: options.timeout ?? Duration.seconds(5),
    environment: options.environment,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup: logging.logGroup,
    role: logging.role,
    ...options.overrides,
  });
}
