import { Annotations, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isUnder, matchRoute, RESERVED_PREFIX, routeKeys } from '../routing/routes';
import type { Micro, SpaceAppModel } from '../spacefile/model';
import { SpaceportConstructError } from './errors';
import { FunctionLogging } from './function-logging';

/** API Gateway's own ceiling (30 s, 29 s in CDK): a cold start's init plus the 20 s invoke must fit. */
const INTEGRATION_TIMEOUT = Duration.seconds(29);

export interface SpaceRouterProps {
  /** The app whose micros the router serves. */
  readonly app: SpaceAppModel;
  /**
   * Authorizes requests to private routes (the Space auth layer, `lib/auth/`). Routes the Spacefile makes public
   * (`public`, `public_routes` that are exact paths or end in `/*`) never use it.
   * @default none: private routes are open and a synth warning says so
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /**
   * What answers `/__space` and `/__space/*` (sign-in, assets; never a micro).
   * @default a small function answering 404 JSON
   */
  readonly runtimeIntegration?: apigwv2.HttpRouteIntegration;
  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Escape hatch: properties merged over the HTTP API's defaults.
   * @default no overrides
   */
  readonly cdk?: { readonly httpApi?: Partial<apigwv2.HttpApiProps> };
}

/**
 * The app's front door: one HTTP API whose routes send each path to the micro `matchRoute` picks, and the
 * reserved `/__space` paths to the runtime.
 */
export class SpaceRouter extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  /** The function answering `/__space/*`, unless `runtimeIntegration` replaced it. */
  readonly runtimeFunction?: lambda.Function;
  /** The app's host, no scheme: what `DETA_SPACE_APP_HOSTNAME` holds. */
  readonly hostname: string;
  /** The app's URL, with a trailing `/`. */
  readonly url: string;
  private readonly app: SpaceAppModel;
  private readonly authorizer?: apigwv2.IHttpRouteAuthorizer;

  constructor(scope: Construct, id: string, props: SpaceRouterProps) {
    super(scope, id);
    this.app = props.app;
    this.authorizer = props.authorizer;
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `Space app '${props.app.name}'`,
      createDefaultStage: false,
      ...props.cdk?.httpApi,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const stack = Stack.of(this);
    // Built from the API id, not `apiEndpoint`, so functions can name the host without depending on the stage.
    this.hostname = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.url = `https://${this.hostname}/`;
    new CfnOutput(this, 'Url', { value: this.url, description: `URL of the Space app '${props.app.name}'` });

    let runtimeIntegration = props.runtimeIntegration;
    if (!runtimeIntegration) {
      this.runtimeFunction = notFoundFunction(this, props.logRetention);
      runtimeIntegration = new HttpLambdaIntegration('RuntimeIntegration', this.runtimeFunction);
    }
    for (const path of [RESERVED_PREFIX, `${RESERVED_PREFIX}/{proxy+}`]) {
      const [route] = this.httpApi.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: runtimeIntegration });
      acknowledgeOpen(route, 'Runtime route: serves sign-in and runtime assets, which must be reachable before signing in.');
    }
    if (!props.authorizer && props.app.micros.some((micro) => !isWhollyPublic(micro))) {
      Annotations.of(this).addWarningV2(
        'spaceport:private-routes-open',
        'No authorizer is configured: the routes of private micros are open to anyone. Pass `authorizer` to protect them.',
      );
    }
  }

  /** Sends the micro's paths to `fn`: its route keys, plus open routes for the public paths a route key can express. */
  addMicro(micro: Micro, fn: lambda.IFunction): void {
    if (!this.app.micros.includes(micro)) {
      throw new SpaceportConstructError(this, `micro '${micro.name}' is not part of app '${this.app.name}'`, micro.location);
    }
    const integration = new HttpLambdaIntegration(`Integration-${micro.name}`, fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      timeout: INTEGRATION_TIMEOUT,
    });
    const open = isWhollyPublic(micro);
    for (const key of routeKeys(micro)) this.addRoute(key, integration, open ? micro : undefined);
    if (open) return;
    const taken = new Set(this.app.micros.flatMap(routeKeys));
    for (const key of publicRouteKeys(this.app, micro)) {
      if (!taken.has(key)) this.addRoute(key, integration, micro);
    }
  }

  private addRoute(key: string, integration: apigwv2.HttpRouteIntegration, publicOf?: Micro): void {
    const path = key.slice('ANY '.length);
    const [route] = this.httpApi.addRoutes({
      path,
      methods: [apigwv2.HttpMethod.ANY],
      integration,
      authorizer: publicOf ? new apigwv2.HttpNoneAuthorizer() : this.authorizer,
    });
    if (publicOf) {
      acknowledgeOpen(
        route,
        `The Spacefile makes ${path} of micro '${publicOf.name}' public (line ${publicOf.location.line}): anyone may call it, as on Deta Space.`,
      );
    }
  }
}

/** Literal path characters an HTTP API route key accepts; anything else (`*` mid-path, `{`) is left to the authorizer. */
const ROUTE_PATH = /^[A-Za-z0-9._~@:+,;=!$&'()\/-]+$/;

/** `public: true` (or a `/*` public route): every path of the micro is public. */
function isWhollyPublic(micro: Micro): boolean {
  return micro.publicRoutes.includes('/*');
}

/**
 * Route keys for the micro's public routes that API Gateway can express: exact paths and prefixes ending in `/*`.
 * Other patterns (`*` mid-path) stay behind the authorizer, which checks them itself.
 */
export function publicRouteKeys(app: SpaceAppModel, micro: Micro): string[] {
  const keys = new Set<string>();
  for (const route of micro.publicRoutes) {
    const relative = route.startsWith('/') ? route : `/${route}`;
    const prefixOnly = relative.endsWith('/*') && !relative.slice(0, -2).includes('*');
    const base = prefixOnly ? relative.slice(0, -2) : relative;
    if (!ROUTE_PATH.test(base || '/')) continue;
    const full = (micro.path === '/' ? '' : micro.path) + base;
    const path = full || '/';
    if (isUnder(path, RESERVED_PREFIX)) continue;
    const owner = matchRoute(app, path);
    if (owner.kind !== 'micro' || owner.micro !== micro) continue;
    keys.add(prefixOnly ? `ANY ${full}/{proxy+}` : `ANY ${path}`);
  }
  return [...keys];
}

function acknowledgeOpen(route: apigwv2.HttpRoute, reason: string): void {
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}

/** Until the runtime's own paths are served (sign-in: `lib/auth/`), they answer 404 and never reach a micro. */
function notFoundFunction(scope: Construct, retention?: logs.RetentionDays): lambda.Function {
  const logging = new FunctionLogging(scope, 'RuntimeLogging', { retention });
  return new lambda.Function(scope, 'RuntimeFunction', {
    description: 'Spaceport runtime paths (/__space/*)',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      'exports.handler = async (event) => ({ statusCode: 404, headers: { "content-type": "application/json" }, ' +
        'body: JSON.stringify({ error: "not found", path: event.rawPath }) });',
    ),
    memorySize: 128,
    timeout: Duration.seconds(3),
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup: logging.logGroup,
    role: logging.role,
  });
}
