import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SpaceApp, type SpaceAppProps } from '../../lib/constructs/app';
import { loadSpacefile } from '../../lib/spacefile/load';
import type { SpaceAppModel } from '../../lib/spacefile/model';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Writes a Spacefile and its micros' files into a fresh directory and loads it with the real loader. */
export function writeApp(spacefile: string, files: Record<string, string> = {}): SpaceAppModel {
  const root = mkdtempSync(join(tmpdir(), 'spaceport-constructs-'));
  writeFileSync(join(root, 'Spacefile'), spacefile);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return loadSpacefile(join(root, 'Spacefile'));
}

/** A stand-in adapter layer for tests that look at templates, not at the layer's content. */
export function fixtureLayer(stack: Stack): lambda.ILayerVersion {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-layer-'));
  mkdirSync(join(dir, 'spaceport'));
  writeFileSync(join(dir, 'spaceport', 'bootstrap'), '#!/bin/sh\n', { mode: 0o755 });
  return new lambda.LayerVersion(stack, 'FixtureLayer', { code: lambda.Code.fromAsset(dir) });
}

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly space: SpaceApp;
  readonly template: Template;
}

/** Synthesizes a stack holding one `SpaceApp`, without bundling unless `bundle` is set. */
export function synth(
  props: Omit<SpaceAppProps, 'adapterLayer'>,
  options: { bundle?: boolean; context?: Record<string, unknown>; stackName?: string } = {},
): Synthesized {
  const app = new App({
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
  });
  const stack = new Stack(app, 'Test', { env: ENV, stackName: options.stackName });
  const space = new SpaceApp(stack, 'App', { adapterLayer: fixtureLayer(stack), ...props });
  return { app, stack, space, template: Template.fromStack(stack) };
}

/** Runs cdk-nag's AWS Solutions pack; returns the unacknowledged findings as `rule at path` lines. */
export function nagFindings(build: (app: App) => void): string[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}
