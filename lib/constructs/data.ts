/**
 * Deta Base and Drive for a deployed app: a DynamoDB table, an S3 bucket, and one HTTPS host that speaks the Deta
 * wire format at the root of its path (`/v1/{projectId}/{name}/...`), as the SDKs require. Three routes behind one
 * CloudFront distribution, so that no part of a file ever passes through a Lambda invocation (docs/data.md):
 *
 *   /v1/* /files/download        CloudFront Function (key, project, name ➜ object key) ➜ S3 (origin access control)
 *   /v1/* /uploads/* /parts      CloudFront Function (key, project, name) ➜ REST API ➜ S3 UploadPart (no Lambda)
 *   everything else              HTTP API ➜ data function (the shared handler on DynamoDB and S3)
 */
import { type CfnElement, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { BASE_TABLE_SCHEMA } from '../handlers/dynamodb-base-store';
import { DRIVE_DOWNLOAD_PATTERN, DRIVE_PARTS_PATTERN, edgeFunctionCode } from '../handlers/data-edge-function';
import { DATA_FUNCTION_ENV, NOT_FOUND_PATH } from '../handlers/data-function';
import { handlerCode } from './bundled-code';
import { SpaceportConstructError } from './errors';
import { FunctionLogging } from './function-logging';
import type { SpaceGeneratedSecret } from './generated-secret';

/** The app's project key as the data services need it. `SpaceProjectKey` is one. */
export interface DataProjectKey {
  /** The part of the key before `_`: the only project the endpoint serves. */
  readonly projectId: string;
  /** The whole key, or a deploy-time dynamic reference resolving to it. */
  readonly environmentValue: string;
}

export interface SpaceDataThrottle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once above the rate. */
  readonly burstLimit: number;
}

export interface SpaceDataProps {
  /** The app's project key: the only key the endpoint accepts (`X-API-Key`). */
  readonly projectKey: DataProjectKey;
  /**
   * The owner secret: with it, the owner signed in on the app's host may use Base and Drive from the page
   * (`/__space/v0/base/...`, `/__space/v0/drive/...`, see `addBrowserPath`).
   * @default no browser path
   */
  readonly ownerSecret?: SpaceGeneratedSecret;
  /**
   * What happens to the table and the bucket when they leave the stack. Data outlives the stack by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The request rate the endpoint admits, for the JSON API and for upload parts each (429 beyond it).
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: SpaceDataThrottle;
  /**
   * How long the data function's logs and the APIs' access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Escape hatch: properties merged over the safe defaults of each resource.
   * @default no overrides
   */
  readonly cdk?: {
    readonly table?: Partial<dynamodb.TableProps>;
    readonly bucket?: Partial<s3.BucketProps>;
    readonly function?: Partial<lambda.FunctionProps>;
    readonly distribution?: Partial<cloudfront.DistributionProps>;
  };
}

/** The default request rate: well above one owner's app, low enough to cap the bill of a runaway client. */
const DEFAULT_DATA_THROTTLE: SpaceDataThrottle = { rateLimit: 100, burstLimit: 200 };

/** Uploads that were never completed or aborted (a crashed client) stop costing storage after this long. */
const ABANDONED_UPLOAD_DAYS = 1;

/** API Gateway's stage for the parts API: CloudFront's origin path, never seen by clients. */
const PARTS_STAGE = 'data';

/**
 * Deta Base (DynamoDB) and Drive (S3) behind one endpoint: `host` is what every micro gets as `DETA_BASE_HOST` and
 * `DETA_DRIVE_HOST`.
 */
export class SpaceData extends Construct {
  /** Every base of the app: partition key `pk` = `<projectId>/<base>`, sort key `sk` = the item key. */
  readonly table: dynamodb.Table;
  /** Every drive of the app: object key `<projectId>/<drive>/<name>`. */
  readonly bucket: s3.Bucket;
  /** Serves every JSON call (the shared Base and Drive handler). */
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** The JSON API behind CloudFront. */
  readonly httpApi: apigwv2.HttpApi;
  /** Puts upload parts into S3 without a Lambda. */
  readonly partsApi: apigw.RestApi;
  readonly edgeFunction: cloudfront.Function;
  readonly distribution: cloudfront.Distribution;
  /** The endpoint's host, no scheme: `DETA_BASE_HOST` and `DETA_DRIVE_HOST`. */
  readonly host: string;

