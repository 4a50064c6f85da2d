import { CONFIG_NAMESPACE, ConfigError } from "./errors";

/** The stack output that records the config values a stack was first deployed with. */
export const CREATE_TIME_CONFIG_OUTPUT = "createTimeConfig";

/** Config values that a deployed stack cannot take another value of, by key. */
export type CreateTimeConfig = Record<string, string>;

/** Why each value is fixed once the stack is deployed. */
const CONSEQUENCE: Record<string, string> = {
  environmentSuffix:
    "it is in every physical name, so every named resource would be replaced: new, empty databases, tables, buckets and secrets, and the old ones deleted",
  primaryRegion: "every resource of the old region would be created anew in the new one, empty, and the old ones deleted",
  drRegion: "every resource of the old region would be created anew in the new one, empty, and the old ones deleted",
  vpcCidr: "a VPC's range cannot change in place: its replacement fails half-way while the database's network interfaces hold the old subnets",
};

/**
 * Refuses, before any resource changes, a config value that differs from the one the stack was
 * deployed with (its `createTimeConfig` output). Nothing to compare on a first deploy, or for a
 * stack deployed before that output existed.
 */
export function checkCreateTimeConfig(deployed: unknown, current: CreateTimeConfig, stack: string): void {
  if (typeof deployed !== "object" || deployed === null) return;
  const before = deployed as Record<string, unknown>;
  for (const [key, value] of Object.entries(current)) {
    const was = before[key];
    if (typeof was !== "string" || was === value) continue;
    const fallback = key === "environmentSuffix" ? " (the ENVIRONMENT_SUFFIX variable is only the default when the stack's config has none)" : "";
    throw new ConfigError(
      key,
      `stack ${stack} was deployed with "${was}", and "${value}" cannot be applied to it: ${CONSEQUENCE[key] ?? "it is fixed at the first deploy"}. ` +
        `Set ${CONFIG_NAMESPACE}:${key} to "${was}" in Pulumi.${stack}.yaml${fallback}, or deploy "${value}" as a new stack.`,
    );
  }
}
