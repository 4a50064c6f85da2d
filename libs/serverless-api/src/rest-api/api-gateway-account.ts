import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { apiAccountOptions } from "../options";

/** API Gateway may assume the logging role: see {@link apiGatewayAccountLogging} for why without conditions. */
const API_GATEWAY_TRUST_POLICY: aws.iam.PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * The role API Gateway writes access and execution logs with. Without it, a stage with access
 * logs or a logging level fails with "CloudWatch Logs role ARN must be set in account settings".
 *
 * `aws.apigateway.Account` is a singleton of the account and region, not a resource of this
 * stack: every stack that manages it sets the one role of the region, and deleting it resets
 * the setting to no role at all (the provider's delete since Terraform's AWS provider 6, which
 * @pulumi/aws 7 is built on). Destroying any one of those stacks so leaves the others' stages
 * without logs, and API Gateway refuses their updates that set logging, until each is
 * refreshed and updated (a plain update sees nothing to change). One payments-dr regional
 * stack per account and region owns it.
 *
 * Its trust policy names the service alone, as AWS's own examples of this role do, without the
 * `aws:SourceAccount` condition the other roles carry: API Gateway is not documented to send that
 * key when it assumes this role, and it leaves it out for integration roles (a condition on it
 * then denies every assume). A denied assume fails the Account, and with it every stage (they
 * wait for it). The role holds AWS's managed AmazonAPIGatewayPushToCloudWatchLogs, the policy
 * API Gateway documents for it: it writes logs, and also reads them (`logs:GetLogEvents`,
 * `logs:FilterLogEvents` on every log group), so only API Gateway may assume it.
 */
export function apiGatewayAccountLogging(name: string, inputs: { namer: ResourceNamer; parent: pulumi.Resource }): aws.apigateway.Account {
  const { namer, parent } = inputs;
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts).partition;
  const role = new aws.iam.Role(
    `${name}-apigw-logs-role`,
    {
      name: namer.regional("iamRole", "apigw-logs"),
      assumeRolePolicy: JSON.stringify(API_GATEWAY_TRUST_POLICY),
    },
    opts,
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-apigw-logs-policy`,
    { role: role.name, policyArn: partition.apply((p) => `arn:${p}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`) },
    opts,
  );
  return new aws.apigateway.Account(`${name}-apigw-account`, { cloudwatchRoleArn: role.arn }, apiAccountOptions(parent, attachment));
}
