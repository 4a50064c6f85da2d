import { RefusedError } from "@payments-dr/cli-support";
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
    if (to === "primary") return this.home;
    if (to === "dr") return this.dr;
    const site = this.sites.find((s) => s.region === to);
    if (!site) throw new RefusedError(`${option} ${to} is not one of this deployment's regions (${this.home.region}, ${this.dr.region})`);
    return site;
  }

  other(site: RegionSite): RegionSite {
    return site === this.home ? this.dr : this.home;
  }

  byClusterArn(arn: string | undefined): RegionSite | undefined {
    return this.sites.find((s) => s.clusterArn === arn);
  }
}
