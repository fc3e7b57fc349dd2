/**
 * The example app's data services as synthesized: what is kept, who may touch it, and which route carries what.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { BASE_TABLE_SCHEMA } from '../../lib/handlers/dynamodb-base-store';
import { NOT_FOUND_PATH } from '../../lib/handlers/data-function';
import { synth, type Synthesized } from './helpers';

const EXAMPLE = 'examples/hello/Spacefile';

function logicalId(synthesized: Synthesized, construct: { node: { defaultChild?: unknown } }): string {
  return synthesized.stack.getLogicalId(construct.node.defaultChild as never);
}

describe('the example app keeps its data in a retained table and bucket behind one endpoint', () => {
  let example: Synthesized;
  let projectId: string;
  beforeAll(() => {
    example = synth({ spacefile: EXAMPLE });
    projectId = example.space.projectKey.projectId;
  });

  test('Base: one on-demand table, point-in-time recovery, TTL on expires, retained and protected', () => {
    example.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: BASE_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: BASE_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('Drive: a private, encrypted, TLS-only bucket, retained, abandoned uploads aborted', () => {
    const bucket = logicalId(example, example.space.data!.bucket);
    example.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
      },
    });
    example.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // CloudFront may only read, and only for this distribution.
          Match.objectLike({ Effect: 'Allow', Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } }),
        ]),
      },
    });
  });

  test("removalPolicy DESTROY is the owner's explicit choice, and data: false leaves the data services out", () => {
    const disposable = synth({ spacefile: EXAMPLE, data: { removalPolicy: RemovalPolicy.DESTROY } });
    disposable.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: { DeletionProtectionEnabled: false } });
    disposable.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    const none = synth({ spacefile: EXAMPLE, data: false });
    none.template.resourceCountIs('AWS::DynamoDB::Table', 1); // the API keys table of SpaceAuth only
    none.template.resourceCountIs('AWS::S3::Bucket', 0);
    none.template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(none.space.data).toBeUndefined();
    const web = none.template.toJSON().Resources[logicalId(none, none.space.micros.web!.function)].Properties.Environment.Variables;
    expect(web).not.toHaveProperty('DETA_BASE_HOST');
  });

  test('a throttle that admits nothing is refused at synth, naming the construct', () => {
    expect(() => synth({ spacefile: EXAMPLE, data: { throttle: { rateLimit: 0, burstLimit: 10 } } })).toThrow(/Data.*throttle must admit requests/s);
    expect(() => synth({ spacefile: EXAMPLE, data: { throttle: { rateLimit: 5, burstLimit: 0.5 } } })).toThrow(/burstLimit a whole number/);
  });

  test('every micro gets the endpoint as DETA_BASE_HOST and DETA_DRIVE_HOST', () => {
    const host = { 'Fn::GetAtt': [logicalId(example, example.space.data!.distribution), 'DomainName'] };
    for (const micro of Object.values(example.space.micros)) {
      const variables = example.template.toJSON().Resources[logicalId(example, micro.function)].Properties.Environment.Variables;
      expect(variables).toMatchObject({ DETA_BASE_HOST: host, DETA_DRIVE_HOST: host });
    }
  });

  test("the data function may do exactly what the stores do, on this table and this project's objects", () => {
    const data = example.space.data!;
    const role = example.stack.getLogicalId(data.function.role!.node.defaultChild as never);
    const policies = Object.values(example.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const table = logicalId(example, data.table);
    const bucket = logicalId(example, data.bucket);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'],
          Resource: expect.arrayContaining([{ 'Fn::GetAtt': [table, 'Arn'] }]),
        }),
        expect.objectContaining({
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${projectId}/*`]] },
        }),
        expect.objectContaining({
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
          Condition: { StringLike: { 's3:prefix': [`${projectId}/*`] } },
        }),
      ]),
    );
    // Logs, the owner secret (browser path), and the data: nothing on other tables, buckets or the account.
    const resources = JSON.stringify(statements.map((statement) => statement.Resource));
    expect(resources).not.toContain('"*"');
    example.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: {
          SPACEPORT_BASE_TABLE: { Ref: table },
          SPACEPORT_DRIVE_BUCKET: { Ref: bucket },
          SPACEPORT_PROJECT_KEY: Match.anyValue(),
          SPACEPORT_OWNER_SECRET_PARAMETER: Match.anyValue(),
        },
      },
    });
  });

  test('one host: downloads from S3 and parts through API Gateway, both behind the edge check; the rest to the data function', () => {
    const distribution = example.template.toJSON().Resources[logicalId(example, example.space.data!.distribution)].Properties.DistributionConfig;
    const edge = logicalId(example, example.space.data!.edgeFunction);
    const behaviors = Object.fromEntries(distribution.CacheBehaviors.map((behavior: { PathPattern: string }) => [behavior.PathPattern, behavior]));
    expect(Object.keys(behaviors)).toEqual(['/v1/*/files/download', '/v1/*/uploads/*/parts']);
    const origins = Object.fromEntries(distribution.Origins.map((origin: { Id: string }) => [origin.Id, origin]));
    const download = behaviors['/v1/*/files/download'];
    expect(origins[download.TargetOriginId].OriginAccessControlId).toBeDefined();
    expect(download.AllowedMethods).toEqual(['GET', 'HEAD']);
    for (const behavior of [download, behaviors['/v1/*/uploads/*/parts']]) {
      expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [edge, 'FunctionARN'] } }]);
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    }
    // The REST API's stage is the origin path: clients keep /v1/... at the root of the host.
    expect(JSON.stringify(origins[behaviors['/v1/*/uploads/*/parts'].TargetOriginId].OriginPath)).toMatch(/"\/",\{"Ref":".*PartsApiDeploymentStage/);
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(distribution.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    expect(distribution.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 404, ResponsePagePath: NOT_FOUND_PATH, ErrorCachingMinTTL: 0 },
    ]);
    // The edge function compares against the deployed project key, never a value written into the template.
    const code = JSON.stringify(example.template.toJSON().Resources[edge].Properties.FunctionCode);
    expect(code).toMatch(/\{"Fn::GetAtt":\["AppProjectKeySecret[0-9A-F]{8}","Value"\]\}/);
    expect(code).toContain(JSON.stringify(projectId).slice(1, -1));
  });

  test('parts go to S3 UploadPart with the project key as API key, throttled, answered in Deta JSON', () => {
    const data = example.space.data!;
    const bucket = logicalId(example, data.bucket);
    example.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ApiKeyRequired: true,
      Integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'PUT',
        Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:s3:path/`), { Ref: bucket }, `/${projectId}/{drive}/{name}`])] },
        RequestParameters: {
          'integration.request.path.drive': 'method.request.path.drive',
          'integration.request.path.name': 'method.request.querystring.name',
          'integration.request.querystring.partNumber': 'method.request.querystring.part',
          'integration.request.querystring.uploadId': 'method.request.path.uploadId',
        },
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({ StatusCode: '200', ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"upload_id"') } }),
          Match.objectLike({ StatusCode: '404', ResponseTemplates: { 'application/json': Match.stringLikeRegexp('Upload not found') } }),
        ]),
      },
    });
    example.template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'parts' });
    example.template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    example.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'data',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    const [apiKey] = Object.values(example.template.findResources('AWS::ApiGateway::ApiKey'));
    expect(JSON.stringify(apiKey!.Properties.Value)).toMatch(/^\{"Fn::GetAtt":\["AppProjectKeySecret[0-9A-F]{8}","Value"\]\}$/);
    example.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: logicalId(example, data.httpApi) },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    // API Gateway's role may put parts, nothing else.
    const partsRole = Object.entries(example.template.findResources('AWS::IAM::Role')).find(([id]) => id.includes('PartsRole'))![0];
    example.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: partsRole }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: Match.anyValue() }] },
    });
  });

  test("the browser path is on the app's own host, for the data function, which checks the owner itself", () => {
    const appApi = logicalId(example, example.space.router.httpApi);
    for (const service of ['base', 'drive']) {
      example.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        ApiId: { Ref: appApi },
        RouteKey: `ANY /__space/v0/${service}/{proxy+}`,
        AuthorizationType: 'NONE',
      });
    }
  });
});
