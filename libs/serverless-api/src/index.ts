export { ServerlessApi, type ServerlessApiArgs } from "./serverless-api";
export { RegionalPaymentsApi, type RegionalPaymentsApiArgs } from "./regional-payments-api";
export { DatabaseMigration, type DatabaseMigrationArgs } from "./database-migration";
export { type CustomDomainArgs } from "./custom-domain";
export { METRICS_NAMESPACE, type DatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./environment";
export { LAMBDA_HANDLER, LAMBDA_RUNTIME, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "./vpc-function";
export { HEALTH_PATH, PAYMENT_ROUTES, type Route } from "./routes";
export {
  apiAccountOptions,
  deploymentOptions,
  methodSettingsOptions,
  migrationInvocationOptions,
  stageOptions,
  vpcFunctionOptions,
} from "./options";
