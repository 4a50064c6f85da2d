import { ConfigReader } from "./config-reader";
import { ConfigError } from "./errors";
import { StackConfig } from "./config";
import { MANAGED_RPO_MIN_SECONDS, RECOVERY_TARGETS } from "./recovery";

/** Which side of the active-passive pair a regional stack is. */
export type RegionRole = "primary" | "dr";

/** Config that only the regional stacks read (keys under `payments-dr:`). */
export interface RegionalConfig {
  role: RegionRole;
  /** The region this stack deploys into: `primaryRegion` or `drRegion`. */
  region: string;
  /** IPv4 range of this region's VPC. @default "10.0.0.0/16" (primary), "10.1.0.0/16" (DR) */
  vpcCidr: string;
  database: {
    /** Aurora PostgreSQL version, pinned on the global cluster (primary stack only). @default "16.6" */
    engineVersion: string;
    /** r-class instance class of every cluster instance. @default "db.r6g.large" */
    instanceClass: string;
    /**
     * Instances in this region's cluster: the primary's first is the writer. At most
     * {@link MAX_CLUSTER_INSTANCES}. @default 2 (primary), 1 (DR)
     */
    instanceCount: number;
    /** @default 7 */
    backupRetentionDays: number;
    /**
     * `rds.global_db_rpo` in seconds; unset leaves it off. Aurora then blocks commits on the
     * primary whenever every secondary lags more than this, trading availability for a hard
     * bound on data loss. 20 (Aurora's minimum) to the promised RPO (60): a looser bound would
     * not keep the promise. Primary-region stack only (see {@link loadRegionalConfig}).
     * @default undefined (off)
     */
    managedRpoSeconds?: number;
    /**
     * A label for each generated password (`masterPasswordRotation`, `appPasswordRotation`,
     * `healthPasswordRotation`: any text, e.g. the month): a new label makes a new password, i.e.
     * rotates it on the next `up`. Primary-region stack only, where the passwords are made.
     * @default {} (kept as generated)
     */
    passwordRotations: { master?: string; app?: string; health?: string };
  };
}

/** A password rotation label: short, and plain enough to read in a config file and a diff. */
const ROTATION_LABEL = /^[A-Za-z0-9._:-]{1,64}$/;

/** The Aurora PostgreSQL version the global cluster pins unless `auroraEngineVersion` says otherwise. */
const DEFAULT_ENGINE_VERSION = "16.6";

/** The instance class of both regions' clusters unless `dbInstanceClass` says otherwise. */
export const DEFAULT_INSTANCE_CLASS = "db.r6g.large";

/**
 * An r-class (memory-optimised) instance class that Aurora PostgreSQL still offers: Aurora global
 * databases support no other (no burstable t-class). db.r3 and db.r4 are retired (db.r4 ran only
 * Aurora PostgreSQL 11 and lower), and of the fifth generation Aurora has plain db.r5 only (db.r5b,
 * db.r5d, db.r5n are RDS classes): CreateDBInstance rejects them for aurora-postgresql 16 with
 * InvalidParameterCombination, after the cluster exists. From db.r6 on, Graviton (g) or Intel (i),
 * each optionally with local NVMe (d): Aurora offers no AMD (a) or network-optimised (n) r-class.
 */
export const R_CLASS_INSTANCE = /^db\.(r5|r(?:[6-9]|\d{2,})[gi]d?)\.[a-z0-9]+$/;

/**
 * Instances a member cluster of the global database may have: its writer and 14 readers. Aurora
 * gives the primary cluster of a global database 15 readers less one per secondary region (with
 * our one secondary, 14), and refuses the instance beyond them when it is created, after the
 * clusters exist. A secondary may hold 16, but either cluster becomes the primary on a switchover
 * or failover, so both keep to the primary's limit.
 */
export const MAX_CLUSTER_INSTANCES = 15;

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const DEFAULT_CIDR: Record<RegionRole, string> = { primary: "10.0.0.0/16", dr: "10.1.0.0/16" };
const DEFAULT_INSTANCE_COUNT: Record<RegionRole, number> = { primary: 2, dr: 1 };