  /** The app's project id: its bases are `<projectId>/<base>` in `table`, its drives `<projectId>/` in `bucket`. */
  readonly projectId: string;
  private readonly integration: HttpLambdaIntegration;

  constructor(scope: Construct, id: string, props: SpaceDataProps) {
    super(scope, id);
    this.projectId = props.projectKey.projectId;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const throttle = props.throttle ?? DEFAULT_DATA_THROTTLE;
    if (!(throttle.rateLimit > 0) || !Number.isInteger(throttle.burstLimit) || throttle.burstLimit < 1) {
      throw new SpaceportConstructError(
        this,
        `throttle must admit requests: rateLimit > 0 and burstLimit a whole number >= 1 (got ${throttle.rateLimit} and ${throttle.burstLimit})`,
      );
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.table = new dynamodb.Table(this, 'Base', {
      partitionKey: { name: BASE_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: BASE_TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: BASE_TABLE_SCHEMA.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...props.cdk?.table,
    });

    this.bucket = new s3.Bucket(this, 'Drive', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(ABANDONED_UPLOAD_DAYS) }],
      removalPolicy,
      ...props.cdk?.bucket,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Every request reaches the bucket through the data endpoint, whose API access logs record JSON calls and parts; ' +
        'server access logs would need a second bucket per app. Add them with cdk.bucket.serverAccessLogsBucket.',
    });

    const logging = new FunctionLogging(this, 'Logging', { retention });
    this.logGroup = logging.logGroup;
    const overrides = props.cdk?.function ?? {};
    this.function = new lambda.Function(this, 'Function', {
      description: 'Spaceport Deta Base and Drive API',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: handlerCode('data-function'),
      memorySize: 512,
      timeout: Duration.seconds(25),
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: logging.logGroup,
      role: logging.role,
      ...overrides,
      environment: {
        [DATA_FUNCTION_ENV.table]: this.table.tableName,
        [DATA_FUNCTION_ENV.bucket]: this.bucket.bucketName,
        [DATA_FUNCTION_ENV.projectKey]: props.projectKey.environmentValue,
        ...(props.ownerSecret ? { [DATA_FUNCTION_ENV.ownerSecretParameter]: props.ownerSecret.parameterName } : {}),
        ...overrides.environment,
      },
    });
    this.grantData(this.function);
    props.ownerSecret?.grantRead(this.function);

