import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InvokeOutcome } from "./container";
import { isMerchantRoute, toProxyEvent } from "./event";
import { createGatewayAuthorizer } from "./gateway-auth";
import { API_BUNDLE, AUTHORIZER_BUNDLE, built } from "./paths";
import { ContainerPool, type PoolRefusal, type PoolStats } from "./pool";
import { fromProxyResult, gatewayProblem, type GatewayProblem, type HttpReply } from "./response";
import { API_TIMEOUT_SECONDS } from "@payments-dr/conventions/values";

/** The Lambda authorizer of the merchant routes (POST /payments, GET /payments/{id}). */
interface LocalAuthorizerOptions {
  /** Its whole environment: API_KEYS_TABLE, DYNAMODB_ENDPOINT, the local AWS credentials, POWERTOOLS_*. */
  env: Record<string, string>;
  /** How long its answer for an Authorization header is reused, seconds; 0 = every request invokes it. @default 60 */
  cacheTtlS?: number;
  /** The usage plan's API keys, one of which its allow must name (`usageIdentifierKey`). @default none: no usage plan */
  usageKeys?: ReadonlySet<string>;
  /** The bundle that exports `handler`. @default dist/libs/payment-lambda/authorizer/index.js */
  handlerModule?: string;
  /** An invocation's budget. @default 5000 (the stack's authorizer timeout) */
  timeoutMs?: number;
}

/** `/health`'s own function, as the stack deploys it: the api's bundle, its own containers and environment. */
interface LocalHealthOptions {
  /** Its whole environment: the api's database settings, no DynamoDB. @default the api function's */
  env?: Record<string, string>;
  /** Its containers. @default 1 */
  concurrency?: number;
}

/** Arguments of {@link startLocalApi}. */
export interface LocalApiOptions {
  /** The port on 127.0.0.1; 0 picks a free one. @default 3000 */
  port?: number;
  /** Containers, each serving one request at a time, spread over at most one host thread per vCPU. @default 1 */
  concurrency?: number;
  /** The function's environment (DATABASE_URL, REGION_ROLE, sessions, POWERTOOLS_*): the containers' whole process.env. */
  env: Record<string, string>;
  /** The bundle that exports `handler`. @default dist/libs/payment-lambda/api/index.js */
  handlerModule?: string;
  /** The authorizer API Gateway runs before the merchant routes. */
  authorizer: LocalAuthorizerOptions;
  /** The function behind `/health`: never queued behind payments, as in AWS. */
  health?: LocalHealthOptions;
  /** The api function's timeout: an invocation past it is API Gateway's 502. @default 10000 (the stack's apiTimeoutSeconds) */
  timeoutMs?: number;
  /** Requests waiting beyond this many get 429. @default 1000 */
  maxQueue?: number;
  /** Where the adapter's own lines go (one per request, cold starts, failures). @default nowhere */
  log?(line: string): void;
}

/** A running local API. */
export interface LocalApi {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The api function's containers; `served` counts its invocations. */
  stats(): PoolStats;
  /** The `/health` function's containers. */
  healthStats(): PoolStats;
  /** The authorizer's containers; `served` counts its invocations (cache hits invoke nothing). */
  authorizerStats(): PoolStats;
  /** Stops accepting, drops open connections, stops the containers. */
  close(): Promise<void>;
}

/** API Gateway's payload limit. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** The request body, or undefined when it is over `limit` (the rest is read and dropped). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on("error", reject);
  });
}

const REFUSALS: Record<Exclude<InvokeOutcome | PoolRefusal, { kind: "result" }>["kind"], GatewayProblem> = {
  failed: "integration-failure",
  crashed: "integration-failure",
  "init-failed": "integration-failure",
  timeout: "integration-failure",
  throttled: "throttled",
};

/** Why an invocation produced no response, for the log. */
function failureNote(outcome: Exclude<InvokeOutcome | PoolRefusal, { kind: "result" }>, timeoutMs: number): string {
  switch (outcome.kind) {
    case "failed":
      return `handler threw ${outcome.error.name}: ${outcome.error.message}`;
    case "crashed":
      return `container crashed (${outcome.error.name}: ${outcome.error.message}), with the others on its host thread; the next request starts a new one`;
    case "init-failed":
      return outcome.error.message;
    case "timeout":
      return `invocation timed out after ${timeoutMs} ms (the function's timeout); the container was stopped, with the others on its host thread`;
    case "throttled":
      return "queue full";
  }
}

