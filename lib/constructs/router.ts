import { Annotations, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { INTEGRATION_TIMEOUT_SECONDS } from '../core/limits';
import { RESERVED_PREFIX } from '../core/paths';
import { SIGNIN_PATH, SIGNOUT_PATH } from '../auth/rules';
import { CONSOLE_ROUTE_PATHS } from '../handlers/authorizer';
import { routeKeys } from '../routing/routes';
import type { Micro, SpaceAppModel } from '../spacefile/model';
import { SpaceportConstructError } from './errors';
import { FunctionLogging } from './function-logging';

/** A cold start's init plus the 20 s invoke must fit in it. */
const INTEGRATION_TIMEOUT = Duration.seconds(INTEGRATION_TIMEOUT_SECONDS);

/**
 * Requests per second (and the burst above it) the app's stage accepts before answering 429, denied requests
 * included: every request runs the authorizer, so without a limit an anonymous flood spends the account's shared
 * Lambda concurrency. Enough for a personal app and its API clients; raise it with `throttle`.
 */
export const DEFAULT_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/** A custom domain for the app (`SpaceRouterProps.domain`). */
export interface SpaceDomainProps {
  /** The app's host name, e.g. `notes.example.com`. */
  readonly domainName: string;
  /**
   * A certificate for `domainName`, in the stack's region.
   * @default a new certificate validated by DNS in `hostedZone` (then `hostedZone` is required)
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The Route 53 zone `domainName` lives in: the alias record (and the certificate's validation) are created there.
   * @default none: point `domainName` at the output's regional domain name in your own DNS
   */
  readonly hostedZone?: route53.IHostedZone;
}

export interface SpaceRouterProps {
  /** The app whose micros the router serves. */
  readonly app: SpaceAppModel;
  /**
   * Authorizes every request to a micro (`SpaceAuth`'s authorizer, applying `lib/auth/`): it must allow the Spacefile's public
   * routes itself, so one implementation judges every path, public or not. Only `/__space` never uses it.
   * @default none: every micro route is open, and a synth warning says so when a micro is private
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /**
   * What answers `/__space` and `/__space/*` (`SpaceAuth`'s sign-in; never a micro).
   * @default a small function answering 404 JSON
   */
  readonly runtimeIntegration?: apigwv2.HttpRouteIntegration;
  /**
   * Leave `/__space` and `/__space/{proxy+}` to the owner's console (`addConsole`): `runtimeIntegration` then
   * answers sign-in and sign-out on their own routes.
   * @default false: `runtimeIntegration` answers every `/__space` path
   */
  readonly console?: boolean;
  /**
   * What answers the CORS preflights (`OPTIONS`) of micros with `presets.api_keys`: a preflight carries no
   * credentials, so the authorizer could only let it reach the micro unauthenticated. Only with `authorizer`.
   * @default none: `OPTIONS` goes through the authorizer like any other method
   */
  readonly preflightIntegration?: apigwv2.HttpRouteIntegration;
  /**
   * The stage's request rate limit (steady requests per second) and burst; above them API Gateway answers 429
   * before any authorizer or micro runs.
   * @default DEFAULT_THROTTLE: 50 requests per second, bursts of 100
   */
  readonly throttle?: apigwv2.ThrottleSettings;
  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A custom domain the app answers on, besides the HTTP API's own host.
   * @default none
   */
  readonly domain?: SpaceDomainProps;
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
  /** The custom domain, when `domain` was given. */
  readonly domainName?: apigwv2.DomainName;
  /** The function answering `/__space/*`, unless `runtimeIntegration` replaced it. */
  readonly runtimeFunction?: lambda.Function;
  /** The app's host, no scheme: what `DETA_SPACE_APP_HOSTNAME` holds. */
  readonly hostname: string;
  /** The app's URL, with a trailing `/`. */
  readonly url: string;
  private readonly app: SpaceAppModel;
  private readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  private readonly preflightIntegration?: apigwv2.HttpRouteIntegration;
  private readonly console: boolean;
  private consoleAdded = false;

  constructor(scope: Construct, id: string, props: SpaceRouterProps) {
    super(scope, id);
    this.app = props.app;
    this.authorizer = props.authorizer;
    this.preflightIntegration = props.authorizer ? props.preflightIntegration : undefined;
    this.console = props.console ?? false;
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
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const stack = Stack.of(this);
    if (props.domain) {
      this.domainName = customDomain(this, props.domain, this.stage);
      this.hostname = props.domain.domainName;
    } else {
      // Built from the API id, not `apiEndpoint`, so functions can name the host without depending on the stage.
      this.hostname = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    }
    this.url = `https://${this.hostname}/`;
    new CfnOutput(this, 'Url', { value: this.url, description: `URL of the Space app '${props.app.name}'` });

    let runtimeIntegration = props.runtimeIntegration;
    if (!runtimeIntegration) {
      this.runtimeFunction = notFoundFunction(this, props.logRetention);
      runtimeIntegration = new HttpLambdaIntegration('RuntimeIntegration', this.runtimeFunction);
    }
    const runtimePaths = this.console ? [SIGNIN_PATH, SIGNOUT_PATH] : [RESERVED_PREFIX, `${RESERVED_PREFIX}/{proxy+}`];
    for (const path of runtimePaths) {
      // Explicitly none, so a `defaultAuthorizer` given through the escape hatch cannot lock the owner out of sign-in.
      const [route] = this.httpApi.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.ANY],
        integration: runtimeIntegration,
        authorizer: new apigwv2.HttpNoneAuthorizer(),
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Runtime route: serves sign-in, which must be reachable before signing in; it never reaches a micro.',
      });
    }
    if (!props.authorizer && props.app.micros.some((micro) => !isWhollyPublic(micro))) {
      Annotations.of(this).addWarningV2(
        'spaceport:private-routes-open',
        'No authorizer is configured: the routes of private micros are open to anyone. Pass `authorizer` to protect them.',
      );
    }
  }

  /**
   * Sends `/__space` and everything under it that has no route of its own (sign-in, sign-out, the data browser
   * path) to the owner's console, through `authorizer`, whose console rule admits only the owner's session.
   */
  addConsole(fn: lambda.IFunction, authorizer: apigwv2.IHttpRouteAuthorizer): void {
    if (!this.console || this.consoleAdded) {
      throw new SpaceportConstructError(
        this,
        this.consoleAdded ? 'the console is already added' : 'addConsole needs `console: true` in the router props',
      );
    }
    this.consoleAdded = true;
    const integration = new HttpLambdaIntegration('ConsoleIntegration', fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      timeout: INTEGRATION_TIMEOUT,
    });
    for (const path of CONSOLE_ROUTE_PATHS) this.httpApi.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration, authorizer });
  }

  /**
   * Sends the micro's paths to `fn`, all of them through the authorizer: public routes included, so an encoded
   * `..` under a public prefix (`/public/..%2Fadmin`) is judged by the same rules as locally, not by the micro.
   */
  addMicro(micro: Micro, fn: lambda.IFunction): void {
    if (!this.app.micros.includes(micro)) {
      throw new SpaceportConstructError(this, `micro '${micro.name}' is not part of app '${this.app.name}'`, micro.location);
    }
    const integration = new HttpLambdaIntegration(`Integration-${micro.name}`, fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      timeout: INTEGRATION_TIMEOUT,
    });
    for (const key of routeKeys(micro)) {
      const path = key.slice('ANY '.length);
      this.httpApi.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration, authorizer: this.authorizer });
      if (micro.apiKeys && this.preflightIntegration) {
        // A method route beats ANY on the same path: preflights never reach the micro (lib/auth/preflight.ts).
        const [route] = this.httpApi.addRoutes({
          path,
          methods: [apigwv2.HttpMethod.OPTIONS],
          integration: this.preflightIntegration,
          authorizer: new apigwv2.HttpNoneAuthorizer(),
        });
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'CORS preflights carry no credentials by design; the runtime function answers them and never reaches a micro.',
        });
      }
    }
  }
}

