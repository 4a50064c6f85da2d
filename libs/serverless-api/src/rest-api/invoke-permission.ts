import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Lets API Gateway invoke `fn`, from `sourceArn` only (this API's stage, route or authorizers:
 * `<execution ARN>/<stage>/<method>/<path>` or `<execution ARN>/authorizers/<id>`).
 */
export function allowApiGatewayInvoke(name: string, fn: aws.lambda.Function, sourceArn: pulumi.Input<string>, parent: pulumi.Resource): aws.lambda.Permission {
  return new aws.lambda.Permission(name, { function: fn.name, action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", sourceArn }, { parent });
}