    this.integration = new HttpLambdaIntegration('Integration', this.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.httpApi = this.jsonApi(throttle, retention);
    this.partsApi = this.partsRestApi(props.projectKey, throttle, retention);

    this.edgeFunction = new cloudfront.Function(this, 'EdgeFunction', {
      comment: 'Spaceport Drive: project key check and object key for downloads and parts',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(edgeFunctionCode({ projectKey: props.projectKey.environmentValue, projectId: this.projectId })),
    });
    this.distribution = this.endpoint(props.cdk?.distribution);
    this.host = this.distribution.distributionDomainName;
    new CfnOutput(this, 'Host', { value: this.host, description: 'DETA_BASE_HOST and DETA_DRIVE_HOST of every micro' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The Deta Base table (pk <projectId>/<base>, sk key)' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'The Deta Drive bucket (<projectId>/<drive>/<name>)' });
  }

  /**
   * Serves the browser path on the app's own HTTP API: `/__space/v0/base/...` and `/__space/v0/drive/...` reach the
   * data function, which lets only the signed-in owner through (needs `ownerSecret`).
   */
  addBrowserPath(appApi: apigwv2.HttpApi): void {
    const integration = new HttpLambdaIntegration(`BrowserPath-${appApi.node.addr}`, this.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    for (const service of ['base', 'drive']) {
      const [route] = appApi.addRoutes({
        path: `/__space/v0/${service}/{proxy+}`,
        methods: [apigwv2.HttpMethod.ANY],
        integration,
        authorizer: new apigwv2.HttpNoneAuthorizer(),
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'The data function verifies the owner session cookie itself (the same SessionSigner as the authorizer) before any data call.',
      });
    }
  }

  /**
   * Least privilege: the Base and Drive operations the stores use, on this app's table and project prefix only;
   * with `catalog`, also the table Scan that lists the app's bases (exports and the owner's console).
   */
  grantData(grantee: iam.IGrantable, options: { readonly catalog?: boolean } = {}): void {
    const scan = options.catalog ? ['dynamodb:Scan'] : [];
    this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query', ...scan);
    const objects = this.bucket.arnForObjects(`${this.projectId}/*`);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [objects],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${this.projectId}/*`] } },
      }),
    );
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: this.objectsWildcardFinding(),
      reason: `Drive files are objects under ${this.projectId}/ in the app's own bucket; their names are the users' choice, so the grant is on that prefix.`,
    });
  }

  /** cdk-nag's id of the wildcard that grants on this project's objects in the bucket. */
  private objectsWildcardFinding(): string {
    const bucket = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    return `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${this.projectId}/*]`;
  }

  private jsonApi(throttle: SpaceDataThrottle, retention: logs.RetentionDays): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'Api', { description: 'Spaceport Deta Base and Drive API', createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention });
    new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    for (const path of ['/v1/{proxy+}', NOT_FOUND_PATH]) {
      const [route] = api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: this.integration });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: "Deta auth: the data function accepts only the app's project key (X-API-Key) for its project id, as the SDKs send it.",
      });
    }
    return api;
  }

  /**
   * `POST /v1/{projectId}/{drive}/uploads/{uploadId}/parts?name=&part=` as S3 UploadPart
   * (`PUT /<bucket>/<projectId>/<drive>/<name>?partNumber=&uploadId=`), answered with Deta's JSON: API Gateway
   * changes the method, which a CloudFront Function cannot, and carries 10 MiB parts, which Lambda cannot.
   */
  private partsRestApi(projectKey: DataProjectKey, throttle: SpaceDataThrottle, retention: logs.RetentionDays): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'PartsAccessLogs', { retention });
    const api = new apigw.RestApi(this, 'PartsApi', {
      description: 'Spaceport Deta Drive upload parts, straight into S3',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      binaryMediaTypes: ['*/*'],
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      cloudWatchRole: false,
      deployOptions: {
        stageName: PARTS_STAGE,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    // Every refusal of API Gateway itself (no key, throttled, too large) in the shape the SDKs read.
    for (const type of [apigw.ResponseType.DEFAULT_4XX, apigw.ResponseType.DEFAULT_5XX]) {
      api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        templates: { 'application/json': '{"errors":[$context.error.messageString]}' },
      });
    }
    const role = new iam.Role(this, 'PartsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Puts Deta Drive upload parts into the app bucket',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${this.projectId}/*`)] }));
    Validations.of(role).acknowledge({
      id: this.objectsWildcardFinding(),
      reason: `Parts belong to uploads of any file name under ${this.projectId}/ in the app's own bucket; UploadPart needs s3:PutObject there.`,
    });

    const json = (body: string) => ({ 'application/json': body });
    const text = (value: string) => `$util.escapeJavaScript(${value}).replaceAll("\\\\'", "'")`;
    const integration = new apigw.AwsIntegration({
      service: 's3',
      integrationHttpMethod: 'PUT',
      path: `${this.bucket.bucketName}/${this.projectId}/{drive}/{name}`,
      options: {
        credentialsRole: role,
        requestParameters: {
          'integration.request.path.drive': 'method.request.path.drive',
          'integration.request.path.name': 'method.request.querystring.name',
          'integration.request.querystring.partNumber': 'method.request.querystring.part',
          'integration.request.querystring.uploadId': 'method.request.path.uploadId',
        },
        integrationResponses: [
          {
            statusCode: '200',
            selectionPattern: '2\\d{2}',
            contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
            responseParameters: { 'method.response.header.Content-Type': "'application/json'" },
            responseTemplates: json(
              `{"name":"${text("$input.params('name')")}","upload_id":"${text("$input.params('uploadId')")}",` +
                `"part":${"$input.params('part')"},"project_id":"${this.projectId}","drive_name":"${text("$input.params('drive')")}"}`,
            ),
          },
          {
            statusCode: '404',
            selectionPattern: '404',
            contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
            responseParameters: { 'method.response.header.Content-Type': "'application/json'" },
            responseTemplates: json('{"errors":["Upload not found","no upload of this name is in progress"]}'),
          },
          {
            statusCode: '400',
            selectionPattern: '4\\d{2}',
            contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
            responseParameters: { 'method.response.header.Content-Type': "'application/json'" },
            responseTemplates: json('{"errors":["Bad part","the part number must be 1 to 10000 and the part at most 10 MiB"]}'),
          },
          {
            statusCode: '500',
            selectionPattern: '5\\d{2}',
            contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
            responseParameters: { 'method.response.header.Content-Type': "'application/json'" },
            responseTemplates: json('{"errors":["Internal server error","S3 did not store the part; send it again"]}'),
          },
        ],
      },
    });
    const parts = api.root.resourceForPath(`v1/${this.projectId}/{drive}/uploads/{uploadId}/parts`);
    parts.addMethod('POST', integration, {
      apiKeyRequired: true,
      requestParameters: {
        'method.request.path.drive': true,
        'method.request.path.uploadId': true,
        'method.request.querystring.name': true,
        'method.request.querystring.part': true,
      },
      // No body model: the body is the part's bytes, whatever they are.
      requestValidatorOptions: { validateRequestParameters: true, validateRequestBody: true },
      methodResponses: ['200', '400', '404', '500'].map((statusCode) => ({
        statusCode,
        responseParameters: { 'method.response.header.Content-Type': true },
      })),
    });
    // API Gateway's own check of the project key, so the API is no more open than the CloudFront route to it.
    const key = new apigw.ApiKey(this, 'PartsKey', { description: 'The app project key', value: projectKey.environmentValue });
    const plan = api.addUsagePlan('PartsPlan', { throttle, apiStages: [{ api, stage: api.deploymentStage }] });
    plan.addApiKey(key);
    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason: "Deta auth: the method requires the app's project key as its API key (X-API-Key), checked again at the edge with the project id.",
      },
      { id: 'AwsSolutions-COG4', reason: 'Deta clients authenticate with the project key, not Cognito.' },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging needs an account-wide API Gateway CloudWatch role; the stage keeps access logs of every part.',
      },
      { id: 'AwsSolutions-APIG3', reason: 'WAF costs a fixed monthly fee per web ACL; the stage and usage plan throttle instead.' },
    );
    return api;
  }

  private endpoint(overrides: Partial<cloudfront.DistributionProps> | undefined): cloudfront.Distribution {
    const edge = [{ function: this.edgeFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];
    const apiHost = Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
    const distribution = new cloudfront.Distribution(this, 'Endpoint', {
      comment: 'Spaceport Deta Base and Drive endpoint',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      additionalBehaviors: {
        [DRIVE_DOWNLOAD_PATTERN]: {
          origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [cloudfront.AccessLevel.READ] }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          functionAssociations: edge,
        },
        [DRIVE_PARTS_PATTERN]: {
          origin: new origins.RestApiOrigin(this.partsApi),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          functionAssociations: edge,
        },
      },
      // Without list rights S3 answers a missing download 403 (XML); the SDKs need a JSON 404 to return null.
      errorResponses: [{ httpStatus: 403, responseHttpStatus: 404, responsePagePath: NOT_FOUND_PATH, ttl: Duration.seconds(0) }],
      ...overrides,
    });
    Validations.of(distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: "An app owner's data endpoint serves their micros and devices wherever they are." },
      { id: 'AwsSolutions-CFR2', reason: 'WAF costs a fixed monthly fee per web ACL; the APIs behind the distribution throttle instead.' },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Standard logs need an ACL-enabled bucket per app; the APIs keep access logs of every JSON call and part.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The SDKs need a host with a public certificate and no fixed cost: the default *.cloudfront.net certificate, whose TLS policy CloudFront sets.',
      },
    );
    return distribution;
  }
}
