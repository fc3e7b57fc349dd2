/**
 * The one test that really packages: a full synth of the example app with bundling on, inspecting the staged
 * assets in the cloud assembly as Lambda would unpack them.
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { expect, test } from 'vitest';
import { SpaceApp } from '../../lib/constructs/app';
import { ENV } from './helpers';

test('the example app packages its micros and the adapter layer into the cloud assembly', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'spaceport-cdkout-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundled', { env: ENV });
  const space = new SpaceApp(stack, 'App', { spacefile: 'examples/hello/Spacefile', authorizer: new HttpIamAuthorizer() });
  const template = app.synth().getStackByName('Bundled').template;
  const assetDir = (logicalId: string) => join(outdir, template.Resources[logicalId].Metadata['aws:asset:path']);
  const functionAsset = (micro: string) => assetDir(stack.getLogicalId(space.micros[micro].function.node.defaultChild as never));

  const layerId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::Lambda::LayerVersion');
  // Lambda fails INIT on a bootstrap or an extension without its executable bit.
  for (const entry of [['spaceport', 'bootstrap'], ['extensions', 'spaceport-shutdown']]) {
    expect(() => accessSync(join(assetDir(layerId as string), ...entry), constants.X_OK)).not.toThrow();
  }

  const web = readdirSync(functionAsset('web'));
  expect(web).toContain('server.js');
  expect(web).not.toContain('notes.md'); // listed in web/.spaceignore
  expect(readdirSync(functionAsset('api'))).toContain('main.py');
  expect(existsSync(join(functionAsset('docs'), 'index.html'))).toBe(true);
});
