/** The engine of every cluster and instance of the global database. */
export const AURORA_ENGINE = "aurora-postgresql";

/** PostgreSQL's port, set on each member and written into the credentials secret. */
export const AURORA_PORT = 5432;

/** The logs each member cluster exports to CloudWatch Logs. */
export const CLUSTER_LOG_EXPORTS = ["postgresql"];

/** Performance Insights retention in days: the free tier. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;
