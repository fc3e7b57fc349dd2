/**
 * Synth never packages its own output: with `src: .` and the cloud assembly written inside the app (`-o out`,
 * `cdk.out`), repeated synths of an unchanged app give the same asset, holding only the app's files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { describe, expect, test } from 'vitest';
import { SpaceApp } from '../../lib/constructs/app';
import { ENV, fixtureLayer, writeApp } from './helpers';

/** Synthesizes the app into `outdir` with bundling on; the micro's asset hash and its staged files. */
function synthInto(spacefile: string, outdir: string): { hash: string; files: string[] } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Assembly', { env: ENV });
  const space = new SpaceApp(stack, 'App', { spacefile, authorizer: new HttpIamAuthorizer(), adapterLayer: fixtureLayer(stack) });
  const template = app.synth().getStackByName('Assembly').template;
  const fn = template.Resources[stack.getLogicalId(space.micros.web.function.node.defaultChild as never)];
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return {
    hash,
    files: readdirSync(join(outdir, `asset.${hash}`), { recursive: true })
      .map(String)
      .sort(),
  };
}

describe('an assembly inside the app', () => {
  test.each(['cdk.out', 'out'])("-o %s: three synths give one asset with only the app's files", (outdirName) => {
    const model = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node index.js\n', {
      'index.js': 'require("node:http").createServer((q, s) => s.end("hi")).listen(process.env.PORT);\n',
    });
    const outdir = join(model.rootDir, outdirName);
    const synths = [1, 2, 3].map(() => synthInto(model.spacefile, outdir));
    expect(new Set(synths.map((synth) => synth.hash)).size).toBe(1);
    expect(synths[2].files).toEqual(['Spacefile', 'index.js']);
  });
});
