/**
 * How AWS bills each kind of resource a stack may hold, and which ones charge every month whatever the traffic.
 * Every resource type in a synthesized Spaceport stack must be listed here: an unknown type is reported, so nothing
 * enters the default stack without someone deciding how it is billed. docs/cost.md and the fixed-charge test read it.
 */
type Properties = Readonly<Record<string, unknown>>;

export interface ResourceBilling {
  /** How it is billed, in a few words. */
  readonly billing: string;
  /** Why it charges every month whatever the traffic (with its list price), or undefined when it does not. */
  readonly fixedCharge?: (properties: Properties) => string | undefined;
}

const always = (why: string) => () => why;

const FREE = (what = 'free'): ResourceBilling => ({ billing: what });

const BILLING: Readonly<Record<string, ResourceBilling>> = {
  'AWS::Lambda::Function': { billing: 'per request and per GB-second of duration, cold-start INIT included' },
  'AWS::Lambda::LayerVersion': FREE('free (counts toward the 75 GB code storage quota)'),
  'AWS::Lambda::Permission': FREE(),
  'AWS::Lambda::EventInvokeConfig': FREE(),
  'AWS::Lambda::Url': FREE(),
  'AWS::Lambda::Alias': { billing: 'free', fixedCharge: provisionedConcurrency },
  'AWS::Lambda::Version': { billing: 'free', fixedCharge: provisionedConcurrency },
  'AWS::IAM::Role': FREE(),
  'AWS::IAM::Policy': FREE(),
  'AWS::Logs::LogGroup': { billing: 'per GB ingested and per GB-month stored' },
  'AWS::ApiGatewayV2::Api': { billing: 'per request (HTTP API), in 512 KB increments' },
  'AWS::ApiGatewayV2::Stage': FREE('free (HTTP APIs have no cache)'),
  'AWS::ApiGatewayV2::Route': FREE(),
  'AWS::ApiGatewayV2::Integration': FREE(),
  'AWS::ApiGatewayV2::Authorizer': FREE('free (its Lambda function is billed per invocation)'),
  'AWS::ApiGatewayV2::DomainName': FREE(),
  'AWS::ApiGatewayV2::ApiMapping': FREE(),
  'AWS::ApiGateway::RestApi': { billing: 'per request (REST API)' },
  'AWS::ApiGateway::Deployment': FREE(),
  'AWS::ApiGateway::Resource': FREE(),
  'AWS::ApiGateway::Method': FREE(),
  'AWS::ApiGateway::GatewayResponse': FREE(),
  'AWS::ApiGateway::RequestValidator': FREE(),
  'AWS::ApiGateway::UsagePlan': FREE(),
  'AWS::ApiGateway::UsagePlanKey': FREE(),
  'AWS::ApiGateway::ApiKey': FREE(),
  'AWS::CloudFront::Distribution': { billing: 'per request and per GB out (pay as you go, no monthly plan)' },
  'AWS::CloudFront::Function': { billing: 'per invocation' },
  'AWS::CloudFront::OriginAccessControl': FREE(),
  'AWS::CertificateManager::Certificate': FREE('free (a public certificate)'),
  'AWS::Route53::RecordSet': { billing: 'per DNS query (alias records to AWS resources free)' },
  'AWS::DynamoDB::Table': { billing: 'on demand: per read and write request unit, per GB-month stored', fixedCharge: provisionedTable },
  'AWS::DynamoDB::GlobalTable': { billing: 'on demand: per read and write request unit, per GB-month stored', fixedCharge: provisionedTable },
  'AWS::Scheduler::Schedule': { billing: 'per invocation' },
  'AWS::Scheduler::ScheduleGroup': FREE(),
  'AWS::Events::Rule': { billing: 'free for schedules and AWS events, per million custom events' },
  'AWS::SQS::Queue': { billing: 'per request' },
  'AWS::SQS::QueuePolicy': FREE(),
  'AWS::SNS::Topic': { billing: 'per request and delivery' },
  'AWS::S3::Bucket': { billing: 'per GB-month stored and per request' },
  'AWS::S3::BucketPolicy': FREE(),
  'AWS::SSM::Parameter': {
    billing: 'free (standard tier)',
    fixedCharge: (p) => (p.Tier === 'Advanced' ? 'an advanced-tier SSM parameter: $0.05 per month' : undefined),
  },
  'Custom::SpaceportSecret': FREE('free: a standard SecureString SSM parameter; its generator runs only at deploy time'),
  'AWS::CloudFormation::CustomResource': FREE('free (its Lambda function runs only at deploy time)'),
  'AWS::CDK::Metadata': FREE(),
  // Fixed monthly charges: none of these may be in the default stack.
  'AWS::SecretsManager::Secret': { billing: 'per secret per month', fixedCharge: always('a Secrets Manager secret: $0.40 per month') },
  'AWS::KMS::Key': { billing: 'per key per month', fixedCharge: always('a customer-managed KMS key: $1 per month') },
  'AWS::KMS::ReplicaKey': { billing: 'per key per month', fixedCharge: always('a customer-managed KMS key: $1 per month') },
  'AWS::CloudWatch::Alarm': { billing: 'per alarm per month', fixedCharge: always('a CloudWatch alarm: $0.10 per metric per month') },
  'AWS::CloudWatch::CompositeAlarm': { billing: 'per alarm per month', fixedCharge: always('a composite alarm: $0.50 per month') },
  'AWS::CloudWatch::Dashboard': { billing: 'per dashboard per month', fixedCharge: always('a CloudWatch dashboard: $3 per month beyond three') },
  'AWS::EC2::NatGateway': { billing: 'per hour and per GB', fixedCharge: always('a NAT gateway: $0.045 per hour (about $33 per month)') },
  'AWS::EC2::EIP': { billing: 'per hour', fixedCharge: always('a public IPv4 address: $0.005 per hour (about $3.65 per month)') },
  'AWS::EC2::VPCEndpoint': {
    billing: 'gateway endpoints free, interface endpoints per hour',
    fixedCharge: (p) =>
      p.VpcEndpointType === 'Interface' || p.VpcEndpointType === 'GatewayLoadBalancer'
        ? `an ${p.VpcEndpointType} VPC endpoint: $0.01 per AZ-hour (about $7.30 per AZ per month)`
        : undefined,
  },
  'AWS::EC2::Instance': { billing: 'per hour', fixedCharge: always('an EC2 instance: billed per hour while it runs') },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    billing: 'per hour and per LCU',
    fixedCharge: always('a load balancer: about $16 per month before traffic'),
  },
  'AWS::Route53::HostedZone': { billing: 'per zone per month', fixedCharge: always('a hosted zone: $0.50 per month') },
  'AWS::WAFv2::WebACL': { billing: 'per web ACL per month', fixedCharge: always('a WAF web ACL: $5 per month') },
  'AWS::RDS::DBInstance': { billing: 'per hour', fixedCharge: always('a database instance: billed per hour') },
  'AWS::RDS::DBCluster': { billing: 'per hour or capacity unit', fixedCharge: always('a database cluster: billed per hour') },
  'AWS::ElastiCache::CacheCluster': { billing: 'per node hour', fixedCharge: always('a cache cluster: billed per node hour') },
  'AWS::Kinesis::Stream': { billing: 'per shard or stream hour', fixedCharge: always('a Kinesis stream: billed per hour in either capacity mode') },
  'AWS::ApiGateway::Stage': {
    billing: 'free unless its cache is on',
    fixedCharge: (p) => (p.CacheClusterEnabled === true ? 'a REST API stage cache: billed per hour' : undefined),
  },
};

