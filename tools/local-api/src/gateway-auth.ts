import type { APIGatewayProxyEvent } from "aws-lambda";
import { AuthorizerCache } from "./authorizer-cache";
import type { InvokeOutcome } from "./container";
import { methodArn, toAuthorizerEvent } from "./event";
import { evaluatePolicy, parsePolicyDocument, type PolicyStatement } from "./iam-policy";
import type { PoolRefusal } from "./pool";
import type { GatewayProblem } from "./response";

/** The one error message API Gateway turns into its 401 (exactly this text). */
const UNAUTHORIZED_MESSAGE = "Unauthorized";

type ContextValue = string | number | boolean;

/** An authorizer's answer as API Gateway keeps it; allows and refusals are cached, failures never. */
type Answer =
  | { kind: "allow"; principalId: string; statements: PolicyStatement[]; context: Record<string, ContextValue>; usageIdentifierKey?: string }
  | { kind: "unauthorized" }
  | { kind: "failure"; reason: string };

/** What API Gateway does with a merchant-route request. */
type AuthDecision =
  /** Invoke the function with this `requestContext.authorizer`. */
  | { kind: "allowed"; authorizer: Record<string, ContextValue> }
  /** Answer with this gateway response; `reason` is for the adapter's log. */
  | { kind: "refused"; problem: GatewayProblem; reason: string };

