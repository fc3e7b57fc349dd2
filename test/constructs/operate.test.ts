/** What the operate commands rely on in the template: the manifest output, action overrides, the custom domain. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { describe, expect, it } from 'vitest';
import { MANIFEST_OUTPUT_ID } from '../../lib/constructs/app-manifest';
import { nagFindings, synth, writeApp, ENV, fixtureLayer } from './helpers';
import { SpaceApp } from '../../lib/constructs/app';

const SPACEFILE = `v: 0
micros:
  - name: web
    src: .
    engine: nodejs16
    primary: true
    actions:
      - id: tick
        name: Tick
        trigger: schedule
        default_interval: 5 minutes
      - id: nightly
        name: Nightly
        trigger: schedule
        default_interval: 0 3 * * *
`;
const app = () => writeApp(SPACEFILE, { 'index.js': '' });

describe('the manifest output', () => {
  it('names the schedule group, the access log and each micro function and log group', () => {
    const { template, stack } = synth({ app: app() });
    const output = template.findOutputs(MANIFEST_OUTPUT_ID)[MANIFEST_OUTPUT_ID];
    expect(output).toBeDefined();
    const resolved = JSON.stringify(stack.resolve(output.Value));
    expect(resolved).toContain('\\"version\\":1');
    // Names come from the resources, so the CLI never works from hand-copied ARNs.
    expect(resolved).toContain('\\"scheduleGroup\\":\\"Test-App-Schedules-');
    expect(resolved).toMatch(/accessLogGroup.*"Ref":"AppRouterAccessLogs[0-9A-F]{8}"/);
    expect(resolved).toMatch(/"Ref":"AppMicrowebFunction[0-9A-F]{8}"/);
    // The Base table, the Drive bucket and the project id their keys start with: spaceport data --deployed.
    expect(resolved).toMatch(/\\"data\\":\{\\"table\\":\\"","?,?\{"Ref":"AppDataBase[0-9A-F]{8}"\}/);
    expect(resolved).toMatch(/\\"projectId\\":\\"[a-z0-9]+\\"/);
  });
});

describe('action overrides', () => {
  it('deploy the owner interval and paused state instead of the Spacefile values', () => {
    const { template } = synth({ app: app(), actionOverrides: { tick: { interval: '10 minutes' }, nightly: { enabled: false } } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/10 * * * ? *)',
      State: 'ENABLED',
      Description: Match.stringLikeRegexp(': 10 minutes$'),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 * * ? *)', State: 'DISABLED' });
  });

  it('are checked at synth: an unknown action or a bad interval names the construct and the Spacefile line', () => {
    expect(() => synth({ app: app(), actionOverrides: { tock: { enabled: false } } })).toThrow(
      "Test/App: actionOverrides names action 'tock', which the Spacefile does not declare (actions: tick, nightly)",
    );
    expect(() => synth({ app: app(), actionOverrides: { tick: { interval: '5 seconds' } } })).toThrow(
      /^Test\/App: actionOverrides\.tick: interval "5 seconds": unit "seconds" is not minute\(s\), hour\(s\) or day\(s\).*\(.*Spacefile:8:\d+\)$/,
    );
  });

  it('are read by the CDK app from the context key spaceport actions writes (cdk.context.json)', () => {
    const model = app();
    const outdir = mkdtempSync(join(tmpdir(), 'spaceport-cdkapp-'));
    const context = {
      'aws:cdk:bundling-stacks': [],
      spacefile: model.spacefile,
      stackName: 'ops-test',
      'actions:ops-test': { tick: { interval: '15 minutes', enabled: false } },
    };
    const result = spawnSync('node', ['dist/bin/cdk-app.js'], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'ops-test.template.json'), 'utf8'));
    const schedules = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
      .filter((resource) => resource.Type === 'AWS::Scheduler::Schedule')
      .map((resource) => [resource.Properties.ScheduleExpression, resource.Properties.State]);
    expect(schedules).toEqual(
      expect.arrayContaining([
        ['cron(0/15 * * * ? *)', 'DISABLED'],
        ['cron(0 3 * * ? *)', 'ENABLED'],
      ]),
    );
  });
});

describe('a custom domain', () => {
  const zoneProps = { hostedZoneId: 'Z123', zoneName: 'example.com' };

  it('with a hosted zone: a DNS-validated certificate, the API mapping, an alias record, and the app told its host', () => {
    const { template } = synth({ app: app(), domain: { domainName: 'notes.example.com', hostedZone: zone(zoneProps) } });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'notes.example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'notes.example.com' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'notes.example.com.', Type: 'A', HostedZoneId: 'Z123' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DETA_SPACE_APP_HOSTNAME: 'notes.example.com' }) },
    });
  });

  it('with a certificate and no zone: the name to point DNS at is an output', () => {
    const { template } = synth({
      app: app(),
      domain: {
        domainName: 'notes.example.com',
        certificate: acm.Certificate.fromCertificateArn(new Stack(), 'Cert', 'arn:aws:acm:eu-west-1:1:certificate/x'),
      },
    });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(Object.values(template.findOutputs('*')).some((output) => /Point notes\.example\.com \(CNAME\)/.test(String(output.Description)))).toBe(
      true,
    );
  });

  it('without a certificate or a zone is refused at synth', () => {
    expect(() => synth({ app: app(), domain: { domainName: 'notes.example.com' } })).toThrow(
      "Test/App/Router: domain 'notes.example.com' needs a certificate or a hostedZone to validate a new one in",
    );
  });

  it('stays cdk-nag clean', () => {
    const model = app();
    expect(
      nagFindings((cdkApp) => {
        const stack = new Stack(cdkApp, 'Nag', { env: ENV });
        const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', zoneProps);
        new SpaceApp(stack, 'App', { app: model, adapterLayer: fixtureLayer(stack), domain: { domainName: 'notes.example.com', hostedZone } });
      }),
    ).toEqual([]);
  });
});

function zone(props: { hostedZoneId: string; zoneName: string }): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(new Stack(), 'Zone', props);
}
