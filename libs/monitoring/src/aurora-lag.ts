// The Aurora global database lag, as data: no Pulumi here, so the DR CLI (tools/dr) reads the
// lag with the very query the alarms and the dashboard use.

/**
 * The Aurora global database lag that alarms, graphs and the DR CLI watch: for Aurora PostgreSQL,
 * how far a secondary is behind for user transactions (ms), which is what a failover would lose.
 * AWS's switchover/failover guide names it for every Aurora PostgreSQL global database;
 * AuroraGlobalDBReplicationLag is the older measure (storage, Aurora MySQL's before 3.04/2.12).
 */
export const AURORA_RPO_LAG_METRIC = "AuroraGlobalDBRPOLag";

/** What RDS accepts as a DB cluster identifier (lowercased): nothing that could end the query's string. */
const CLUSTER_IDENTIFIER = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The highest {@link AURORA_RPO_LAG_METRIC} of one cluster, as a CloudWatch Metrics Insights
 * query. AWS documents the metric without its dimensions: published with `SourceRegion` beside
 * `DBClusterIdentifier` (Aurora's dimensions list `SourceRegion`; AWS's own global-database lab
 * finds the lag under it), a metric query on `DBClusterIdentifier` alone would match nothing,
 * leaving the DR alarm in ALARM, `dr preflight` refusing every switchover and the primary's
 * alarm silent. `FROM "AWS/RDS"` without `SCHEMA(…)` takes every dimension set that carries the
 * cluster's identifier ("Metrics Insights query components and syntax"), so the query holds
 * whichever way Aurora publishes it; alarms on such a query are CloudWatch's Metrics Insights alarms.
 */
export function auroraRpoLagQuery(clusterIdentifier: string): string {
  if (!CLUSTER_IDENTIFIER.test(clusterIdentifier)) throw new Error(`"${clusterIdentifier}" is not an Aurora DB cluster identifier (${CLUSTER_IDENTIFIER.source})`);
  return `SELECT MAX(${AURORA_RPO_LAG_METRIC}) FROM "AWS/RDS" WHERE DBClusterIdentifier = '${clusterIdentifier}'`;
}
