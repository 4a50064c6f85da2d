import type { CheckedResource } from "../model";
import { isSet, list } from "../values";

const CLUSTER = "aws:rds/cluster:Cluster";

/** Days of automated backups a cluster keeps, at least. */
const MIN_BACKUP_RETENTION_DAYS = 7;

/** What a member of a global cluster must leave to operators (DESIGN §5, §7, §10). */
const MEMBER_IGNORE_CHANGES: readonly string[] = ["globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion"];

/** A secondary takes its credentials and database from the primary through replication. */
const PRIMARY_ONLY_INPUTS = ["masterUsername", "masterPassword", "manageMasterUserPassword", "databaseName"];

/** Point-in-time restore needs a week of automated backups (the provider's default is 1 day). */
export function auroraBackupRetention(resource: CheckedResource): string[] {
  if (resource.type !== CLUSTER) return [];
  const days = resource.inputs.backupRetentionPeriod;
  return typeof days === "number" && days >= MIN_BACKUP_RETENTION_DAYS ? [] : [`backupRetentionPeriod is ${days ?? "unset (1 day)"}, below ${MIN_BACKUP_RETENTION_DAYS} days`];
}

/** PostgreSQL logs go to CloudWatch, where alarms and investigations read them. */
export function auroraLogExports(resource: CheckedResource): string[] {
  if (resource.type !== CLUSTER || !String(resource.inputs.engine ?? "").startsWith("aurora-postgresql")) return [];
  return list(resource.inputs.enabledCloudwatchLogsExports).includes("postgresql") ? [] : ['enabledCloudwatchLogsExports does not include "postgresql"'];
}

/**
 * Members of a global cluster follow DESIGN §5: Pulumi never undoes an operator's switchover or
 * failover, nor fights the global cluster's engine upgrades; a secondary carries no credentials
 * and, when encrypted, names its own region's key and its source region.
 */
export function auroraGlobalMember(resource: CheckedResource): string[] {
  if (resource.type !== CLUSTER || !isSet(resource.inputs.globalClusterIdentifier)) return [];
  const inputs = resource.inputs;
  const problems: string[] = [];
  const ignored = resource.options.ignoreChanges ?? [];
  const missing = MEMBER_IGNORE_CHANGES.filter((property) => !ignored.includes(property));
  if (missing.length > 0) problems.push(`ignoreChanges lacks ${missing.join(", ")}: a routine update would detach, promote or downgrade the member`);
  const secondary = isSet(inputs.sourceRegion) || !isSet(inputs.masterUsername);
  if (secondary) {
    const set = PRIMARY_ONLY_INPUTS.filter((input) => inputs[input] !== undefined && inputs[input] !== null && inputs[input] !== false);
    if (set.length > 0) problems.push(`secondary sets ${set.join(", ")} (InvalidParameterCombination: it inherits them from the primary)`);
    if (inputs.storageEncrypted === true && !(isSet(inputs.kmsKeyId) && isSet(inputs.sourceRegion))) {
      problems.push("encrypted secondary without kmsKeyId and sourceRegion (its pre-signed URL fails)");
    }
  }
  return problems;
}

/** Advisory: Performance Insights on every instance, for diagnosing a slow writer during an incident. */
export function auroraPerformanceInsights(resource: CheckedResource): string[] {
  if (resource.type !== "aws:rds/clusterInstance:ClusterInstance") return [];
  return resource.inputs.performanceInsightsEnabled === true ? [] : ["performanceInsightsEnabled is not true"];
}
