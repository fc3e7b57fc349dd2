import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { SpaceportConstructError } from './errors';
import { adapterLayerDir, isLayerBuilt } from '../layer-dir';

const LAYER_ID = 'SpaceportAdapterLayer';

/**
 * The runtime adapter layer, created once per stack and shared by every micro in it, so a stack uploads and
 * publishes the adapter once however many micros it has.
 */
export function adapterLayer(scope: IConstruct, dir: string = adapterLayerDir()): lambda.LayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LAYER_ID);
  if (existing) return existing as lambda.LayerVersion;
  if (!isLayerBuilt(dir)) {
    throw new SpaceportConstructError(scope, `the Spaceport adapter layer is missing at ${dir}: run npm run build`);
  }
  return new lambda.LayerVersion(stack, LAYER_ID, {
    code: lambda.Code.fromAsset(dir),
    description: 'Spaceport runtime adapter: starts a micro and turns Lambda invocations into HTTP requests',
  });
}
