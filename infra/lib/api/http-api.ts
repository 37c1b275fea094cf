import { Duration, NestedStack, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTHORIZER } from '#shared/http/route-table.ts';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import type { PlatformFunction } from '../constructs/platform-function.ts';
import type { DeploymentConfig } from '../config.ts';
import {
  createHandlerFunction,
  type HandlerFunctionSettings,
  handlerExists,
  routeConstructId,
} from './handler-functions.ts';

/** Routes per nested stack: about 7 resources each keeps a stack near 300 of its 500. */
const ROUTES_PER_STACK = 40;

export const AUTHORIZER_ENTRY = AUTHORIZER.handler;

export interface PlatformHttpApiProps {
  config: DeploymentConfig;
  routes: readonly RouteDefinition[];
  functions: Omit<HandlerFunctionSettings, 'environment'>;
  /** Plain settings for every handler, without PUBLIC_API_URL (this construct adds it). */
  environment: Record<string, string>;
}

/** What a route was deployed as (or why it was not). */
export interface DeployedRoute {
  route: RouteDefinition;
  function?: PlatformFunction;
  skipped?: 'handler file not found';
}

/**
 * The HTTP API: one route and one Lambda integration per entry of the route table. `apiKey` and
 * `admin` routes go through the API-key authorizer; `signature` routes (provider webhooks) and
 * `none` routes do not, since providers cannot send our keys and verify by signature instead.
 */
export class PlatformHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly url: string;
  readonly authorizerFunction: PlatformFunction;
  readonly routes: DeployedRoute[] = [];
  /**
   * Route handlers live in nested stacks of ROUTES_PER_STACK routes each: every route brings about
   * seven resources (function, role, policy, log group, permission, integration, route), and one
   * CloudFormation stack holds at most 500.
   */
  readonly routeStacks: NestedStack[] = [];

  constructor(scope: Construct, id: string, props: PlatformHttpApiProps) {
    super(scope, id);
    const { config } = props;
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: `ai-caller ${config.stage} control plane`,
      createDefaultStage: false,
      corsPreflight:
        config.corsOrigins.length > 0
          ? {
              allowOrigins: config.corsOrigins,
              allowMethods: [
                apigw.CorsHttpMethod.GET,
                apigw.CorsHttpMethod.POST,
                apigw.CorsHttpMethod.PATCH,
                apigw.CorsHttpMethod.PUT,
                apigw.CorsHttpMethod.DELETE,
                apigw.CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'x-api-key', 'idempotency-key', 'x-csrf-token'],
              // Console sessions are cookies: browsers send them cross-origin only with credentials
              // allowed, which API Gateway permits only for listed origins (not `*`).
              allowCredentials: !config.corsOrigins.includes('*'),
              exposeHeaders: ['x-request-id', 'retry-after'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });
    const domainMapping = this.customDomain(config);
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottleRatePerSecond, burstLimit: config.apiThrottleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', {
            retention: config.logRetentionDays as logs.RetentionDays,
            removalPolicy: config.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          }),
        ),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
      domainMapping,
    });
    this.url = config.apiDomainName ? `https://${config.apiDomainName}` : this.api.apiEndpoint;

    const settings: HandlerFunctionSettings = {
      ...props.functions,
      environment: { ...props.environment, PUBLIC_API_URL: this.url },
    };
    this.authorizerFunction = createHandlerFunction(
      this,
      'ApiKeyAuthorizer',
      settings,
      { entry: AUTHORIZER.handler, grants: AUTHORIZER.grants },
      { description: 'API key authorizer', timeout: Duration.seconds(5) },
    );
    const authorizer = new authorizers.HttpLambdaAuthorizer('ApiKey', this.authorizerFunction.function, {
      responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
      // A cached authorizer needs an identity source, and API Gateway answers 401 itself when any
      // listed source is missing; so with caching only `Authorization: Bearer` passes. Handlers
      // re-check the key on every request, so a deleted key stops working at once regardless.
      identitySource: config.authorizerCacheSeconds > 0 ? ['$request.header.Authorization'] : [],
      resultsCacheTtl: Duration.seconds(config.authorizerCacheSeconds),
    });

    let deployed = 0;
    for (const route of props.routes) {
      if (!handlerExists(props.functions.rootDir, route.handler)) {
        this.routes.push({ route, skipped: 'handler file not found' });
        continue;
      }
      const group = Math.floor(deployed++ / ROUTES_PER_STACK);
      if (!this.routeStacks[group]) this.routeStacks[group] = new NestedStack(this, `Routes${group + 1}`);
      const scope = this.routeStacks[group];
      const id = routeConstructId(route.method, route.path);
      const declared = { entry: route.handler, grants: route.grants };
      const fn = createHandlerFunction(scope, id, settings, declared, {
        description: `${route.method} ${route.path}`,
        timeout: Duration.seconds(25),
      });
      new apigw.HttpRoute(scope, `${id}Route`, {
        httpApi: this.api,
        routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
        integration: new integrations.HttpLambdaIntegration(`${id}Integration`, fn.function),
        authorizer: route.auth === 'apiKey' || route.auth === 'admin' ? authorizer : undefined,
      });
      this.routes.push({ route, function: fn });
    }
    if (config.authorizerCacheSeconds === 0) {
      // Without caching, API Gateway documents the identity source as optional: omit it rather
      // than send an empty list, so requests with only `x-api-key` still reach the authorizer.
      for (const child of this.api.node.findAll()) {
        if (child instanceof apigw.CfnAuthorizer) child.addPropertyDeletionOverride('IdentitySource');
      }
    }
  }

  private customDomain(config: DeploymentConfig): apigw.DomainMappingOptions | undefined {
    if (!config.apiDomainName || !config.apiCertificateArn) return undefined;
    const domainName = new apigw.DomainName(this, 'Domain', {
      domainName: config.apiDomainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', config.apiCertificateArn),
    });
    return { domainName };
  }

  /** Every function behind the API, the authorizer included. */
  get functions(): PlatformFunction[] {
    return [this.authorizerFunction, ...this.routes.flatMap((r) => (r.function ? [r.function] : []))];
  }
}
