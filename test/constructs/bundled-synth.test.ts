/**
 * The one test that really packages: a full synth of the example app with bundling on, then the ZIPs `cdk deploy`
 * would upload for it (made by the CDK's own asset publisher, offline), read back as Lambda would unpack them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { expect, test } from 'vitest';
import { SpaceApp } from '../../lib/constructs/app';
import { ENV } from './helpers';
import { publishFileAssets } from './offline-publish';
import { zipEntries } from './zip-entries';

test("the ZIPs a deploy uploads hold the adapter layer with its executables and each micro's selected files", async () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'spaceport-cdkout-')) });
  const stack = new Stack(app, 'Bundled', { env: ENV });
  const space = new SpaceApp(stack, 'App', { spacefile: 'examples/hello/Spacefile', authorizer: new HttpIamAuthorizer() });
  const artifact = app.synth().getStackByName('Bundled');
  const uploads = await publishFileAssets(artifact);
  const resources = artifact.template.Resources;
  /** The entries of the ZIP the template points a resource's code at, with their Unix modes. */
  const zipOf = (logicalId: string) => {
    const { Code, Content } = resources[logicalId].Properties;
    return zipEntries(uploads.get((Code ?? Content).S3Key) as Buffer);
  };
  const microZip = (micro: string) => zipOf(stack.getLogicalId(space.micros[micro].function.node.defaultChild as never));

  const layerId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::Lambda::LayerVersion') as string;
  const layer = zipOf(layerId);
  // Lambda fails INIT on a bootstrap or an extension that lost its executable bit in the archive.
  expect(layer.get('spaceport/bootstrap')! & 0o777).toBe(0o755);
  expect(layer.get('extensions/spaceport-shutdown')! & 0o777).toBe(0o755);
  expect(layer.has('spaceport/adapter.js')).toBe(true);

  const web = microZip('web');
  expect(web.has('server.js')).toBe(true);
  expect(web.has('notes.md')).toBe(false); // listed in web/.spaceignore
  expect(microZip('api').has('main.py')).toBe(true);
  expect([...microZip('docs').keys()]).toEqual(expect.arrayContaining(['index.html', 'style.css']));
});
