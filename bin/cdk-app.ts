#!/usr/bin/env node
/**
 * The CDK app `cdk synth` / `cdk deploy` run from this repository (see cdk.json):
 *   npx cdk deploy -c spacefile=path/to/Spacefile [-c stackName=my-app] [-c preset:web.GREETING=hi]
 *   [-c runtime:api=python3.14]
 *   [-c account=123456789012 -c region=eu-west-1] [-c appVersion=1.2.0] [-c architecture=arm64]
 *   [-c domain=notes.example.com (-c certificateArn=arn:... | -c hostedZoneId=Z123 -c hostedZoneName=example.com)]
 * Action overrides recorded by `spaceport actions set|pause` are read from the context key `actions:<stack name>`.
 * Synthesizes offline, with no credentials: nothing looks the account up.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { UsageError } from '../lib/core/errors';
import { SpaceApp } from '../lib/constructs/app';
import { defaultStackName } from '../lib/constructs/app-manifest';
import type { SpaceDomainProps } from '../lib/constructs/router';
import { overridesContextKey } from '../lib/operate/action-overrides';
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
  const stackName = context('stackName') ?? defaultStackName(model.name);
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
    actionOverrides: app.node.tryGetContext(overridesContextKey(stackName)),
    domain: domainFromContext(stack, context),
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

/** `-c domain=...` with either `-c certificateArn=...` or the hosted zone (`hostedZoneId` and `hostedZoneName`). */
function domainFromContext(scope: Construct, context: (key: string) => string | undefined): SpaceDomainProps | undefined {
  const domainName = context('domain');
  const certificateArn = context('certificateArn');
  const zoneId = context('hostedZoneId');
  const zoneName = context('hostedZoneName');
  if (domainName === undefined) {
    if (certificateArn ?? zoneId ?? zoneName) throw new UsageError('-c certificateArn / hostedZoneId / hostedZoneName need -c domain=<host name>');
    return undefined;
  }
  if ((zoneId === undefined) !== (zoneName === undefined)) throw new UsageError('-c hostedZoneId and -c hostedZoneName go together');
  return {
    domainName,
    certificate: certificateArn ? acm.Certificate.fromCertificateArn(scope, 'DomainCertificate', certificateArn) : undefined,
    hostedZone: zoneId && zoneName ? route53.HostedZone.fromHostedZoneAttributes(scope, 'DomainZone', { hostedZoneId: zoneId, zoneName }) : undefined,
  };
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