function provisionedConcurrency(p: Properties): string | undefined {
  return p.ProvisionedConcurrencyConfig ? 'provisioned concurrency: billed per GB-second whether used or not' : undefined;
}

function provisionedTable(p: Properties): string | undefined {
  // CloudFormation's default billing mode is PROVISIONED.
  const mode = (p.BillingMode as string | undefined) ?? 'PROVISIONED';
  return mode === 'PAY_PER_REQUEST' ? undefined : `provisioned capacity (BillingMode ${mode}): billed per hour whether used or not`;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Properties;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
}

export interface ClassifiedResource {
  readonly logicalId: string;
  readonly type: string;
  /** The construct path (`aws:cdk:path`), else the logical id: what a failing test names. */
  readonly path: string;
  /** Undefined for a type this table does not know. */
  readonly billing?: ResourceBilling;
  /** Why it charges every month, if it does. */
  readonly fixedCharge?: string;
}

export function classifyResources(template: CloudFormationTemplate): ClassifiedResource[] {
  return Object.entries(template.Resources).map(([logicalId, resource]) => {
    const billing = BILLING[resource.Type];
    const path = (resource.Metadata?.['aws:cdk:path'] as string | undefined) ?? logicalId;
    return { logicalId, type: resource.Type, path, billing, fixedCharge: billing?.fixedCharge?.(resource.Properties ?? {}) };
  });
}

/** One line per resource that charges every month or whose billing nobody classified: empty for a $0 idle stack. */
export function fixedChargeFindings(template: CloudFormationTemplate): string[] {
  return classifyResources(template).flatMap((resource) => {
    if (!resource.billing) return [`${resource.path} (${resource.type}): billing unknown, classify the type in lib/cost/billing.ts`];
    if (resource.fixedCharge) return [`${resource.path} (${resource.type}): ${resource.fixedCharge}`];
    return [];
  });
}