/** Arguments of {@link createGatewayAuthorizer}. */
export interface GatewayAuthorizerOptions {
  /** Runs the authorizer function once (its container pool). */
  invoke(event: unknown): Promise<InvokeOutcome | PoolRefusal>;
  /** The authorizer's result TTL, seconds; 0: every request invokes it. */
  cacheTtlS: number;
  /** The cache's clock. @default Date.now */
  now?: () => number;
  /**
   * The usage plan's API keys. The merchant routes require one (the stack's `apiKeyRequired`,
   * key source AUTHORIZER): an allow whose `usageIdentifierKey` is not one of them is API
   * Gateway's 403. @default none: no usage plan, any allow passes
   */
  usageKeys?: ReadonlySet<string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isContextValue = (value: unknown): value is ContextValue => ["string", "number", "boolean"].includes(typeof value);

/** The Authorization header's values (its name in any case), from multiValueHeaders as API Gateway passes them. */
function authorizationValues(event: APIGatewayProxyEvent): string[] {
  const name = Object.keys(event.multiValueHeaders ?? {}).find((header) => header.toLowerCase() === "authorization");
  return name ? (event.multiValueHeaders[name] ?? []) : [];
}

/** An authorizer's result as API Gateway reads it: principalId, a policy it can evaluate, a flat context. */
function allowOf(result: unknown): Answer {
  if (!isRecord(result)) return { kind: "failure", reason: "the authorizer returned no object" };
  if (typeof result.principalId !== "string") return { kind: "failure", reason: "the authorizer returned no principalId" };
  const statements = parsePolicyDocument(result.policyDocument);
  if (typeof statements === "string") return { kind: "failure", reason: `the authorizer's policy: ${statements}` };
  const context = result.context ?? {};
  // API Gateway refuses nested context values (objects, arrays) as an authorizer configuration error.
  if (!isRecord(context) || !Object.values(context).every(isContextValue)) return { kind: "failure", reason: "the authorizer's context is not a map of strings, numbers and booleans" };
  const usageIdentifierKey = typeof result.usageIdentifierKey === "string" ? result.usageIdentifierKey : undefined;
  return { kind: "allow", principalId: result.principalId, statements, context: context as Record<string, ContextValue>, ...(usageIdentifierKey ? { usageIdentifierKey } : {}) };
}

function answerOf(outcome: InvokeOutcome | PoolRefusal): Answer {
  switch (outcome.kind) {
    case "result":
      return allowOf(outcome.result);
    case "failed":
      return outcome.error.message === UNAUTHORIZED_MESSAGE
        ? { kind: "unauthorized" }
        : { kind: "failure", reason: `the authorizer threw ${outcome.error.name}: ${outcome.error.message}` };
    case "crashed":
      return { kind: "failure", reason: `the authorizer's container crashed (${outcome.error.name}: ${outcome.error.message})` };
    case "init-failed":
      return { kind: "failure", reason: outcome.error.message };
    case "timeout":
      return { kind: "failure", reason: "the authorizer timed out; its container was stopped" };
    case "throttled":
      return { kind: "failure", reason: "the authorizer's queue is full" };
  }
}

/** The authorizer step of API Gateway for the merchant routes. */
export interface GatewayAuthorizer {
  authorize(event: APIGatewayProxyEvent): Promise<AuthDecision>;
}

/**
 * What API Gateway does before a method with a REQUEST authorizer (identity source the
 * Authorization header): no header (or an empty one) → 401 without invoking the authorizer;
 * else the answer cached for that header value, or the authorizer invoked (its "Unauthorized"
 * → 401 and any other failure → the authorizer-failure response, never cached); an Allow is then
 * evaluated against this request's method ARN (not covered or denied → 403) and its context,
 * principalId and latency become `requestContext.authorizer`. Concurrent requests with the same
 * uncached header share one invocation when the cache is on (API Gateway may invoke once each
 * until the first answer is cached).
 */
export function createGatewayAuthorizer(options: GatewayAuthorizerOptions): GatewayAuthorizer {
  const cache = new AuthorizerCache<Answer>(options.cacheTtlS * 1000, options.now);
  const inflight = new Map<string, Promise<{ answer: Answer; latencyMs: number }>>();

  async function invoke(cacheKey: string, event: APIGatewayProxyEvent): Promise<{ answer: Answer; latencyMs: number }> {
    const started = performance.now();
    const answer = answerOf(await options.invoke(toAuthorizerEvent(event)));
    if (answer.kind !== "failure") cache.set(cacheKey, answer);
    return { answer, latencyMs: performance.now() - started };
  }

  function shared(cacheKey: string, event: APIGatewayProxyEvent): Promise<{ answer: Answer; latencyMs: number }> {
    if (!cache.enabled) return invoke(cacheKey, event);
    let pending = inflight.get(cacheKey);
    if (!pending) {
      pending = invoke(cacheKey, event).finally(() => inflight.delete(cacheKey));
      inflight.set(cacheKey, pending);
    }
    return pending;
  }

  return {
    async authorize(event) {
      const values = authorizationValues(event);
      if (values.every((value) => value.trim() === "")) return { kind: "refused", problem: "unauthorized", reason: "no Authorization header: the authorizer was not invoked" };
      // The identity source's value is the cache key: every value, so a repeated header is not confused with one of its values.
      const cacheKey = JSON.stringify(values);
      const cached = cache.get(cacheKey);
      const { answer, latencyMs } = cached ? { answer: cached, latencyMs: 0 } : await shared(cacheKey, event);
      if (answer.kind === "unauthorized") return { kind: "refused", problem: "unauthorized", reason: `the authorizer refused the key${cached ? " (cached)" : ""}` };
      if (answer.kind === "failure") return { kind: "refused", problem: "authorizer-failure", reason: answer.reason };
      const arn = methodArn(event.httpMethod, event.path);
      const decision = evaluatePolicy(answer.statements, arn);
      if (decision !== "allow") return { kind: "refused", problem: "access-denied", reason: `${decision} of ${arn} by the authorizer's policy${cached ? " (cached)" : ""}` };
      if (options.usageKeys && !(answer.usageIdentifierKey !== undefined && options.usageKeys.has(answer.usageIdentifierKey))) {
        return { kind: "refused", problem: "invalid-api-key", reason: `the authorizer's usageIdentifierKey is ${answer.usageIdentifierKey === undefined ? "missing" : "not a key of the usage plan"}` };
      }
      // API Gateway hands the function every context value as a string ("42", "true").
      const context = Object.fromEntries(Object.entries(answer.context).map(([key, value]) => [key, String(value)]));
      return { kind: "allowed", authorizer: { ...context, principalId: answer.principalId, integrationLatency: Math.round(latencyMs) } };
    },
  };
}
