/** Spaceport's own functions each deploy their own bundle, although all bundle from lib/handlers alike. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { expect, test } from 'vitest';
import { handlerCode } from '../../lib/constructs/bundled-code';

test('each handler gets its own asset (CDK caches assets by folder and options)', () => {
  const stack = new Stack(new App(), 'Handlers');
  for (const module of ['authorizer', 'signin-handler', 'data-function']) {
    new lambda.Function(stack, module, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: handlerCode(module) });
  }
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((fn) => JSON.stringify(fn.Properties.Code));
  expect(new Set(keys).size).toBe(3);
});
