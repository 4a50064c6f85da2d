import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_CHECK_TOKEN_ARGUMENT, type RegionRole, type ResourceNamer } from "@payments-dr/conventions";
import { FAILOVER_TIMING } from "./timing";

/** Arguments of {@link ApiHealthCheck}. */
export interface ApiHealthCheckArgs {
  /** Names the children's physical resources (the stack's suffix, this component's region). */
  namer: ResourceNamer;
  /** Which region's API this checks, in its name: `primary` or `dr`. */
  role: string;
  /**
   * The regional `/health` URL (the stage's own execute-api URL: the check must reach this
   * region's API, whatever the failover record currently answers).
   */
  healthUrl: pulumi.Input<string>;
  /** The region's health check token (its stack's `healthCheckToken`, a secret): its WAF blocks Route 53's checkers without it. */
  healthCheckToken: pulumi.Input<string>;
}

function httpsUrl(healthUrl: string): URL {
  const url = new URL(healthUrl);
  if (url.protocol !== "https:") throw new pulumi.RunError(`health URL must be https: ${healthUrl}`);
  return url;
}

/** The host a Route 53 HTTPS health check on `healthUrl` connects to. */
export function healthCheckFqdn(healthUrl: string): string {
  return httpsUrl(healthUrl).hostname;
}

/** The path a Route 53 HTTPS health check on `healthUrl` requests: `/health`'s, with the token in its query. */
export function healthCheckResourcePath(healthUrl: string, token: string): string {
  const url = httpsUrl(healthUrl);
  url.searchParams.set(HEALTH_CHECK_TOKEN_ARGUMENT, token);
  return `${url.pathname}${url.search}`;
}

/**
 * Options of a health check. Route 53 cannot change `requestInterval` in place: a new value
 * replaces the check. Say so in the preview, and create the new check before deleting the old
 * one (no deleteBeforeReplace), so the failover records always name a live check. Its path
 * carries the region's token: a secret in the state too, whatever the engine infers.
 */
function healthCheckOptions(parent: pulumi.Resource): pulumi.CustomResourceOptions {
  return { parent, replaceOnChanges: ["requestInterval"], additionalSecretOutputs: ["resourcePath"] };
}

/**
 * A Route 53 HTTPS health check on one region's `/health` (DESIGN §7). The health route is
 * cheap and cached, and in the DR region reports healthy while its database is read-only, so
 * the check measures whether the region can serve its role, not whether it is primary.
 */
export class ApiHealthCheck extends pulumi.ComponentResource {
  readonly healthCheckId: pulumi.Output<string>;

  constructor(name: string, args: ApiHealthCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:failover:ApiHealthCheck", name, {}, opts);

    const check = new aws.route53.HealthCheck(
      `${name}-check`,
      {
        type: "HTTPS",
        fqdn: pulumi.output(args.healthUrl).apply(healthCheckFqdn),
        port: 443,
        // A secret (the token), whatever the caller passed: the plan and the state keep it encrypted.
        resourcePath: pulumi.secret(pulumi.all([args.healthUrl, args.healthCheckToken]).apply(([url, token]) => healthCheckResourcePath(url, token))),
        // SNI: API Gateway picks the certificate (and the API) by the name the client asks for.
        enableSni: true,
        requestInterval: FAILOVER_TIMING.requestIntervalSeconds,
        failureThreshold: FAILOVER_TIMING.failureThreshold,
        measureLatency: true,
        tags: { Name: args.namer.global("display", `${args.role}-api-health`) },
      },
      healthCheckOptions(this),
    );

    this.healthCheckId = check.id;
    this.registerOutputs({ healthCheckId: this.healthCheckId });
  }
}

/** Arguments of {@link CombinedHealthCheck}. */
export interface CombinedHealthCheckArgs {
  /** Names the children's physical resources (the stack's suffix, this component's region). */
  namer: ResourceNamer;
  /** Which region's record carries it, in its name. */
  role: RegionRole;
  /** The checks that must all be healthy: the region's API check and what else gates its record. */
  healthCheckIds: pulumi.Input<string>[];
}

/**
 * A Route 53 calculated health check, healthy only while every child is: the health check of a
 * failover record that must follow the region's `/health` and the Region switch plan's check
 * for that region. Route 53 serves a record whose check is unhealthy only when no other is healthy.
 */
export class CombinedHealthCheck extends pulumi.ComponentResource {
  readonly healthCheckId: pulumi.Output<string>;

  constructor(name: string, args: CombinedHealthCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:failover:CombinedHealthCheck", name, {}, opts);
    const check = new aws.route53.HealthCheck(
      `${name}-check`,
      {
        type: "CALCULATED",
        childHealthchecks: args.healthCheckIds,
        childHealthThreshold: args.healthCheckIds.length,
        tags: { Name: args.namer.global("display", `${args.role}-record-health`) },
      },
      { parent: this },
    );
    this.healthCheckId = check.id;
    this.registerOutputs({ healthCheckId: this.healthCheckId });
  }
}
