import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { DatabaseUnavailableError } from "../db/errors";
import { createPaymentHandler } from "../handlers/create-payment";
import { getPaymentHandler } from "../handlers/get-payment";
import { healthHandler } from "../handlers/health";
import { internalError, Problem, serviceUnavailable } from "../http/problems";
import { jsonResponse, problemResponse, type Reply } from "../http/response";
import { matchRoute, type RouteMatch } from "../http/router";
import { loggableError } from "../observability/logger";
import type { Runtime } from "./runtime";

/** The api function's handler. `context` is optional so tests can call it with an event alone. */
export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

function dispatch(route: RouteMatch, event: APIGatewayProxyEvent, runtime: Runtime): Promise<Reply | Problem> {
  switch (route.name) {
    case "createPayment":
      return createPaymentHandler(event, runtime);
    case "getPayment":
      return getPaymentHandler(event, runtime, route.paymentId);
    case "health":
      return healthHandler(runtime);
  }
}

/** API Gateway's request id, else Lambda's: what a client quotes to support. */
function requestIdOf(event: APIGatewayProxyEvent | null | undefined, context?: Context): string {
  const fromGateway = event?.requestContext?.requestId;
  return typeof fromGateway === "string" ? fromGateway : (context?.awsRequestId ?? "unknown");
}

/**
 * The API: route, run the operation, and turn its reply or problem into a response. The only
 * place errors become responses: a database that cannot serve → 503 + Retry-After; anything
 * unexpected → a bare 500 (logged as name/code/message, never a stack). Bad input never gets here.
 */
export function createApiHandler(runtime: Runtime): ApiHandler {
  const { logger, metrics } = runtime;
  return async (event, context) => {
    const requestId = requestIdOf(event, context);
    logger.resetKeys();
    if (context) logger.addContext(context);
    logger.appendKeys({ requestId });

    let route: RouteMatch | Problem | undefined;
    let response: APIGatewayProxyResult;
    try {
      route = matchRoute(event ?? ({} as APIGatewayProxyEvent));
      const reply = route instanceof Problem ? route : await dispatch(route, event, runtime);
      response = reply instanceof Problem ? problemResponse(reply, requestId) : jsonResponse(reply);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        metrics.count("DatabaseUnavailable");
        logger.warn("Database unavailable", { reason: error.reason });
        response = problemResponse(serviceUnavailable(), requestId);
      } else {
        logger.error("Unexpected error", { error: loggableError(error) });
        response = problemResponse(internalError(), requestId);
      }
    } finally {
      metrics.flush();
    }
    logger.info("Request handled", {
      method: typeof event?.httpMethod === "string" ? event.httpMethod : undefined,
      route: route instanceof Problem || route === undefined ? undefined : route.name,
      status: response.statusCode,
    });
    return response;
  };
}
