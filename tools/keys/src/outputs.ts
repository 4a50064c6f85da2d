import { readStackOutputs, type StackOutputsSource } from "@payments-dr/cli-support";
import type { DrRegionOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions/values";

/** The outputs the keys CLI reads from the two regional stacks. */
export interface KeysOutputs {
  primary: Pick<PrimaryRegionOutputs, "region" | "apiId" | "apiStage" | "apiName" | "usagePlanId" | "apiKeysTableName">;
  dr: Pick<DrRegionOutputs, "region" | "apiId" | "apiStage" | "apiName" | "usagePlanId">;
}

/** The two regional stacks' outputs; every field is required: a missing one is a clear refusal rather than a call with `undefined`. */
export function readOutputs(source: StackOutputsSource): Promise<KeysOutputs> {
  return readStackOutputs<KeysOutputs>({
    ...source,
    apps: { primary: "primary-region", dr: "dr-region" },
    required: {
      primary: ["region", "apiId", "apiStage", "apiName", "usagePlanId", "apiKeysTableName"],
      dr: ["region", "apiId", "apiStage", "apiName", "usagePlanId"],
    },
  });
}
