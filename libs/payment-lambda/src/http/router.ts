import type { APIGatewayProxyEvent } from "aws-lambda";
import { methodNotAllowed, notFound, type Problem } from "./problems";

/** The API's operations. */
type RouteName = "createPayment" | "getPayment" | "health";

/** A request matched to an operation, with its path parameters. */
export interface RouteMatch {
  name: RouteName;
  paymentId?: string;
}

interface Resource {
  template: string;
  segments: (string | "{id}")[];
  methods: Partial<Record<string, RouteName>>;
}

const RESOURCES: Resource[] = [
  { template: "/payments", segments: ["payments"], methods: { POST: "createPayment" } },
  { template: "/payments/{id}", segments: ["payments", "{id}"], methods: { GET: "getPayment" } },
  { template: "/health", segments: ["health"], methods: { GET: "health" } },
];

/** The routes the handler serves, as `METHOD /template`: the stack declares the same ones (libs/serverless-api). */
export const HANDLED_ROUTES: readonly string[] = RESOURCES.flatMap((resource) => Object.keys(resource.methods).map((method) => `${method} ${resource.template}`));

function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

/** The resource and path id: from API Gateway's resource template when it is one of ours, else from the path (a greedy proxy). */
function locate(event: APIGatewayProxyEvent): { resource: Resource; id?: string } | undefined {
  const byTemplate = RESOURCES.find((resource) => resource.template === event.resource);
  if (byTemplate) return { resource: byTemplate, id: event.pathParameters?.id ?? undefined };
  const path = typeof event.path === "string" ? segmentsOf(event.path) : [];
  for (const resource of RESOURCES) {
    if (resource.segments.length !== path.length) continue;
    if (resource.segments.every((segment, i) => segment === "{id}" || segment === path[i])) {
      const idIndex = resource.segments.indexOf("{id}");
      return { resource, id: idIndex >= 0 ? path[idIndex] : undefined };
    }
  }
  return undefined;
}

/** The operation for a request, or the 404/405 problem. */
export function matchRoute(event: APIGatewayProxyEvent): RouteMatch | Problem {
  const located = locate(event);
  if (!located) return notFound("No such resource.");
  const method = typeof event.httpMethod === "string" ? event.httpMethod.toUpperCase() : "";
  const name = located.resource.methods[method];
  if (!name) return methodNotAllowed(Object.keys(located.resource.methods));
  return { name, ...(located.id !== undefined ? { paymentId: located.id } : {}) };
}