/** The authorizer's containers: as many as the function's at most, started when concurrent cache misses need them. */
function authorizerPool(options: LocalApiOptions, log: (line: string) => void): ContainerPool {
  return new ContainerPool({
    modulePath: built(options.authorizer.handlerModule ?? AUTHORIZER_BUNDLE, "payment-lambda"),
    functionName: "payments-authorizer",
    env: options.authorizer.env,
    size: options.concurrency ?? 1,
    prestart: 1,
    timeoutMs: options.authorizer.timeoutMs ?? 5000,
    maxQueue: options.maxQueue,
    onColdStart: (initMs) => log(`authorizer container started (init ${initMs.toFixed(0)} ms)`),
  });
}

/**
 * A local stand-in for API Gateway (REST, proxy integration, a REQUEST Lambda authorizer on the
 * merchant routes) + Lambda: each HTTP request for a method the API declares becomes a proxy
 * event for the function's bundle, run in a pool of "containers" (module instances on worker
 * threads), after the authorizer's bundle (in a pool of its own) allowed it; the proxy result
 * becomes the HTTP response. API Gateway's own answers are the stack's gateway responses.
 * Listens on 127.0.0.1 only.
 * @throws InitError when a bundle fails to load with its environment (e.g. a bad environment).
 */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? API_TIMEOUT_SECONDS.default * 1000;
  const modulePath = built(options.handlerModule ?? API_BUNDLE, "payment-lambda");
  const pool = new ContainerPool({
    modulePath,
    env: options.env,
    size: options.concurrency ?? 1,
    timeoutMs,
    maxQueue: options.maxQueue,
    onColdStart: (initMs) => log(`container started (init ${initMs.toFixed(0)} ms)`),
  });
  // The stack gives /health a function of its own (same bundle): payments never hold up Route 53's checks.
  const healthPool = new ContainerPool({
    modulePath,
    functionName: "payments-health",
    env: options.health?.env ?? options.env,
    size: options.health?.concurrency ?? 1,
    timeoutMs,
    maxQueue: options.maxQueue,
    onColdStart: (initMs) => log(`health container started (init ${initMs.toFixed(0)} ms)`),
  });
  const authorizers = authorizerPool(options, log);
  const pools = [pool, healthPool, authorizers];
  const started = await Promise.allSettled(pools.map((each) => each.start()));
  const failure = started.find((outcome) => outcome.status === "rejected");
  if (failure) {
    await Promise.all(pools.map((each) => each.close()));
    throw failure.reason;
  }
  const auth = createGatewayAuthorizer({ invoke: (event) => authorizers.invoke(event), cacheTtlS: options.authorizer.cacheTtlS ?? 60, usageKeys: options.authorizer.usageKeys });

  let port = 0;
  async function reply(request: IncomingMessage, requestId: string): Promise<HttpReply> {
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (!body) return gatewayProblem("too-large", requestId);
    const event = toProxyEvent({
      method: request.method ?? "GET",
      target: request.url ?? "/",
      rawHeaders: request.rawHeaders,
      body,
      sourceIp: (request.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
      port,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
    });
    if (!event) return gatewayProblem(request.headers.authorization === undefined ? "missing-route" : "missing-route-with-authorization", requestId);
    if (isMerchantRoute(event)) {
      const decision = await auth.authorize(event);
      if (decision.kind === "refused") {
        log(`${requestId}: ${decision.reason}`);
        return gatewayProblem(decision.problem, requestId);
      }
      event.requestContext.authorizer = decision.authorizer;
    }
    const outcome = await (event.resource === "/health" ? healthPool : pool).invoke(event);
    if (outcome.kind === "result") return fromProxyResult(outcome.result, requestId);
    log(`${requestId}: ${failureNote(outcome, timeoutMs)}`);
    return gatewayProblem(REFUSALS[outcome.kind], requestId);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    let answer: HttpReply;
    try {
      answer = await reply(request, requestId);
    } catch (error) {
      log(`${requestId}: adapter error ${(error as Error).message}`);
      answer = gatewayProblem("integration-failure", requestId);
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
    log(`${request.method} ${request.url} ${answer.status} ${(performance.now() - started).toFixed(1)} ms`);
  }

  const server = createServer((request, response) => void handle(request, response));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 3000, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await Promise.all(pools.map((each) => each.close()));
    throw error;
  }
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => pool.stats(),
    healthStats: () => healthPool.stats(),
    authorizerStats: () => authorizers.stats(),
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await Promise.all([closed, ...pools.map((each) => each.close())]);
    },
  };
}
