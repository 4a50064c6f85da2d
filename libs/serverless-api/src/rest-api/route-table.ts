// The API's routes as data, without Pulumi: routes.ts builds them, the local adapter serves them.
import { HEALTH_PATH } from "@payments-dr/conventions/values";

/** One route of the REST API. */
export interface Route {
  httpMethod: "GET" | "POST";
  /** Resource path, e.g. `/payments/{id}`. */
  path: string;
  /** `merchant`: an API key is required (the Lambda authorizer); `anyone`: anonymous. */
  caller: "merchant" | "anyone";
}

/** Route 53 health checkers cannot authenticate: /health is the only anonymous route. */
export const HEALTH_ROUTE: Route = { httpMethod: "GET", path: HEALTH_PATH, caller: "anyone" };

/**
 * The payments API (DESIGN §6), each route through a Lambda proxy integration: the payment routes
 * to the API function, `/health` to a function of its own (the same bundle) so that payments
 * using up the API function's concurrency never fail the region's health check.
 */
export const PAYMENT_ROUTES: readonly Route[] = [
  { httpMethod: "POST", path: "/payments", caller: "merchant" },
  { httpMethod: "GET", path: "/payments/{id}", caller: "merchant" },
  HEALTH_ROUTE,
];
