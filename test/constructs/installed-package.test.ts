/**
 * SLOW (about a minute): packs the library as npm would publish it, installs the tarball into a fresh CDK app in a
 * temp directory (dependencies from the local npm cache, `--prefer-offline`) and synthesizes a Space app from there,
 * with bundling on. Proves the layer is found from `node_modules/spaceport` and nothing depends on this checkout.
 * Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');

const CONSUMER_APP = `
const { App, Stack } = require('aws-cdk-lib');
const { SpaceApp } = require('spaceport');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'us-east-1' } });
new SpaceApp(stack, 'App', { spacefile: 'Spacefile' });
app.synth();
`;

test('the packed library installs into a fresh CDK app and synthesizes there', { timeout: 120_000 }, () => {
  for (const built of ['dist/lib/index.js', 'runtime-layer/dist/layer/spaceport/bootstrap']) {
    expect(existsSync(join(ROOT, built)), `${built} is missing: run npm run build`).toBe(true);
  }
  const work = mkdtempSync(join(tmpdir(), 'spaceport-consumer-'));
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tarball = join(work, npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop() as string);

  const appDir = join(work, 'app');
  mkdirSync(join(appDir, 'web'), { recursive: true });
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  writeFileSync(join(appDir, 'Spacefile'), 'v: 0\nmicros:\n  - name: web\n    src: ./web\n    engine: nodejs16\n    public: true\n');
  writeFileSync(join(appDir, 'web', 'index.js'), 'require("http").createServer((q, s) => s.end("hi")).listen(process.env.PORT);\n');
  writeFileSync(join(appDir, 'app.js'), CONSUMER_APP);
  npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], appDir);
  execFileSync('node', ['app.js'], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });

  const template = JSON.parse(readFileSync(join(appDir, 'cdk.out', 'Consumer.template.json'), 'utf8'));
  const resources = Object.values(
    template.Resources as Record<
      string,
      { Type: string; Properties: { Environment?: { Variables?: Record<string, string> }; Layers?: unknown; Code: { S3Key: string } } }
    >,
  );
  const layer = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::Lambda::LayerVersion');
  const micro = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SPACEPORT_RUN === 'node index.js');
  expect(micro?.Properties.Layers).toEqual([{ Ref: layer }]);
  expect(resources.map((r) => r.Type)).toContain('AWS::ApiGatewayV2::Api');
  expect(readdirSync(join(appDir, 'cdk.out'))).toContain(`asset.${micro?.Properties.Code.S3Key.replace('.zip', '')}`);
});
