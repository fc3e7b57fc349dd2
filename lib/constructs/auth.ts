/**
 * The cloud side of "private by default": the owner secret, the API key table, the Lambda authorizer that
 * every micro route goes through, and the sign-in function behind `/__space/*`.
 */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SpaceportConstructError } from './errors';
import { SpaceGeneratedSecret } from './generated-secret';
import { handlerFunction } from './handler-function';
import { PARAMETER_RECHECK_MS } from '../handlers/secure-parameter';
import type { SpaceAppModel } from '../spacefile/model';
import { AUTH_ENV } from '../handlers/authorizer';
import { accessPolicyOf } from '../auth/policy';

/** Lambda's limit for a function's whole environment is 4 KB; the policy must leave room for the rest. */
const MAX_POLICY_BYTES = 3 * 1024;

export interface SpaceAuthProps {
  /** The app whose access rules the authorizer applies. */
  readonly app: SpaceAppModel;
  /** The app's internal key (`SpaceInternalKey.environmentValue`): `X-API-Key` with it is let in like the owner. */
  readonly internalKey: string;
  /**
   * Any change generates a new owner secret at the next deployment (see `SpaceGeneratedSecretProps.generation`).
   * @default CDK context `spaceport:secrets-generation`, else '1'
   */
  readonly secretsGeneration?: string;
  /**
   * How long the auth functions' logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export class SpaceAuth extends Construct {
  /**
   * The owner secret, generated at deploy time; read it with the `OwnerSecretCommand` output. The auth functions
   * read it at run time, so a new value put into its parameter takes effect within `PARAMETER_RECHECK_MS`.
   */
  readonly ownerSecret: SpaceGeneratedSecret;
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
    this.ownerSecret = new SpaceGeneratedSecret(this, 'OwnerSecret', {
      kind: 'owner-secret',
      description: `Owner secret of the Space app '${props.app.name}': paste it at /__space/signin`,
      generation: props.secretsGeneration,
    });
    this.apiKeysTable = new dynamodb.Table(this, 'ApiKeys', {
      partitionKey: { name: 'hash', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    const environment = { [AUTH_ENV.ownerSecretParameter]: this.ownerSecret.parameterName };
    this.authorizerFunction = handlerFunction(this, 'Authorizer', {
      module: 'authorizer',
      description: 'Spaceport authorizer: private by default',
      logRetention: props.logRetention,
      environment: {
        ...environment,
        [AUTH_ENV.policy]: policy,
        [AUTH_ENV.apiKeysTable]: this.apiKeysTable.tableName,
        [AUTH_ENV.internalKey]: props.internalKey,
      },
    });
    this.signinFunction = handlerFunction(this, 'Signin', {
      module: 'signin-handler',
      description: 'Spaceport owner sign-in (/__space/*)',
      logRetention: props.logRetention,
      environment,
    });
    this.ownerSecret.grantRead(this.authorizerFunction);
    this.ownerSecret.grantRead(this.signinFunction);
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
      value: this.ownerSecret.readCommand,
    });
    new CfnOutput(this, 'OwnerSecretParameter', {
      description: `Put a new owner secret here to rotate it: every session ends within ${PARAMETER_RECHECK_MS / 1000} s`,
      value: this.ownerSecret.parameterName,
    });
    new CfnOutput(this, 'ApiKeysTable', {
      description: 'Pass to `spaceport keys ... --table` to manage API keys',
      value: this.apiKeysTable.tableName,
    });
  }
}
