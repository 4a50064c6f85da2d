export { type ServerlessApiArgs } from "./api-args";
export { ServerlessApi } from "./serverless-api";
export { RegionalPaymentsApi, type RegionalPaymentsApiArgs } from "./regional-payments-api";
export { DatabaseMigration, type DatabaseMigrationArgs } from "./jobs/database-migration";
export { IdempotencyKeyCleanup, type IdempotencyKeyCleanupArgs } from "./jobs/idempotency-key-cleanup";
export { HealthProbe, type HealthProbeArgs } from "./jobs/health-probe";
export { type AuthorizerArgs } from "./rest-api/authorizer";
export { type CustomDomainArgs } from "./edge/custom-domain";
export { type ValidationRecord, type ValidationRecordOwnership } from "./edge/validation-record";
export { GATEWAY_PROBLEMS, gatewayResponseDefinition, type GatewayProblem } from "./rest-api/gateway-problems";
export { type DatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./functions/environment";
export { type Throttle } from "./rest-api/method-settings";
export { type MerchantLimits } from "./rest-api/usage-plan";
export {
  apiNetwork,
  functionNetwork,
  type ApiNetworkArgs,
  type FunctionCode,
  type FunctionNetworkArgs,
  type LogArgs,
  type PrivateNetwork,
} from "./functions/vpc-function";
export { type Route } from "./rest-api/route-table";
export { type WafSettings } from "./edge/web-acl";
