/** The CloudWatch namespaces of the services payments-dr watches (alarms and dashboards share them). */
export const NAMESPACE = {
  lambda: "AWS/Lambda",
  apiGateway: "AWS/ApiGateway",
  rds: "AWS/RDS",
  dynamodb: "AWS/DynamoDB",
  s3: "AWS/S3",
  route53: "AWS/Route53",
  acm: "AWS/CertificateManager",
} as const;

/** ACM publishes a certificate's DaysToExpiry once a day. */
export const DAY_SECONDS = 86_400;

export { ROUTE53_METRICS_REGION } from "@payments-dr/conventions";

/**
 * The dimension that narrows an Aurora instance metric (CPUUtilization, DatabaseConnections, …)
 * under `DBClusterIdentifier` to the writer. Under `DBClusterIdentifier` alone RDS aggregates the
 * metric over every instance of the cluster (Aurora User Guide, "Amazon CloudWatch dimensions for
 * Aurora"): an idle reader halves a saturated writer's average CPU. AWS asks alarms to use the
 * WRITER/READER role metrics ("Creating CloudWatch alarms to monitor Amazon Aurora"), which also
 * follow the writer when a failover moves it to another instance.
 */
export const AURORA_WRITER_ROLE = { Role: "WRITER" } as const;

/**
 * The period of alarms and widgets unless a spec sets its own (a metric published less often,
 * e.g. ACM's daily DaysToExpiry): one-minute datapoints, the finest standard resolution.
 */
export const PERIOD_SECONDS = 60;
