import type { DrRegionOutputs, GlobalOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions/values";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";

export const HOME = "us-east-1";
export const DR = "us-east-2";

/** The stacks' outputs of the synth fixtures, as `dr` reads them. */
export const outputs = { primary: primaryRegionOutputs, dr: drRegionOutputs, global: globalOutputs(primaryRegionOutputs, drRegionOutputs) };

/** The global stack's outputs for the synth fixtures' regions. */
function globalOutputs(primary: PrimaryRegionOutputs, dr: DrRegionOutputs): GlobalOutputs {
  return {
    createTimeConfig: { environmentSuffix: "dev", primaryRegion: primary.region, drRegion: dr.region },
    dnsFailover: "disabled: set payments-dr:domainName to enable DNS failover",
    primaryHealthCheckId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    drHealthCheckId: "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
    dashboardName: "payments-dr-dashboard-dev",
    replicationRuleId: "payments-dr-replicate-all",
    primaryRegion: primary.region,
    drRegion: dr.region,
    globalClusterId: primary.globalClusterId,
    primaryClusterArn: primary.clusterArn,
    drClusterArn: dr.clusterArn,
    primaryBucketName: primary.bucketName,
    drBucketName: dr.bucketName,
    sessionsTableName: primary.sessionsTableName,
  };
}
