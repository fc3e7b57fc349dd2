import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SpaceApp } from '../constructs/app';
import type { CloudFormationTemplate } from './billing';

/** The app docs/cost.md prices: the example, whose primary micro is a Node server like most Space apps. */
export const COST_REPORT_APP = {
  spacefile: 'examples/hello/Spacefile',
  micro: 'web',
  source: '`examples/hello` with the `SpaceApp` defaults',
} as const;

/**
 * The default stack of the example app as `cdk synth` makes it (bundling skipped: the report reads resources and
 * their configuration, not code), with construct paths in the metadata so findings can name resources.
 */
export function exampleTemplate(
  repositoryRoot: string,
  options: { adapterLayer?: (stack: Stack) => lambda.ILayerVersion } = {},
): CloudFormationTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'Cost', { env: { account: '123456789012', region: 'us-east-1' } });
  new SpaceApp(stack, 'App', { spacefile: join(repositoryRoot, COST_REPORT_APP.spacefile), adapterLayer: options.adapterLayer?.(stack) });
  return app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
}
