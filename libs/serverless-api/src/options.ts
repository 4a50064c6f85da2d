import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Options of a function: it waits for
 * - its log group, so the first invocation logs into the encrypted group with retention
 *   instead of one Lambda would create unencrypted and keep forever;
 * - its access policy, because Lambda checks at creation that the role can create network
 *   interfaces ("The provided execution role does not have permissions to call
 *   CreateNetworkInterface on EC2"), and the first cold start reads the secret.
 */
export function vpcFunctionOptions(parent: pulumi.Resource, waitFor: { logGroup: aws.cloudwatch.LogGroup; accessPolicy: aws.iam.RolePolicy }): pulumi.CustomResourceOptions {
  return { parent, dependsOn: [waitFor.logGroup, waitFor.accessPolicy] };
}

/** API Gateway checks the logging role's permissions when the account setting is made. */
export function apiAccountOptions(parent: pulumi.Resource, rolePolicy: aws.iam.RolePolicyAttachment): pulumi.CustomResourceOptions {
  return { parent, dependsOn: [rolePolicy] };
}

/**
 * Options of the deployment:
 * - it waits for everything it snapshots: every method and integration (deploying an API with
 *   a method that has no integration yet fails: "No integration defined for method"), the
 *   authorizer and the gateway responses (they reach clients only through a deployment);
 * - a change to any of them replaces it (its `triggers`), and the replacement is created
 *   before the old one is deleted, so the stage moves to the new deployment and never points
 *   at a deleted one.
 */
export function deploymentOptions(parent: pulumi.Resource, snapshotted: pulumi.Resource[]): pulumi.CustomResourceOptions {
  return { parent, dependsOn: snapshotted, deleteBeforeReplace: false };
}

/** A stage with access logs needs the account's CloudWatch Logs role first. */
export function stageOptions(parent: pulumi.Resource, account: aws.apigateway.Account): pulumi.CustomResourceOptions {
  return { parent, dependsOn: [account] };
}

/**
 * Execution logging needs the account's CloudWatch Logs role, and its log group must exist
 * first, or API Gateway creates it unencrypted and without retention. Method settings of one
 * stage are changed one after the other (`after`): each is an update of the stage, and API
 * Gateway rejects concurrent updates of a stage with a ConflictException.
 */
export function methodSettingsOptions(
  parent: pulumi.Resource,
  waitFor: { account: aws.apigateway.Account; executionLogGroup: aws.cloudwatch.LogGroup; after?: aws.apigateway.MethodSettings },
): pulumi.CustomResourceOptions {
  return { parent, dependsOn: [waitFor.account, waitFor.executionLogGroup, ...(waitFor.after ? [waitFor.after] : [])] };
}

/**
 * The migration runs only once the database can take it: the writer endpoint exists before
 * any instance serves it, so the caller names what to wait for (e.g. the writer instance).
 */
export function migrationInvocationOptions(parent: pulumi.Resource, runAfter: pulumi.Resource[]): pulumi.CustomResourceOptions {
  return runAfter.length > 0 ? { parent, dependsOn: runAfter } : { parent };
}

/**
 * The schedule waits for its role's permission to invoke the function (EventBridge Scheduler
 * checks the role when it creates the schedule, and a first run without it fails unseen) and for
 * the function's no-retry setting (a first run before it would get Lambda's two retries).
 */
export function functionScheduleOptions(parent: pulumi.Resource, dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions {
  return { parent, dependsOn };
}
