import { ConfigError } from "./errors";

/** The Pulumi projects of payments-dr, one per app (`apps/<project>`). */
export const STACK_PROJECTS = ["primary-region", "dr-region", "global"] as const;
export type StackProject = (typeof STACK_PROJECTS)[number];

const EVERY_STACK: readonly StackProject[] = STACK_PROJECTS;
/** The regional stacks read the same settings; the DR stack reads the primary's own to refuse them, with why. */
const REGIONAL: readonly StackProject[] = ["primary-region", "dr-region"];

/**
 * Every `payments-dr:` setting, and the stacks that read it (README, Configuration). A setting
 * a stack does not read fails its preview, naming it: a misspelt `deletionProtecton` would
 * otherwise leave a production database unprotected without a word, and a setting put on the
 * wrong stack would change nothing. ConfigReader refuses to read a setting missing here, so a
 * new one cannot be left out.
 */
export const CONFIG_KEYS: Readonly<Record<string, readonly StackProject[]>> = {
  environmentSuffix: EVERY_STACK,
  primaryRegion: EVERY_STACK,
  drRegion: EVERY_STACK,
  primaryStack: EVERY_STACK,
  drStack: EVERY_STACK,
  skipFinalSnapshot: EVERY_STACK,
  deletionProtection: EVERY_STACK,
  logRetentionDays: EVERY_STACK,
  domainName: EVERY_STACK,
  hostedZoneId: EVERY_STACK,
  alertEmail: EVERY_STACK,
  alarmThresholds: EVERY_STACK,
  vpcCidr: REGIONAL,
  dbInstanceClass: REGIONAL,
  dbInstanceCount: REGIONAL,
  dbMaxConnections: REGIONAL,
  backupRetentionDays: REGIONAL,
  managedRpoSeconds: REGIONAL,
  masterPasswordRotation: REGIONAL,
  appPasswordRotation: REGIONAL,
  healthPasswordRotation: REGIONAL,
  dbConnectionSharePercent: REGIONAL,
  apiReservedConcurrency: REGIONAL,
  healthReservedConcurrency: REGIONAL,
  apiMemoryMb: REGIONAL,
  apiTimeoutSeconds: REGIONAL,
  apiThrottleRateLimit: REGIONAL,
  apiThrottleBurstLimit: REGIONAL,
  authorizerCacheTtlSeconds: REGIONAL,
  merchantRateLimit: REGIONAL,
  merchantBurstLimit: REGIONAL,
  merchantDailyQuota: REGIONAL,
  healthThrottleRateLimit: REGIONAL,
  healthThrottleBurstLimit: REGIONAL,
  wafRateLimitPer5Min: REGIONAL,
  wafHealthRateLimitPer5Min: REGIONAL,
  wafMaxBodyBytes: REGIONAL,
  wafRequireHealthCheckToken: REGIONAL,
  auroraEngineVersion: REGIONAL,
  validationRecordMigration: ["dr-region"],
  drBelowPrimary: ["dr-region"],
  regionSwitchPlan: ["global"],
};

/** One of the payments-dr projects, or undefined for any other program (a test's). */
export function stackProject(project: string): StackProject | undefined {
  return (STACK_PROJECTS as readonly string[]).includes(project) ? (project as StackProject) : undefined;
}

/** Whether `project` reads `key`: always outside the payments-dr projects (a test's program). */
export function readsSetting(project: string, key: string): boolean {
  const known = stackProject(project);
  return known === undefined || (CONFIG_KEYS[key]?.includes(known) ?? false);
}

/**
 * Refuses the first `payments-dr:` setting (short keys) that `project` does not read: misspelt
 * (with the nearest setting it does read) or meant for another stack (with which).
 */
export function refuseUnknownSettings(project: string, keys: string[]): void {
  const known = stackProject(project);
  if (known === undefined) return;
  for (const key of keys) {
    if (readsSetting(known, key)) continue;
    const owners = CONFIG_KEYS[key];
    if (owners) throw new ConfigError(key, `is a setting of the ${owners.join(" and ")} stack${owners.length > 1 ? "s" : ""}, and this ${known} stack does not read it. Remove it from this stack's config.`);
    const nearest = nearestSetting(key, known);
    throw new ConfigError(key, `is not a setting of the ${known} stack${nearest ? ` (did you mean ${nearest}?)` : ""}; see the README's Configuration table. Remove or rename it.`);
  }
}

/** The setting of `project` nearest to `key` in edits, when a typo can explain the difference (at most 3 edits). */
function nearestSetting(key: string, project: StackProject): string | undefined {
  const candidates = Object.keys(CONFIG_KEYS).filter((name) => readsSetting(project, name));
  const scored = candidates.map((name) => [name, editDistance(key.toLowerCase(), name.toLowerCase())] as const).sort((a, b) => a[1] - b[1]);
  return scored[0] && scored[0][1] <= 3 ? scored[0][0] : undefined;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
