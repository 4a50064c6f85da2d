// The cross-region layer. It reads both regional stacks through typed StackReferences; the
// resources that span regions (Route 53 failover, S3 replication, dashboards) build on these.
import {
  loadStackConfig,
  UpstreamStack,
  type DrRegionOutputs,
  type GlobalOutputs,
  type PrimaryRegionOutputs,
  type StackOutputs,
} from "@payments-dr/conventions";

// Config: validated before anything is read.
const config = loadStackConfig();

// Upstream stacks, deployed before this one (nx: implicitDependencies + deploy → ^deploy).
const primary = new UpstreamStack<PrimaryRegionOutputs>("primary-region", config.primaryStack);
const dr = new UpstreamStack<DrRegionOutputs>("dr-region", config.drStack);

const outputs: StackOutputs<GlobalOutputs> = {
  primaryRegion: primary.output("region"),
  drRegion: dr.output("region"),
  globalClusterId: primary.output("globalClusterId"),
  primaryClusterArn: primary.output("clusterArn"),
  drClusterArn: dr.output("clusterArn"),
  primaryBucketName: primary.output("bucketName"),
  drBucketName: dr.output("bucketName"),
  sessionsTableName: primary.output("sessionsTableName"),
};
export = outputs;
