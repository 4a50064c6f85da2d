import { RefusedError, siteNamed } from "@payments-dr/cli-support";
import type { StackOutputsSet } from "./outputs";

/** One region of the deployment, as its stacks describe it. */
export interface RegionSite {
  region: string;
  /** The stack that deployed it: the primary-region stack's region is the "home" of the writer. */
  stack: "primary-region" | "dr-region";
  clusterArn: string;
  clusterIdentifier: string;
  healthUrl: string;
  apiUrl: string;
  healthCheckId: string;
  bucketName: string;
  /**
   * The payment API's function and the `/health` function (outputs `lambdaName`,
   * `healthLambdaName`), what `dr fence` throttles; undefined in outputs saved before they existed.
   */
  lambdaName?: string;
  healthLambdaName?: string;
  /** The region's alert topic (output `alertTopicArn`); undefined in outputs saved without it. */
  alertTopicArn?: string;
}

/** One of a region's functions that `dr fence` throttles. */
export interface RegionFunction {
  role: "api" | "health";
  name: string;
  /** Built from the region's cluster ARN: same partition and account (ListTags and TagResource take an ARN). */
  arn: string;
}

/** The two regions and the global resources, from the stacks' outputs. */
export class Topology {
  readonly home: RegionSite;
  readonly dr: RegionSite;
  readonly globalClusterId: string;
  readonly sessionsTableName: string;
  /** The merchants' API keys: each region's authorizer reads its own replica. */
  readonly apiKeysTableName: string;
  /** The failover domain's URL, where merchants send payments; undefined without DNS failover. */
  readonly failoverUrl: string | undefined;
  /** The opt-in ARC Region switch plan, when the global stack deployed one. */
  readonly regionSwitchPlanArn: string | undefined;

  constructor(outputs: StackOutputsSet) {
    const { primary, dr, global } = outputs;
    this.home = {
      region: primary.region,
      stack: "primary-region",
      clusterArn: primary.clusterArn,
      clusterIdentifier: primary.clusterIdentifier,
      healthUrl: primary.healthUrl,
      apiUrl: primary.apiUrl,
      healthCheckId: global.primaryHealthCheckId,
      bucketName: primary.bucketName,
      lambdaName: primary.lambdaName,
      healthLambdaName: primary.healthLambdaName,
      alertTopicArn: primary.alertTopicArn,
    };
    this.dr = {
      region: dr.region,
      stack: "dr-region",
      clusterArn: dr.clusterArn,
      clusterIdentifier: dr.clusterIdentifier,
      healthUrl: dr.healthUrl,
      apiUrl: dr.apiUrl,
      healthCheckId: global.drHealthCheckId,
      bucketName: dr.bucketName,
      lambdaName: dr.lambdaName,
      healthLambdaName: dr.healthLambdaName,
      alertTopicArn: dr.alertTopicArn,
    };
    this.globalClusterId = primary.globalClusterId;
    this.sessionsTableName = primary.sessionsTableName;
    this.apiKeysTableName = primary.apiKeysTableName;
    this.failoverUrl = global.failoverDomain ? `https://${global.failoverDomain}` : undefined;
    this.regionSwitchPlanArn = global.regionSwitchPlanArn;
  }

  get sites(): RegionSite[] {
    return [this.home, this.dr];
  }

  /** `--to` (or another `option` naming a region): a region name, or `primary` / `dr` for the region that stack deployed. */
  resolve(to: string | undefined, option = "--to"): RegionSite {
    if (!to) throw new RefusedError(`${option} <region> is required (${this.home.region} or ${this.dr.region})`);
    return siteNamed(to, { primary: this.home, dr: this.dr }, option);
  }

  other(site: RegionSite): RegionSite {
    return site === this.home ? this.dr : this.home;
  }

  /**
   * The payment API's function, then the `/health` function, of `site`: the order `dr fence` and
   * `dr unfence` act in (writes stop before DNS moves; they resume before DNS comes back).
   */
  functionsOf(site: RegionSite): RegionFunction[] {
    const [, partition, , , account] = site.clusterArn.split(":");
    const arn = (name: string) => `arn:${partition}:lambda:${site.region}:${account}:function:${name}`;
    return [
      ...(site.lambdaName ? [{ role: "api" as const, name: site.lambdaName, arn: arn(site.lambdaName) }] : []),
      ...(site.healthLambdaName ? [{ role: "health" as const, name: site.healthLambdaName, arn: arn(site.healthLambdaName) }] : []),
    ];
  }

  byClusterArn(arn: string | undefined): RegionSite | undefined {
    return this.sites.find((s) => s.clusterArn === arn);
  }
}
