export { type ServerlessApiArgs } from "./api-args";
export { ServerlessApi } from "./serverless-api";
export { RegionalPaymentsApi, type RegionalPaymentsApiArgs } from "./regional-payments-api";
export { DatabaseMigration, type DatabaseMigrationArgs } from "./database-migration";
export { IdempotencyKeyCleanup, type IdempotencyKeyCleanupArgs } from "./idempotency-key-cleanup";
export { HealthProbe, type HealthProbeArgs } from "./health-probe";
export { type AuthorizerArgs } from "./authorizer";
export { type CustomDomainArgs } from "./custom-domain";
export { type ValidationRecord, type ValidationRecordOwnership } from "./validation-record";
export { GATEWAY_PROBLEMS, gatewayResponseDefinition, type GatewayProblem } from "./gateway-problems";
export { type DatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./environment";
export { type Throttle } from "./method-settings";
export { type MerchantLimits } from "./usage-plan";
export {
  apiNetwork,
  functionNetwork,
  LAMBDA_HANDLER,
  LAMBDA_RUNTIME,
  type ApiNetworkArgs,
  type FunctionCode,
  type FunctionNetworkArgs,
  type LogArgs,
  type PrivateNetwork,
} from "./vpc-function";
export { HEALTH_PATH, PAYMENT_ROUTES, type Route } from "./route-table";
export { type WafSettings } from "./web-acl";
export {
  apiAccountOptions,
  deploymentOptions,
  functionScheduleOptions,
  methodSettingsOptions,
  migrationInvocationOptions,
  stageOptions,
  vpcFunctionOptions,
} from "./options";
