import type { PolicyContext } from "./model";

const NAMESPACE = "payments-dr";

/** Where the stack's identity comes from, besides its config. */
export interface StackIdentity {
  project?: string;
  stack?: string;
  /** The programs fall back to `ENVIRONMENT_SUFFIX` when the config has no suffix; so do the policies. */
  environmentSuffixVariable?: string;
}

/**
 * The policy context of a stack, from its config (`namespace:key` → string, as a synth plan and
 * the engine's `PULUMI_CONFIG` hold it), with the programs' own defaults.
 */
export function policyContext(config: Readonly<Record<string, string>>, identity: StackIdentity = {}): PolicyContext {
  const value = (key: string): string | undefined => config[`${NAMESPACE}:${key}`];
  return {
    environmentSuffix: value("environmentSuffix") || identity.environmentSuffixVariable || "dev",
    primaryRegion: value("primaryRegion") ?? "us-east-1",
    drRegion: value("drRegion") ?? "us-east-2",
    deletionProtection: flag(value("deletionProtection"), false),
    skipFinalSnapshot: flag(value("skipFinalSnapshot"), true),
    project: identity.project,
    stack: identity.stack,
  };
}

function flag(raw: string | undefined, fallback: boolean): boolean {
  return raw === undefined ? fallback : raw.trim().toLowerCase() === "true";
}
