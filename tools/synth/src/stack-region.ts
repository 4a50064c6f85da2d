import * as aws from "@pulumi/aws";
import { regionProviderArgs, ResourceNamer, stackTags, type RegionScope } from "@payments-dr/conventions";

/** The stack a test's program plays: its project, stack name and environment suffix. */
export interface TestStack {
  project: string;
  environmentSuffix: string;
  /** @default "dev" */
  stack?: string;
}

/**
 * One region of `stack` inside a test's program, as an app gets it from StackContext.region: an
 * explicit provider carrying the stack's tags, and the region's namer. `providerName` is the
 * provider's logical name (@default the region, as StackContext names it).
 */
export function stackRegion(region: string, stack: TestStack, providerName: string = region): RegionScope {
  const tags = stackTags({ project: stack.project, stack: stack.stack ?? "dev", environmentSuffix: stack.environmentSuffix });
  return {
    region,
    provider: new aws.Provider(providerName, regionProviderArgs(region, tags)),
    namer: new ResourceNamer({ environmentSuffix: stack.environmentSuffix, region }),
  };
}
