import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Arguments of the explicit provider for one region: every resource names its region
 * through its provider (never the ambient AWS_REGION), and carries the stack's tags
 * through `defaultTags`.
 */
export function regionProviderArgs(region: string, tags: Record<string, pulumi.Input<string>>): aws.ProviderArgs {
  return { region, defaultTags: { tags } };
}
