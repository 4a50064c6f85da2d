import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { definitionHash } from "./definition-hash";
import { HEALTH_PATH } from "@payments-dr/conventions/values";
import type { Route } from "./route-table";

/**
 * A route's key in a stage's method settings: its resource path with every `/` written `~1`, the
 * leading one included, then its method (`~1health/GET`, `~1payments~1{id}/GET`), as API Gateway
 * keys them (AWS CLI `update-stage` example, CloudFormation `MethodSetting.ResourcePath`). The
 * provider sends the key as given; `health/GET` (the provider docs' "trim the leading slash") is
 * stored, but names no resource, so the stage-wide settings would stay in force for the method.
 */
export function methodSettingsPath(route: Route): string {
  return `${route.path.replace(/\//g, "~1")}/${route.httpMethod}`;
}

/** What a route's method and integration are made of: the deployment is redeployed when any of it changes. */
export interface RouteDefinition extends Route {
  authorization: "NONE" | "CUSTOM";
  /** The Lambda authorizer, on merchant routes only. */
  authorizerId?: string;
  /** Merchant routes count against the merchant's usage plan key, which the authorizer returns. */
  apiKeyRequired: boolean;
  integration: { type: "AWS_PROXY"; integrationHttpMethod: "POST"; uri: string };
}

/** What the routes are integrated with: the API function, the health function (`/health` only) and the authorizer. */
export interface RouteTargets {
  functionInvokeArn: string;
  healthFunctionInvokeArn: string;
  authorizerId: string;
}

/** How each route is authorized and integrated: the one place a route's method is defined. */
export function routeDefinitions(routes: readonly Route[], targets: RouteTargets): RouteDefinition[] {
  return routes.map((route) => ({
    ...route,
    ...(route.caller === "merchant"
      ? { authorization: "CUSTOM" as const, authorizerId: targets.authorizerId, apiKeyRequired: true }
      : { authorization: "NONE" as const, apiKeyRequired: false }),
    // Lambda is always invoked with POST, whatever the client's method.
    integration: { type: "AWS_PROXY", integrationHttpMethod: "POST", uri: route.path === HEALTH_PATH ? targets.healthFunctionInvokeArn : targets.functionInvokeArn },
  }));
}

/** `/payments/{id}` → `payments-id`, for logical names. */
function pathSlug(path: string): string {
  return path.replace(/[{}]/g, "").split("/").filter(Boolean).join("-");
}

/** The API's methods and integrations, and the hash that redeploys it when they change. */
export interface CreatedRoutes {
  /** Everything the deployment must wait for: a deployment of an API without them fails. */
  resources: pulumi.Resource[];
  hash: pulumi.Output<string>;
}

/** Creates the resource tree, methods and proxy integrations of `routes` on `api`. */
export function createRoutes(
  name: string,
  inputs: {
    api: aws.apigateway.RestApi;
    routes: readonly Route[];
    targets: pulumi.Output<RouteTargets>;
    parent: pulumi.Resource;
  },
): CreatedRoutes {
  const { api, routes, parent } = inputs;
  const definitions = inputs.targets.apply((targets) => routeDefinitions(routes, targets));
  const pathResources = new Map<string, aws.apigateway.Resource>();

  const resourceFor = (path: string): aws.apigateway.Resource => {
    const existing = pathResources.get(path);
    if (existing) return existing;
    const segments = path.split("/").filter(Boolean);
    const parentPath = `/${segments.slice(0, -1).join("/")}`;
    const parentId = parentPath === "/" ? api.rootResourceId : resourceFor(parentPath).id;
    const resource = new aws.apigateway.Resource(`${name}-path-${pathSlug(path)}`, { restApi: api.id, parentId, pathPart: segments[segments.length - 1] }, { parent });
    pathResources.set(path, resource);
    return resource;
  };

  const created: pulumi.Resource[] = [];
  routes.forEach((route, index) => {
    const definition = definitions.apply((all) => all[index]);
    const routeName = `${name}-${route.httpMethod.toLowerCase()}-${pathSlug(route.path)}`;
    const resourceId = resourceFor(route.path).id;
    const method = new aws.apigateway.Method(
      routeName,
      {
        restApi: api.id,
        resourceId,
        httpMethod: route.httpMethod,
        authorization: definition.authorization,
        authorizerId: definition.authorizerId,
        apiKeyRequired: definition.apiKeyRequired,
      },
      { parent },
    );
    const integration = new aws.apigateway.Integration(
      `${routeName}-integration`,
      {
        restApi: api.id,
        resourceId,
        httpMethod: method.httpMethod,
        type: definition.integration.type,
        integrationHttpMethod: definition.integration.integrationHttpMethod,
        uri: definition.integration.uri,
      },
      { parent },
    );
    created.push(method, integration);
  });

  return { resources: [...pathResources.values(), ...created], hash: definitions.apply(definitionHash) };
}
