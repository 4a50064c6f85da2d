import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { DatabaseUnavailableError } from "../db/errors";
import { createPaymentHandler } from "../handlers/create-payment";
import { getPaymentHandler } from "../handlers/get-payment";
import { healthHandler } from "../handlers/health";
import { internalError, Problem, serviceUnavailable, unauthorized } from "../http/problems";
import { jsonResponse, problemResponse, type Reply } from "../http/response";
import { matchRoute, type RouteMatch } from "../http/router";
import { loggableError } from "../observability/logger";
import { callerOf } from "../payments/merchant";
import type { Runtime } from "./runtime";

/** The api function's handler. `context` is optional so tests can call it with an event alone. */
export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/**
 * Runs the route. The payments routes act for the merchant of the caller's API key, from the
 * authorizer context; a request without one (not through the authorizer) gets the same 401 as a bad key.
 */
async function dispatch(route: RouteMatch, event: APIGatewayProxyEvent, runtime: Runtime, bestEffort: AbortSignal | undefined): Promise<Reply | Problem> {
  if (route.name === "health") return healthHandler(runtime);
  const caller = callerOf(event);
  if (!caller) return unauthorized();
  // Started with the request's own work, so its round trip overlaps the database's; awaited
  // before answering, because Lambda freezes the container once the handler returns and a write
  // left in flight would resume (or time out) in some later invocation. It never rejects, and
  // the client's short timeouts bound it on the rare request that writes (one per key per 5 min).
  const recorded = runtime.keyUsage.record(caller.keyId, bestEffort);
  try {
    return route.name === "createPayment"
      ? await createPaymentHandler(event, runtime, caller.merchantId, bestEffort)
      : await getPaymentHandler(runtime, caller.merchantId, route.paymentId, bestEffort);
  } finally {
    await recorded;
  }
}

/**
 * Time kept back from the function's timeout: a request still working then answers 503 +
 * Retry-After itself, rather than being killed by Lambda into API Gateway's bare 502 (every
 * statement has its own timeout, but a payment makes several, after the connect).
 */
export const RESPONSE_MARGIN_MS = 1000;

/** After the deadline, how long the interrupted work may take to unwind (its statements fail at once). */
const UNWIND_MS = 250;

/**
 * How long before the deadline the request's best-effort DynamoDB calls (session write or read,
 * the key's lastUsedAt) are abandoned: a payment already committed is answered 201, not lost to
 * a DynamoDB that hangs into the deadline (which would answer 503 and blame the database).
 */
const BEST_EFFORT_CUTOFF_MS = 250;

/**
 * `work`, or a DatabaseUnavailableError once `budgetMs` has passed. Then both database
 * connections are closed: the statements in flight fail at once, and the server rolls back their
 * transaction as soon as it notices (within client_connection_check_interval, db/database.ts).
 * The work gets UNWIND_MS to settle, so that nothing of it runs after this answer, in the next
 * invocation of the container; if it completes in that time (a COMMIT already answered), its own
 * answer is returned. A transaction that committed without its answer reaching the handler is
 * found again by the client's retry with the same Idempotency-Key (a replay).
 */
async function withinBudget<T>(work: Promise<T>, budgetMs: number | undefined, runtime: Runtime): Promise<T> {
  if (budgetMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      runtime.db.interrupt("deadline");
      const unwound = work.then(
        () => undefined,
        () => undefined,
      );
      void Promise.race([unwound, new Promise((resolve) => setTimeout(resolve, UNWIND_MS))]).then(() => reject(new DatabaseUnavailableError("deadline")));
    }, Math.max(budgetMs, 0));
  });
  // Whatever the work does after the deadline is not an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
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
      // Lambda's context always tells the time left; a caller's partial one may not: then no budget.
      const budgetMs = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS : undefined;
      const bestEffort = budgetMs === undefined ? undefined : AbortSignal.timeout(Math.max(budgetMs - BEST_EFFORT_CUTOFF_MS, 0));
      const reply = route instanceof Problem ? route : await withinBudget(dispatch(route, event, runtime, bestEffort), budgetMs, runtime);
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