/** Reads and validates the config of the primary-region or dr-region stack. */
export function loadRegionalConfig(
  role: RegionRole,
  shared: StackConfig,
  reader: ConfigReader = new ConfigReader(),
): RegionalConfig {
  const vpcCidr = reader.string("vpcCidr", { default: DEFAULT_CIDR[role] });
  checkCidr(vpcCidr);
  const minInstances = role === "primary" ? 2 : 1;
  const managedRpoSeconds = reader.integer("managedRpoSeconds", { min: MANAGED_RPO_MIN_SECONDS, max: RECOVERY_TARGETS.rpoSeconds });
  // AWS's advice for a two-region global database: keep rds.global_db_rpo at its default in the
  // secondary's parameter group. Once a failover made it the primary, no secondary is left to keep
  // within the bound, and Aurora pauses every commit until the old region is rebuilt (hours).
  if (role === "dr" && managedRpoSeconds !== undefined) {
    throw new ConfigError(
      "managedRpoSeconds",
      "is for the primary-region stack only: set in the DR region, it would pause every commit there after a failover (no secondary left to keep within it) until the primary region is back. Remove it from this stack's config.",
    );
  }
  const rotation = (key: string) => reader.string(key, { pattern: ROTATION_LABEL, hint: "1 to 64 letters, digits, '.', '_', ':' or '-', e.g. 2026-12" });
  const passwordRotations = { master: rotation("masterPasswordRotation"), app: rotation("appPasswordRotation"), health: rotation("healthPasswordRotation") };
  for (const [key, value] of [
    ["masterPasswordRotation", passwordRotations.master],
    ["appPasswordRotation", passwordRotations.app],
    ["healthPasswordRotation", passwordRotations.health],
  ] as const) {
    if (role === "dr" && value !== undefined) {
      throw new ConfigError(key, "is for the primary-region stack only, which makes the database passwords and replicates their secrets here. Remove it from this stack's config.");
    }
  }
  const engineVersion = reader.string("auroraEngineVersion", { pattern: /^\d+\.\d+$/, hint: "must be an Aurora PostgreSQL version such as 16.6" });
  if (role === "dr" && engineVersion !== undefined) {
    throw new ConfigError(
      "auroraEngineVersion",
      "is for the primary-region stack only: the DR cluster joins the global database at the version the primary stack pins (its engineVersion output). Remove it from this stack's config.",
    );
  }
  return {
    role,
    region: role === "primary" ? shared.primaryRegion : shared.drRegion,
    vpcCidr,
    database: {
      engineVersion: engineVersion ?? DEFAULT_ENGINE_VERSION,
      instanceClass: reader.string("dbInstanceClass", {
        default: DEFAULT_INSTANCE_CLASS,
        pattern: R_CLASS_INSTANCE,
        hint: "must be an r-class instance Aurora PostgreSQL offers (e.g. db.r6g.large; db.r5, or from db.r6 on a g, gd, i or id family): Aurora global databases need memory-optimised instances",
      }),
      instanceCount: reader.integer("dbInstanceCount", { default: DEFAULT_INSTANCE_COUNT[role], min: minInstances, max: MAX_CLUSTER_INSTANCES }),
      backupRetentionDays: reader.integer("backupRetentionDays", { default: 7, min: 7, max: 35 }),
      managedRpoSeconds,
      passwordRotations: Object.fromEntries(Object.entries(passwordRotations).filter(([, value]) => value !== undefined)),
    },
  };
}

function checkCidr(cidr: string): void {
  const match = CIDR_PATTERN.exec(cidr);
  const octetsOk = match?.slice(1, 5).every((octet) => Number(octet) <= 255);
  const prefix = Number(match?.[5]);
  if (!match || !octetsOk || prefix < 16 || prefix > 22) {
    throw new ConfigError("vpcCidr", `"${cidr}" is not valid: use an IPv4 CIDR between /16 and /22, e.g. 10.0.0.0/16.`);
  }
}
