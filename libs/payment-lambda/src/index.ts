// The public surface for the stacks that deploy the functions. Nothing here loads pg, the AWS
// SDK or Powertools: a Pulumi program imports it to find the bundles and hash the migrations.
export type { PaymentLambdaEnvironment } from "./config/environment";
export { migrationsHash } from "./migrations/files";
export { artifactPath, PAYMENT_LAMBDA_ARTIFACTS } from "./artifacts";
export { HANDLED_ROUTES } from "./http/router";
export { PROBLEM_TYPE_BASE, RETRY_AFTER_SECONDS } from "./http/problems";
export { CLEANUP_BACKLOG_METRIC, DATABASE_BUDGET_MS, METRICS_NAMESPACE, MIN_TIMEOUT_MS } from "./config/contract";
export { MIGRATE_RUN_BUDGET_MS, MIGRATE_SETUP_MARGIN_MS } from "./migrations/contract";
export { HEALTH_CACHE_TTL_MS, ROUTE53_CHECK_MAX_MS, ROUTE53_CHECK_TIMEOUTS_MS } from "./health/contract";
export { PRIMARY_PROBE_TARGET, PROBE_METRIC, PROBE_PUBLISH_BUDGET_MS, PROBE_SCHEDULE_PERIOD_MS } from "./probe/contract";
export { PAYMENT_SESSION_PREFIX, SESSION_KEY_ATTRIBUTE, SESSION_TTL_ATTRIBUTE, sessionId } from "./sessions/session-key";
