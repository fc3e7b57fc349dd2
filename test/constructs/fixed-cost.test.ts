/**
 * An idle app costs nothing: no resource of the default stack may charge by the month, and docs/cost.md is what
 * `node scripts/cost.mjs` makes from the stack as it is now.
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { type CloudFormationTemplate, fixedChargeFindings } from '../../lib/cost/billing';
import { COST_REPORT_APP, costReport, exampleTemplate } from '../../lib/cost/report';
import { ENV, fixtureLayer } from './helpers';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('the default stack has no fixed monthly charge', () => {
  it('holds no resource that charges by the month, and none whose billing is unknown', () => {
    expect(fixedChargeFindings(exampleTemplate(ROOT, { adapterLayer: fixtureLayer }))).toEqual([]);
  });

  it('names every resource with a monthly charge that enters the stack: secret, KMS key, alarm, provisioned table, NAT gateway, interface endpoint, provisioned concurrency', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Costly', { env: ENV });
    new secretsmanager.Secret(stack, 'LegacySecret');
    new kms.Key(stack, 'DataKey');
    new cloudwatch.Alarm(stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    new dynamodb.Table(stack, 'Provisioned', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    new dynamodb.Table(stack, 'OnDemand', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    });
    new ec2.CfnNatGateway(stack, 'Nat', { subnetId: 'subnet-0123456789abcdef0' });
    new ec2.CfnVPCEndpoint(stack, 'SsmEndpoint', {
      vpcId: 'vpc-0123456789abcdef0',
      serviceName: 'com.amazonaws.eu-west-1.ssm',
      vpcEndpointType: 'Interface',
    });
    new ec2.CfnVPCEndpoint(stack, 'S3Endpoint', { vpcId: 'vpc-0123456789abcdef0', serviceName: 'com.amazonaws.eu-west-1.s3' });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler=async()=>1'),
    });
    new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion, provisionedConcurrentExecutions: 1 });
    fixtureLayer(stack);
    const findings = fixedChargeFindings(app.synth().getStackByName('Costly').template as CloudFormationTemplate);
    expect(findings.sort()).toEqual(
      [
        'Costly/DataKey/Resource (AWS::KMS::Key): a customer-managed KMS key: $1 per month',
        'Costly/Errors/Resource (AWS::CloudWatch::Alarm): a CloudWatch alarm: $0.10 per metric per month',
        'Costly/LegacySecret/Resource (AWS::SecretsManager::Secret): a Secrets Manager secret: $0.40 per month',
        'Costly/Live/Resource (AWS::Lambda::Alias): provisioned concurrency: billed per GB-second whether used or not',
        'Costly/Nat (AWS::EC2::NatGateway): a NAT gateway: $0.045 per hour (about $33 per month)',
        'Costly/Provisioned/Resource (AWS::DynamoDB::Table): provisioned capacity (BillingMode PROVISIONED): billed per hour whether used or not',
        'Costly/SsmEndpoint (AWS::EC2::VPCEndpoint): an Interface VPC endpoint: $0.01 per AZ-hour (about $7.30 per AZ per month)',
      ].sort(),
    );
  });

  it('refuses a resource type nobody has classified, naming it', () => {
    const template = { Resources: { Thing: { Type: 'AWS::Neptune::DBCluster', Metadata: { 'aws:cdk:path': 'S/Graph/Resource' } } } };
    expect(fixedChargeFindings(template)).toEqual([
      'S/Graph/Resource (AWS::Neptune::DBCluster): billing unknown, classify the type in lib/cost/billing.ts',
    ]);
  });
});

describe('docs/cost.md', () => {
  it('is what scripts/cost.mjs makes from the current stack and benchmarks (run it after changing either)', () => {
    const report = costReport({
      template: exampleTemplate(ROOT, { adapterLayer: fixtureLayer }),
      benchmarks: readFileSync(`${ROOT}docs/benchmarks.md`, 'utf8'),
      micro: COST_REPORT_APP.micro,
      source: COST_REPORT_APP.source,
    });
    expect(readFileSync(`${ROOT}docs/cost.md`, 'utf8')).toBe(report);
  });

  it('states a $0 fixed monthly cost and prices a request from the template and the benchmarks', () => {
    const text = readFileSync(`${ROOT}docs/cost.md`, 'utf8');
    expect(text).toContain('## Fixed monthly cost\n\n**$0.**');
    expect(text).toMatch(/authorizer: invocation \+ 1 ms billed at 256 MB arm64/);
    expect(text).toMatch(/micro: invocation \+ 1 ms billed at 512 MB x86_64/);
  });

  it('says which benchmark row it misses instead of inventing a duration', () => {
    expect(() =>
      costReport({ template: exampleTemplate(ROOT, { adapterLayer: fixtureLayer }), benchmarks: '# Benchmarks\n', micro: 'web', source: 'x' }),
    ).toThrow("docs/benchmarks.md has no row '| authorizer decision: owner session on a private route...'");
  });
});
