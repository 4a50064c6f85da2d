import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One side of the failover pair: where the custom domain points in that region. */
export interface FailoverTarget {
  /** The API Gateway custom domain's regional domain name (`d-xxxx.execute-api.<region>.amazonaws.com`). */
  domainTarget: pulumi.Input<string>;
  /** Its Route 53 hosted zone id (API Gateway's, per region). */
  domainZoneId: pulumi.Input<string>;
  /**
   * The name that custom domain serves (its stack's `customDomainName`), which must be the
   * records' own; undefined from a stack deployed before it exported one, which is not checked.
   */
  domainName?: pulumi.Input<string | undefined>;
}

/** Arguments of {@link FailoverRecords}. */
export interface FailoverRecordsArgs {
  /** The custom domain, e.g. `pay.example.com`, and the public hosted zone that holds it. */
  domain: { name: string; hostedZoneId: string };
  /** The primary region's target and the health check that decides whether DNS answers with it. */
  primary: FailoverTarget & { healthCheckId: pulumi.Input<string> };
  /** The DR region's target: no health check, so it is answered whenever the primary is unhealthy. */
  secondary: FailoverTarget;
}

/**
 * A failover target must be an API Gateway custom domain's regional name (`d-….execute-api…`),
 * never an API's own `<api id>.execute-api…` hostname: API Gateway routes by Host/SNI, so DNS
 * pointing the custom name at a raw API hostname gets 403 or a TLS mismatch (DESIGN §10).
 */
export function checkFailoverTarget(target: string): string {
  if (!/^d-[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(target)) {
    throw new pulumi.RunError(`failover target "${target}" is not an API Gateway custom domain's regional name (d-….execute-api.<region>.amazonaws.com)`);
  }
  return target;
}

/**
 * A region's custom domain must serve the records' name: API Gateway answers a Host it has no
 * custom domain for with 403, so failing over to it would fail every payment.
 */
function checkServedName(role: "PRIMARY" | "SECONDARY", recordName: string, served: string | undefined): void {
  if (served !== undefined && served !== recordName) {
    const region = role === "PRIMARY" ? "primary" : "DR";
    throw new pulumi.RunError(
      `payments-dr:domainName: the ${region} region's custom domain serves "${served}", not this stack's "${recordName}": set the same domainName on all three stacks (API Gateway answers a name it does not serve with 403)`,
    );
  }
}

/** The set identifier of one failover record (the Region switch plan names records by it). */
export function failoverSetIdentifier(domainName: string, role: "PRIMARY" | "SECONDARY"): string {
  return `${domainName}-${role.toLowerCase()}`;
}

/**
 * The PRIMARY and SECONDARY failover alias records of the custom domain (DESIGN §7). Route 53
 * answers with the primary while its health check passes, else with the secondary. Only the
 * primary carries a health check: Route 53 answers with the primary, healthy or not, whenever
 * the secondary is unhealthy, so a check on the secondary could only send traffic back to a
 * failed primary, e.g. while the DR database restarts during its promotion. Without one, the
 * secondary is answered whenever the primary is unhealthy (Route 53 API, ResourceRecordSet
 * `Failover`). The DR region's check stays, for its alarm and `dr status`.
 */
export class FailoverRecords extends pulumi.ComponentResource {
  readonly fqdn: pulumi.Output<string>;

  constructor(name: string, args: FailoverRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:failover:FailoverRecords", name, {}, opts);

    // The secondary also ignores its target's health, for the same reason as its missing check.
    const record = (role: "PRIMARY" | "SECONDARY", target: FailoverTarget & { healthCheckId?: pulumi.Input<string> }) =>
      new aws.route53.Record(
        `${name}-${role.toLowerCase()}`,
        {
          zoneId: args.domain.hostedZoneId,
          name: args.domain.name,
          type: "A",
          setIdentifier: failoverSetIdentifier(args.domain.name, role),
          failoverRoutingPolicies: [{ type: role }],
          healthCheckId: target.healthCheckId,
          aliases: [
            {
              name: pulumi.all([target.domainTarget, target.domainName]).apply(([domainTarget, served]) => {
                checkServedName(role, args.domain.name, served);
                return checkFailoverTarget(domainTarget);
              }),
              zoneId: target.domainZoneId,
              evaluateTargetHealth: role === "PRIMARY",
            },
          ],
        },
        { parent: this },
      );

    const primary = record("PRIMARY", args.primary);
    record("SECONDARY", args.secondary);

    this.fqdn = primary.fqdn;
    this.registerOutputs({ fqdn: this.fqdn });
  }
}
