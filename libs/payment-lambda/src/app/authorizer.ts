import { bearerToken, parseApiKey, parseApiKeyRecord, verifyApiKey, type ApiKeyParts, type ApiKeyRecord } from "@payments-dr/api-keys";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from "aws-lambda";
import { allowPayments, apiStageOf } from "../auth/policy";
import { headerValues } from "../http/request";
import { loggableError } from "../observability/logger";
import { withoutFrames } from "../observability/thrown-error";
import type { AuthorizerRuntime } from "./authorizer-runtime";

/** The authorizer's handler. `context` is optional so tests can call it with an event alone. */
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context?: Context) => Promise<APIGatewayAuthorizerResult>;

/** The one error message API Gateway turns into its 401 UNAUTHORIZED response (exactly this text). */
export const UNAUTHORIZED = "Unauthorized";

/**
 * The authorizer could not decide: the keys table could not be read, or the event is not an
 * API Gateway method call. Any error other than "Unauthorized" makes API Gateway answer with its
 * authorizer-failure 5xx (the stack maps it to 503) and cache nothing: a key is never refused
 * as if it were wrong because DynamoDB is down.
 */
export class AuthorizerFailure extends Error {
  override readonly name = "AuthorizerFailure";

  constructor(message: string) {
    super(message);
    // Lambda's runtime logs a thrown error with its stack: these are answers (a refused key, a table that cannot be read), not bugs.
    this.stack = withoutFrames(this);
  }
}

/** The refusal API Gateway turns into 401: exactly "Unauthorized", without frames. */
function unauthorized(): Error {
  const error = new Error(UNAUTHORIZED);
  error.stack = withoutFrames(error);
  return error;
}

/** Why a key was refused, for the log only: the caller always gets the same 401. */
type Refusal = "malformed" | "unknown" | "revoked" | "wrong-secret";

/** The API key of the one Authorization header, or undefined (none, several, not Bearer, not our format). */
function presentedKey(event: APIGatewayRequestAuthorizerEvent): ApiKeyParts | undefined {
  const values = headerValues({ headers: event.headers ?? null, multiValueHeaders: event.multiValueHeaders ?? null }, "authorization");
  const token = values.length === 1 ? bearerToken(values[0]) : undefined;
  return token === undefined ? undefined : parseApiKey(token);
}

function refusalOf(stored: ApiKeyRecord | undefined): Refusal {
  if (!stored) return "unknown";
  return stored.status === "active" ? "wrong-secret" : "revoked";
}

/** API Gateway's request id, else Lambda's. */
function requestIdOf(event: APIGatewayRequestAuthorizerEvent | null | undefined, context?: Context): string {
  const fromGateway = event?.requestContext?.requestId;
  return typeof fromGateway === "string" ? fromGateway : (context?.awsRequestId ?? "unknown");
}

/**
 * The REQUEST authorizer of the payments routes: `Authorization: Bearer pdr_<keyId>_<secret>` →
 * the key's item in this region's replica of the keys table → {@link verifyApiKey} (one salted
 * hash and one constant-time comparison for every well-formed key, found or not, active or not)
 * → an Allow policy for this API and stage's payments routes, with the merchant in the context.
 * Every refusal is the same `Error("Unauthorized")`. Logs carry the key id once it parsed,
 * never the header, the key, the secret, its salt or its hash.
 */
export function createAuthorizerHandler(runtime: AuthorizerRuntime): AuthorizerHandler {
  const { logger, metrics } = runtime;

  function refuse(reason: Refusal): never {
    metrics.count("AuthorizerDenied");
    logger.info("Unauthorized", { reason });
    throw unauthorized();
  }

  function fail(message: string): never {
    metrics.count("AuthorizerFailed");
    throw new AuthorizerFailure(message);
  }

  const authorize = async (event: APIGatewayRequestAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    logger.appendKeys({ requestId: requestIdOf(event, context) });

    const stage = apiStageOf(event?.methodArn);
    if (!stage) {
      logger.error("The event has no execute-api method ARN: is this function attached to API Gateway as a REQUEST authorizer?");
      return fail("Not an API Gateway method ARN");
    }
    const parts = presentedKey(event);
    if (!parts) return refuse("malformed");
    logger.appendKeys({ keyId: parts.keyId });

    let item: Record<string, unknown> | undefined;
    try {
      item = await runtime.keys.get(parts.keyId);
    } catch (error) {
      logger.error("API key lookup failed", { error: loggableError(error) });
      return fail("The API keys table could not be read");
    }
    const stored = parseApiKeyRecord(item);
    if (item !== undefined && !stored) logger.warn("The API key's item is malformed: treated as an unknown key");
    const record = verifyApiKey(parts, stored);
    if (!record) return refuse(refusalOf(stored));

    metrics.count("AuthorizerAllowed");
    logger.info("Authorized", { merchantId: record.merchantId });
    return allowPayments(stage, record);
  };

  return async (event, context) => {
    try {
      return await authorize(event, context);
    } finally {
      metrics.flush();
    }
  };
}
