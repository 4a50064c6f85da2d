import { readStackOutputs, type StackOutputsSource } from "@payments-dr/cli-support";
import type { DrRegionOutputs, GlobalOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions/values";

/** The three stacks' outputs, as `pulumi stack output --json` prints them. */
export interface StackOutputsSet {
  primary: PrimaryRegionOutputs;
  dr: DrRegionOutputs;
  global: GlobalOutputs;
}

/** The three stacks' outputs; a field every command relies on is required, so a missing one is a clear refusal rather than an `undefined` ARN. */
export function readOutputs(source: StackOutputsSource): Promise<StackOutputsSet> {
  return readStackOutputs<StackOutputsSet>({
    ...source,
    apps: { primary: "primary-region", dr: "dr-region", global: "global" },
    required: {
      primary: ["region", "globalClusterId", "clusterArn", "clusterIdentifier", "healthUrl", "apiUrl", "sessionsTableName", "apiKeysTableName", "bucketName"],
      dr: ["region", "clusterArn", "clusterIdentifier", "healthUrl", "apiUrl", "bucketName"],
      global: ["primaryHealthCheckId", "drHealthCheckId"],
    },
  });
}
