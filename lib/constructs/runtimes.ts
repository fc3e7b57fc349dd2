import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LambdaRuntimeName } from '../spacefile/model';

/** The CDK runtime for a model runtime name; `Runtime` instances compare by name, so one per name is enough. */
export function lambdaRuntime(name: LambdaRuntimeName): lambda.Runtime {
  const family = name.startsWith('python') ? lambda.RuntimeFamily.PYTHON : lambda.RuntimeFamily.NODEJS;
  return new lambda.Runtime(name, family, { supportsInlineCode: true });
}
