/**
 * The cloud side of "private by default": the owner secret, the API key table, the Lambda authorizer that
 * every micro route goes through, and the sign-in function behind `/__space/*`.
 */
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { handlerCode } from './bundled-code';
import { FunctionLogging } from './function-logging';
import { SpaceportConstructError } from './errors';
import type { SpaceAppModel } from '../spacefile/model';
import { AUTH_ENV } from '../handlers/authorizer';
import { accessPolicyOf } from '../auth/policy';

/** Lambda's limit for a function's whole environment is 4 KB; the policy must leave room for the rest. */
const MAX_POLICY_BYTES = 3 * 1024;

export interface SpaceAuthProps {
  /** The app whose access rules the authorizer applies. */
  readonly app: SpaceAppModel;
  /** The app's internal key (`SpaceInternalKey.secret`): `X-API-Key` with its value is let in like the owner. */
  readonly internalKey: secretsmanager.ISecret;
  /**
   * How long the auth functions' logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export class SpaceAuth extends Construct {
  /** The owner secret, generated at deploy time; read it with the `OwnerSecretCommand` output. */
  readonly ownerSecret: secretsmanager.Secret;
  /** API key hashes (partition key `hash`), written by `spaceport keys --table`. */
  readonly apiKeysTable: dynamodb.Table;
  readonly authorizerFunction: lambda.Function;
  readonly signinFunction: lambda.Function;
  /** For every micro route: no identity sources and no caching, so every request is judged on its own. */
  readonly authorizer: apigwv2.IHttpRouteAuthorizer;
  /** For the `/__space` routes: sign-in, sign-out, 404 for everything else. */
  readonly runtimeIntegration: apigwv2.HttpRouteIntegration;

  constructor(scope: Construct, id: string, props: SpaceAuthProps) {
    super(scope, id);
    const policy = JSON.stringify(accessPolicyOf(props.app));
    if (Buffer.byteLength(policy) > MAX_POLICY_BYTES) {
      throw new SpaceportConstructError(
        this,
        `the app's public routes take ${Buffer.byteLength(policy)} bytes, more than the ${MAX_POLICY_BYTES} the authorizer's environment can hold: use fewer, broader public_routes`,
      );
    }
    this.ownerSecret = new secretsmanager.Secret(this, 'OwnerSecret', {
      description: `Owner secret of the Space app '${props.app.name}': paste it at /__space/signin`,
      generateSecretString: { passwordLength: 43, excludePunctuation: true },
    });
    Validations.of(this.ownerSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The owner rotates the secret by hand (put-secret-value); signing in again is the only effect, so no rotation Lambda.',
    });
    this.apiKeysTable = new dynamodb.Table(this, 'ApiKeys', {
      partitionKey: { name: 'hash', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    const environment = { [AUTH_ENV.ownerSecretId]: this.ownerSecret.secretArn };
    this.authorizerFunction = this.handler('Authorizer', 'authorizer', 'Spaceport authorizer: private by default', props.logRetention, {
      ...environment,
      [AUTH_ENV.policy]: policy,
      [AUTH_ENV.apiKeysTable]: this.apiKeysTable.tableName,
      [AUTH_ENV.internalKeySecretId]: props.internalKey.secretArn,
    });
    this.signinFunction = this.handler('Signin', 'signin-handler', 'Spaceport owner sign-in (/__space/*)', props.logRetention, environment);
    this.ownerSecret.grantRead(this.authorizerFunction);
    this.ownerSecret.grantRead(this.signinFunction);
    props.internalKey.grantRead(this.authorizerFunction);
    this.apiKeysTable.grant(this.authorizerFunction, 'dynamodb:GetItem');

    this.authorizer = new HttpLambdaAuthorizer('Owner', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // With an identity source, a request without it gets 401 before the authorizer runs, and cached results
      // would be keyed on it alone, not on the path: public routes and cookies could not be judged per request.
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    this.runtimeIntegration = new HttpLambdaIntegration('SigninIntegration', this.signinFunction);

    new CfnOutput(this, 'OwnerSecretCommand', {
      description: 'Prints the owner secret to paste at <app url>/__space/signin',
      value: `aws secretsmanager get-secret-value --secret-id ${this.ownerSecret.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'ApiKeysTable', {
      description: 'Pass to `spaceport keys ... --table` to manage API keys',
      value: this.apiKeysTable.tableName,
    });
  }

  /** A small Node function bundled by esbuild from `lib/handlers/<module>` (the .ts sources, or the compiled .js in dist/). */
  private handler(
    id: string,
    module: string,
    description: string,
    retention: logs.RetentionDays | undefined,
    environment: Record<string, string>,
  ): lambda.Function {
    const logging = new FunctionLogging(this, `${id}Logging`, { retention });
    return new lambda.Function(this, id, {
      description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: handlerCode(module),
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: logging.logGroup,
      role: logging.role,
    });
  }
}