/**
 * The app's own domain: an API Gateway custom domain mapped to the stage, its certificate (given, or validated by DNS
 * in the zone) and, with a zone, the alias record. Without a zone the owner points their DNS at the output.
 */
function customDomain(router: SpaceRouter, domain: SpaceDomainProps, stage: apigwv2.HttpStage): apigwv2.DomainName {
  if (!domain.certificate && !domain.hostedZone) {
    throw new SpaceportConstructError(router, `domain '${domain.domainName}' needs a certificate or a hostedZone to validate a new one in`);
  }
  const certificate =
    domain.certificate ??
    new acm.Certificate(router, 'Certificate', {
      domainName: domain.domainName,
      validation: acm.CertificateValidation.fromDns(domain.hostedZone),
    });
  const domainName = new apigwv2.DomainName(router, 'DomainName', { domainName: domain.domainName, certificate });
  new apigwv2.ApiMapping(router, 'DomainMapping', { api: stage.api, domainName, stage });
  if (domain.hostedZone) {
    new route53.ARecord(router, 'DomainRecord', {
      zone: domain.hostedZone,
      recordName: domain.domainName,
      target: route53.RecordTarget.fromAlias(
        new route53Targets.ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
      ),
    });
  } else {
    new CfnOutput(router, 'DomainTarget', {
      value: domainName.regionalDomainName,
      description: `Point ${domain.domainName} (CNAME) at this name`,
    });
  }
  return domainName;
}

/** `public: true` (or a `/*` public route): every path of the micro is public. */
function isWhollyPublic(micro: Micro): boolean {
  return micro.publicRoutes.includes('/*');
}

/** Without a `runtimeIntegration` (an app without `SpaceAuth`), the runtime's own paths answer 404 and never reach a micro. */
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
