import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { definitionHash } from "./definition-hash";
import { GATEWAY_PROBLEMS, gatewayResponseDefinition } from "./gateway-problems";

/** The gateway responses of an API, and the hash that redeploys it when they change. */
export interface CreatedGatewayResponses {
  /** The deployment must wait for them: it snapshots them. */
  resources: aws.apigateway.Response[];
  hash: string;
}

/** Creates the gateway response of each of {@link GATEWAY_PROBLEMS} on `api`. */
export function createGatewayResponses(name: string, inputs: { api: aws.apigateway.RestApi; parent: pulumi.Resource }): CreatedGatewayResponses {
  const definitions = GATEWAY_PROBLEMS.map(gatewayResponseDefinition);
  const resources = definitions.map(
    (definition) =>
      new aws.apigateway.Response(
        `${name}-response-${definition.responseType.toLowerCase().replace(/_/g, "-")}`,
        { restApiId: inputs.api.id, ...definition },
        { parent: inputs.parent },
      ),
  );
  return { resources, hash: definitionHash(definitions) };
}
