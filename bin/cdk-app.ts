#!/usr/bin/env node
/**
 * The CDK app `cdk synth` / `cdk deploy` run from this repository (see cdk.json):
 *   npx cdk deploy -c spacefile=path/to/Spacefile [-c stackName=my-app] [-c preset:web.GREETING=hi]
 *   [-c runtime:api=python3.14]
 *   [-c account=123456789012 -c region=eu-west-1] [-c appVersion=1.2.0] [-c architecture=arm64]
 *   [-c spaceport:secrets-generation=2] (read by SpaceGeneratedSecret: rotates the app's generated secrets)
 * Synthesizes offline, with no credentials: nothing looks the account up.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { UsageError } from '../lib/cli/command';
import { SpaceApp } from '../lib/constructs/app';
import { SpaceportConstructError } from '../lib/constructs/errors';
import { PackagingError } from '../lib/packaging/steps';
import { loadSpacefile } from '../lib/spacefile/load';
import type { LambdaRuntimeName } from '../lib/spacefile/model';
import { SpacefileError } from '../lib/spacefile/problems';

const DEFAULT_SPACEFILE = 'examples/hello/Spacefile';
const RUNTIME_CONTEXT_PREFIX = 'runtime:';

function main(): void {
  const app = new App();
  const context = (key: string): string | undefined => app.node.tryGetContext(key) ?? undefined;
  const model = loadSpacefile(context('spacefile') ?? DEFAULT_SPACEFILE);
  const stackName = context('stackName') ?? `spaceport-${model.name}`.replace(/[^A-Za-z0-9-]/g, '-');
  const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = context('region') ?? process.env.CDK_DEFAULT_REGION;
  const stack = new Stack(app, stackName, {
    description: `Space app '${model.name}' deployed by Spaceport`,
    env: account || region ? { account, region } : undefined,
  });
  new SpaceApp(stack, 'App', {
    app: model,
    appVersion: context('appVersion'),
    architecture: architecture(context('architecture')),
    runtimes: runtimesFromContext(app),
  });
  app.synth();
}

/** `-c runtime:<micro>=<runtime>` moves a micro off its engine's default runtime (checked by `SpaceApp`). */
function runtimesFromContext(app: App): Record<string, LambdaRuntimeName> {
  const runtimes: Record<string, LambdaRuntimeName> = {};
  for (const [key, value] of Object.entries(app.node.getAllContext() as Record<string, unknown>)) {
    if (key.startsWith(RUNTIME_CONTEXT_PREFIX)) runtimes[key.slice(RUNTIME_CONTEXT_PREFIX.length)] = String(value) as LambdaRuntimeName;
  }
  return runtimes;
}

function architecture(name: string | undefined): lambda.Architecture | undefined {
  if (name === undefined) return undefined;
  if (name === 'arm64') return lambda.Architecture.ARM_64;
  if (name === 'x86_64') return lambda.Architecture.X86_64;
  throw new UsageError(`-c architecture=${name}: expected arm64 or x86_64`);
}

const USER_ERRORS = [SpacefileError, SpaceportConstructError, PackagingError, UsageError];

/**
 * The message of a user's mistake, or undefined for a bug (which keeps its stack trace). CDK wraps errors thrown
 * while bundling into its own, keeping only their text, so a packaging failure is recognised by its name there.
 */
function userMessage(error: unknown): string | undefined {
  if (USER_ERRORS.some((type) => error instanceof type)) return (error as Error).message;
  const wrapped = error instanceof Error ? /\bPackagingError: ([\s\S]*)$/.exec(error.message) : null;
  return wrapped?.[1];
}

try {
  main();
} catch (error) {
  const message = userMessage(error);
  if (message === undefined) throw error;
  console.error(message);
  process.exitCode = 1;
}
