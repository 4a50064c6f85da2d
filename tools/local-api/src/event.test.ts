import { GATEWAY_PROBLEMS, gatewayResponseDefinition } from "@payments-dr/serverless-api";
import { newApiKey } from "@payments-dr/api-keys";
import { allowPayments, apiStageOf, authorizerEvent, restV1PostEvent as fixture } from "@payments-dr/payment-lambda/testing";
import { AuthorizerCache } from "./authorizer-cache";
import { parseServeArgs, UsageError } from "./cli-args";
import { InitError, type InvokeOutcome } from "./container";
import { isMerchantRoute, matchResource, methodArn, requestTime, toAuthorizerEvent, toProxyEvent, type AdapterRequest } from "./event";
import { createGatewayAuthorizer } from "./gateway-auth";
import { send } from "./http-client";
import { evaluatePolicy, parsePolicyDocument, wildcardMatches, type PolicyStatement } from "./iam-policy";
import { built } from "./paths";
import type { PoolRefusal } from "./pool";
import { fromProxyResult, GATEWAY_PROBLEM_RESPONSES, gatewayProblem, MAX_RESULT_BYTES, type GatewayProblem } from "./response";

const request = (changes: Partial<AdapterRequest> = {}): AdapterRequest => ({
  method: "POST",
  target: "/payments",
  rawHeaders: ["Host", "127.0.0.1:3000", "Content-Type", "application/json", "User-Agent", "curl/8.5.0"],
  body: Buffer.from('{"amount":1050}'),
  sourceIp: "127.0.0.1",
  port: 3000,
  protocol: "HTTP/1.1",
  receivedAt: new Date(Date.UTC(2024, 5, 17, 14, 48, 13, 506)),
  requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
  ...changes,
});

/** The event of a request for a declared route. */
const proxyEvent = (changes: Partial<AdapterRequest> = {}) => toProxyEvent(request(changes))!;

/** Every key path of a JSON value ("requestContext.identity.sourceIp"), values ignored. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => {
    // Header and parameter maps are keyed by data, not by shape.
    const isMap = /^(multiValue)?(headers|Headers|queryStringParameters|QueryStringParameters|pathParameters)$/.test(key);
    return isMap ? [`${prefix}${key}`] : keyPaths(child, `${prefix}${key}.`);
  });
}

describe("toProxyEvent", () => {
  it("has exactly the fields of the captured API Gateway REST v1 event", () => {
    expect(keyPaths(proxyEvent()).sort()).toEqual(keyPaths(fixture).sort());
  });

  it("fills the request context like API Gateway, for stage local", () => {
    const event = proxyEvent();
    expect(event).toMatchObject({ resource: "/payments", path: "/payments", httpMethod: "POST", body: '{"amount":1050}', isBase64Encoded: false, stageVariables: null });
    expect(event.requestContext).toMatchObject({
      stage: "local",
      path: "/local/payments",
      resourcePath: "/payments",
      httpMethod: "POST",
      protocol: "HTTP/1.1",
      requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
      requestTime: "17/Jun/2024:14:48:13 +0000",
      requestTimeEpoch: 1718635693506,
      domainName: "127.0.0.1",
      identity: { sourceIp: "127.0.0.1", userAgent: "curl/8.5.0" },
    });
    expect(requestTime(new Date(Date.UTC(2025, 0, 5, 3, 4, 5)))).toBe("05/Jan/2025:03:04:05 +0000");
  });

  it("keeps header names as sent, the last value in headers and all in multiValueHeaders, and adds X-Forwarded-*", () => {
    const event = proxyEvent({ rawHeaders: ["Idempotency-Key", "a", "idempotency-key", "b", "X-Forwarded-For", "10.0.0.1"] });
    expect(event.headers["Idempotency-Key"]).toBe("b");
    expect(event.multiValueHeaders["Idempotency-Key"]).toEqual(["a", "b"]);
    expect(event.headers["X-Forwarded-For"]).toBe("10.0.0.1, 127.0.0.1");
    expect(event.headers).toMatchObject({ "X-Forwarded-Port": "3000", "X-Forwarded-Proto": "http" });
    expect(event.headers["X-Amzn-Trace-Id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("passes query strings single- and multi-valued, null when there are none", () => {
    expect(proxyEvent({ method: "GET", target: "/health?a=1&a=2&b=x%20y" })).toMatchObject({
      path: "/health",
      queryStringParameters: { a: "2", b: "x y" },
      multiValueQueryStringParameters: { a: ["1", "2"], b: ["x y"] },
    });
    expect(proxyEvent().queryStringParameters).toBeNull();
  });

  it("maps /payments/{id} with its path parameter, and any other path to no resource: there is no greedy proxy", () => {
    expect(matchResource("/payments/9f1c")).toEqual({ resource: "/payments/{id}", pathParameters: { id: "9f1c" } });
    expect(matchResource("/payments")).toEqual({ resource: "/payments", pathParameters: null });
    expect(matchResource("/health/")).toEqual({ resource: "/health", pathParameters: null });
    for (const path of ["/refunds/1", "/payments/9f1c/refunds", "/", "/health/deep"]) expect(matchResource(path)).toBeUndefined();
    // A malformed escape must not throw (the request would be the adapter's 502): the id goes on as sent, for the function to refuse.
    expect(matchResource("/payments/%E0%A4%A")).toEqual({ resource: "/payments/{id}", pathParameters: { id: "%E0%A4%A" } });
  });

  it("builds no event for a method or path the API does not declare: API Gateway answers those itself", () => {
    for (const [method, target] of [["GET", "/refunds/1"], ["DELETE", "/payments"], ["GET", "/payments"], ["POST", "/payments/9f1c"], ["POST", "/health"], ["OPTIONS", "/payments"], ["HEAD", "/health"]]) {
      expect(toProxyEvent(request({ method, target }))).toBeUndefined();
    }
    expect(toProxyEvent(request({ method: "GET", target: "/payments/9f1c" }))).toMatchObject({ resource: "/payments/{id}", pathParameters: { id: "9f1c" } });
  });

  it("never produces base64: a binary body is passed as UTF-8 text, an empty one as null", () => {
    const binary = proxyEvent({ body: Buffer.from([0xff, 0x00, 0x89, 0x50]) });
    expect(binary.isBase64Encoded).toBe(false);
    expect(binary.body).toBe(Buffer.from([0xff, 0x00, 0x89, 0x50]).toString("utf8"));
    expect(proxyEvent({ method: "GET", target: "/health", body: Buffer.alloc(0) }).body).toBeNull();
  });
});

describe("fromProxyResult", () => {
  it("merges headers and multiValueHeaders as API Gateway does (multi wins) and sets the length", () => {
    const reply = fromProxyResult({ statusCode: 201, headers: { "Content-Type": "application/json", Vary: "a", "Content-Length": "999" }, multiValueHeaders: { Vary: ["b", "c"] }, body: "{}" }, "req-1");
    expect(reply.status).toBe(201);
    expect(reply.headers).toEqual({ "Content-Type": "application/json", Vary: ["b", "c"], "x-amzn-RequestId": "req-1", "Content-Length": 2 });
    expect(reply.body.toString()).toBe("{}");
  });

  it("answers a result without a body with an empty one, framed by the gateway alone (a multi-valued Content-Length would be a second header)", () => {
    const reply = fromProxyResult({ statusCode: 204, multiValueHeaders: { "content-length": ["99"], "Transfer-Encoding": ["chunked"], "Set-Cookie": ["a=1", "b=2"] } }, "req-1");
    expect(reply).toMatchObject({ status: 204, headers: { "Set-Cookie": ["a=1", "b=2"], "x-amzn-RequestId": "req-1", "Content-Length": 0 } });
    expect(Object.keys(reply.headers).filter((name) => ["content-length", "transfer-encoding"].includes(name.toLowerCase()))).toEqual(["Content-Length"]);
    expect(reply.body.length).toBe(0);
  });

  it("passes a base64 body on as written (the API declares no binary media types), and answers the stack's 502 problem for a result that is not a proxy result", () => {
    expect(fromProxyResult({ statusCode: 200, body: Buffer.from("hi").toString("base64"), isBase64Encoded: true }, "r").body.toString()).toBe("aGk=");
    const unknownMember = { statusCode: 200, body: "x", cookies: ["a=b"] };
    const overLambdaLimit = { statusCode: 200, body: "x".repeat(MAX_RESULT_BYTES) };
    for (const result of [undefined, { statusCode: "200" }, { statusCode: 200, body: {} }, { statusCode: 200, headers: { a: {} } }, unknownMember, overLambdaLimit]) {
      const reply = fromProxyResult(result, "r");
      expect(reply).toMatchObject({ status: 502, headers: { "Content-Type": "application/problem+json", "Retry-After": "2" } });
      expect(JSON.parse(reply.body.toString())).toEqual({
        type: "tag:payments-dr,2025:problems/internal-error",
        title: "Internal error",
        detail: "The request could not be completed. Retry shortly: a payment retried with the same Idempotency-Key is made at most once.",
        requestId: "r",
      });
    }
  });
});

describe("toAuthorizerEvent", () => {
  const proxy = () => proxyEvent({ rawHeaders: ["Host", "127.0.0.1:3000", "Authorization", "Bearer pdr_x"] });

  it("has exactly the fields of the REQUEST authorizer event the authorizer's own tests use", () => {
    const event = toAuthorizerEvent(proxy());
    expect(keyPaths(event).sort()).toEqual(keyPaths(authorizerEvent({ authorization: "Bearer pdr_x" })).sort());
    expect(event).toMatchObject({ type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:000000000000:local/local/POST/payments", httpMethod: "POST", path: "/payments" });
    expect(event).not.toHaveProperty("body");
    expect(event.headers?.Authorization).toBe("Bearer pdr_x");
  });

  it("names a method ARN the real authorizer accepts, whose policy covers both merchant routes and nothing else", () => {
    const stage = apiStageOf(methodArn("POST", "/payments"));
    expect(stage).toEqual({ partition: "aws", region: "us-east-1", accountId: "000000000000", apiId: "local", stage: "local" });
    const policy = parsePolicyDocument(allowPayments(stage!, newApiKey({ merchantId: "merchant-42" }).record).policyDocument) as PolicyStatement[];
    expect(evaluatePolicy(policy, methodArn("POST", "/payments"))).toBe("allow");
    expect(evaluatePolicy(policy, methodArn("GET", "/payments/9f1c"))).toBe("allow");
    expect(evaluatePolicy(policy, methodArn("GET", "/health"))).toBe("implicit-deny");
    expect(evaluatePolicy(policy, methodArn("POST", "/payments").replace("/local/POST", "/prod/POST"))).toBe("implicit-deny");
  });

  it("runs the authorizer on the stack's merchant routes only", () => {
    expect(isMerchantRoute({ httpMethod: "POST", resource: "/payments" })).toBe(true);
    expect(isMerchantRoute({ httpMethod: "GET", resource: "/payments/{id}" })).toBe(true);
    for (const [httpMethod, resource] of [["GET", "/health"], ["GET", "/payments"], ["DELETE", "/payments/{id}"], ["POST", "/health"]]) {
      expect(isMerchantRoute({ httpMethod: httpMethod!, resource: resource! })).toBe(false);
    }
  });
});

describe("evaluatePolicy", () => {
  const statement = (effect: "Allow" | "Deny", resources: string[], actions = ["execute-api:Invoke"]): PolicyStatement => ({ effect, actions, resources });
  const arn = methodArn("GET", "/payments/9f1c");

  it("matches IAM wildcards: * across / and :, ? for one character, nothing else special", () => {
    expect(wildcardMatches("arn:aws:execute-api:*:*:local/local/*/payments/*", arn)).toBe(true);
    expect(wildcardMatches("arn:aws:execute-api:us-east-1:000000000000:local/local/GET/payments/9f1?", arn)).toBe(true);
    expect(wildcardMatches("arn:aws:execute-api:us-east-1:000000000000:local/local/*/payments", arn)).toBe(false);
    expect(wildcardMatches("arn.aws.*", arn)).toBe(false);
    expect(wildcardMatches("EXECUTE-API:invoke", "execute-api:Invoke", true)).toBe(true);
  });

  it("allows what an Allow covers, unless a Deny covers it too; anything else is an implicit deny", () => {
    expect(evaluatePolicy([statement("Allow", ["*"])], arn)).toBe("allow");
    expect(evaluatePolicy([statement("Allow", ["*"]), statement("Deny", [arn])], arn)).toBe("explicit-deny");
    expect(evaluatePolicy([statement("Allow", [arn.replace("GET", "POST")])], arn)).toBe("implicit-deny");
    expect(evaluatePolicy([statement("Allow", ["*"], ["execute-api:ManageConnections"])], arn)).toBe("implicit-deny");
    expect(evaluatePolicy([statement("Allow", ["*"], ["execute-api:*"])], arn)).toBe("allow");
  });

  it("reads Statement as one object or a list, and refuses what it cannot evaluate", () => {
    expect(parsePolicyDocument({ Statement: { Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" } })).toEqual([statement("Allow", ["*"])]);
    expect(parsePolicyDocument(undefined)).toMatch(/not an object/);
    expect(parsePolicyDocument({ Statement: [{ Effect: "allow", Action: "a", Resource: "*" }] })).toMatch(/Effect Allow or Deny/);
    expect(parsePolicyDocument({ Statement: [{ Effect: "Deny", Action: "a", Resource: "*", Condition: {} }] })).toMatch(/Condition/);
    expect(parsePolicyDocument({ Statement: ["Allow"] })).toMatch(/a Statement is not an object/);
    // An empty or mixed list allows nothing in IAM: refused rather than read as "no resource".
    expect(parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: [], Resource: "*" }] })).toMatch(/Effect Allow or Deny, Action and Resource/);
    expect(parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: ["*", 7] }] })).toMatch(/Effect Allow or Deny, Action and Resource/);
  });
});

describe("AuthorizerCache", () => {
  it("keeps an answer for the TTL, and nothing when the TTL is 0", () => {
    let now = 1000;
    const cache = new AuthorizerCache<string>(60_000, () => now);
    cache.set("Bearer a", "allow");
    now += 59_999;
    expect(cache.get("Bearer a")).toBe("allow");
    now += 1;
    expect(cache.get("Bearer a")).toBeUndefined();
    const off = new AuthorizerCache<string>(0, () => now);
    off.set("Bearer a", "allow");
    expect(off.get("Bearer a")).toBeUndefined();
  });
});

describe("createGatewayAuthorizer", () => {
  const allow = (resource: string): InvokeOutcome => ({
    kind: "result",
    result: {
      principalId: "merchant-42",
      policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: resource }] },
      context: { merchantId: "merchant-42", keyId: "0123456789abcdef" },
    },
  });
  const event = (method: string, target: string, authorization?: string[]) =>
    proxyEvent({ method, target, rawHeaders: (authorization ?? []).flatMap((value) => ["Authorization", value]) });

  function authorizer(outcomes: (InvokeOutcome | PoolRefusal)[], cacheTtlS = 60, usageKeys?: ReadonlySet<string>) {
    let now = 0;
    const invoked: any[] = [];
    const gateway = createGatewayAuthorizer({
      invoke: async (authorizerEvent) => {
        invoked.push(authorizerEvent);
        return outcomes.length > 1 ? outcomes.shift()! : outcomes[0]!;
      },
      cacheTtlS,
      now: () => now,
      usageKeys,
    });
    return { gateway, invoked, advance: (ms: number) => (now += ms) };
  }

  it("answers 401 without invoking the authorizer when the Authorization header is missing or empty", async () => {
    const { gateway, invoked } = authorizer([allow("*")]);
    expect(await gateway.authorize(event("POST", "/payments"))).toMatchObject({ kind: "refused", problem: "unauthorized" });
    expect(await gateway.authorize(event("POST", "/payments", [""]))).toMatchObject({ kind: "refused", problem: "unauthorized" });
    expect(invoked).toHaveLength(0);
  });

  it("passes the REQUEST event, and puts the context, principalId and latency in requestContext.authorizer", async () => {
    const { gateway, invoked } = authorizer([allow("*")]);
    const decision = await gateway.authorize(event("POST", "/payments", ["Bearer k"]));
    expect(invoked[0]).toMatchObject({ type: "REQUEST", methodArn: methodArn("POST", "/payments"), headers: { Authorization: "Bearer k" } });
    expect(decision).toEqual({ kind: "allowed", authorizer: { merchantId: "merchant-42", keyId: "0123456789abcdef", principalId: "merchant-42", integrationLatency: expect.any(Number) } });
  });

  it("hands the function the context's numbers and booleans as strings, as API Gateway does", async () => {
    const typed: InvokeOutcome = { kind: "result", result: { principalId: "m", policyDocument: { Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] }, context: { tier: 2, live: true, off: false } } };
    const { gateway } = authorizer([typed]);
    expect(await gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "allowed", authorizer: { tier: "2", live: "true", off: "false" } });
  });

  it("with a usage plan, answers 403 to an allow that names none of its keys (the merchant routes require an API key, from the authorizer)", async () => {
    const withUsageKey = (usageIdentifierKey?: string): InvokeOutcome => {
      const allowed = allow("*") as { kind: "result"; result: Record<string, unknown> };
      return { kind: "result", result: { ...allowed.result, ...(usageIdentifierKey ? { usageIdentifierKey } : {}) } };
    };
    const plan = new Set(["usage-key-merchant-42"]);
    expect(await authorizer([withUsageKey("usage-key-merchant-42")], 60, plan).gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "allowed" });
    expect(await authorizer([withUsageKey()], 60, plan).gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "refused", problem: "invalid-api-key", reason: expect.stringMatching(/missing/) });
    expect(await authorizer([withUsageKey("usage-key-revoked")], 60, plan).gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "refused", problem: "invalid-api-key", reason: expect.stringMatching(/not a key of the usage plan/) });
    expect(GATEWAY_PROBLEM_RESPONSES["invalid-api-key"]).toMatchObject({ status: 403, errorType: "ForbiddenException" });
  });

  it("caches an allow per header value for the TTL and checks its policy against each request's method ARN", async () => {
    const { gateway, invoked, advance } = authorizer([allow(methodArn("*", "/payments"))]);
    expect(await gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "allowed" });
    expect(await gateway.authorize(event("GET", "/payments/1", ["Bearer k"]))).toMatchObject({ kind: "refused", problem: "access-denied" });
    expect(await gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "allowed", authorizer: { integrationLatency: 0 } });
    expect(invoked).toHaveLength(1);
    await gateway.authorize(event("POST", "/payments", ["Bearer other"]));
    await gateway.authorize(event("POST", "/payments", ["Bearer k", "Bearer other"]));
    expect(invoked).toHaveLength(3);
    advance(60_000);
    await gateway.authorize(event("POST", "/payments", ["Bearer k"]));
    expect(invoked).toHaveLength(4);
  });

  it("caches an Unauthorized refusal; never caches a failure (503), whatever failed", async () => {
    const refused = authorizer([{ kind: "failed", error: { name: "Error", message: "Unauthorized" } }]);
    for (let i = 0; i < 2; i++) expect(await refused.gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "refused", problem: "unauthorized" });
    expect(refused.invoked).toHaveLength(1);

    const failures: (InvokeOutcome | PoolRefusal)[] = [
      { kind: "failed", error: { name: "AuthorizerFailure", message: "The API keys table could not be read" } },
      { kind: "timeout" },
      { kind: "crashed", error: { name: "Exit", message: "exit 1" } },
      // Its pool's refusals: a replacement container that failed its init, a full queue.
      { kind: "init-failed", error: new InitError({ name: "Error", message: "API_KEYS_TABLE is required" }) },
      { kind: "throttled" },
      { kind: "result", result: { principalId: "m" } },
      { kind: "result", result: { principalId: "m", policyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, context: { nested: {} } } },
      allow("*"),
    ];
    const failing = authorizer(failures);
    for (let i = 0; i < 7; i++) expect(await failing.gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "refused", problem: "authorizer-failure" });
    expect(await failing.gateway.authorize(event("POST", "/payments", ["Bearer k"]))).toMatchObject({ kind: "allowed" });
    expect(failing.invoked).toHaveLength(8);
  });

  it("shares one invocation among concurrent misses of one header when caching; with TTL 0 invokes for every request", async () => {
    const cached = authorizer([allow("*")]);
    await Promise.all(Array.from({ length: 4 }, () => cached.gateway.authorize(event("POST", "/payments", ["Bearer k"]))));
    expect(cached.invoked).toHaveLength(1);
    const uncached = authorizer([allow("*")], 0);
    await Promise.all(Array.from({ length: 4 }, () => uncached.gateway.authorize(event("POST", "/payments", ["Bearer k"]))));
    await uncached.gateway.authorize(event("POST", "/payments", ["Bearer k"]));
    expect(uncached.invoked).toHaveLength(5);
  });
});

describe("gatewayProblem", () => {
  it.each(Object.keys(GATEWAY_PROBLEM_RESPONSES) as GatewayProblem[])("%s is the stack's gateway response (libs/serverless-api GATEWAY_PROBLEMS), body and headers", (kind) => {
    const local = GATEWAY_PROBLEM_RESPONSES[kind];
    const problem = GATEWAY_PROBLEMS.find((candidate) => candidate.responseType === local.answeredBy.responseType);
    expect(problem).toBeDefined();
    const definition = gatewayResponseDefinition(problem!);
    const reply = gatewayProblem(kind, "req-1");
    expect(String(reply.status)).toBe(definition.statusCode ?? String(local.status));
    expect(reply.body.toString()).toBe(definition.responseTemplates["application/json"]!.replace("$context.requestId", "req-1"));
    const headers = Object.fromEntries(Object.entries(definition.responseParameters).map(([name, value]) => [name.replace("gatewayresponse.header.", ""), value.replace(/^'|'$/g, "")]));
    expect(reply.headers).toMatchObject(headers);
    expect(reply.headers).toMatchObject({ "x-amzn-RequestId": "req-1", "x-amzn-ErrorType": local.errorType, "Content-Length": reply.body.length });
  });

  it("covers the three verdicts: 401 with WWW-Authenticate, 403, 503 with Retry-After", () => {
    expect(gatewayProblem("unauthorized", "r")).toMatchObject({ status: 401, headers: { "WWW-Authenticate": "Bearer", "Content-Type": "application/problem+json" } });
    expect(gatewayProblem("access-denied", "r").status).toBe(403);
    expect(gatewayProblem("authorizer-failure", "r")).toMatchObject({ status: 503, headers: { "Retry-After": "2" } });
  });

  it("answers a type the stack does not configure with its DEFAULT_4XX or DEFAULT_5XX, at the status API Gateway gives that type", () => {
    const answer = (kind: GatewayProblem) => [GATEWAY_PROBLEM_RESPONSES[kind].answeredBy.responseType, gatewayProblem(kind, "r").status];
    expect(answer("too-large")).toEqual(["DEFAULT_4XX", 413]);
    expect(answer("invalid-api-key")).toEqual(["DEFAULT_4XX", 403]);
    expect(answer("integration-failure")).toEqual(["DEFAULT_5XX", 502]);
    expect(answer("throttled")).toEqual(["THROTTLED", 429]);
    expect(gatewayProblem("throttled", "r").headers).toMatchObject({ "Retry-After": "1", "Content-Type": "application/problem+json" });
    // The stack's DEFAULT_4XX names no status, so neither does the body.
    expect(JSON.parse(gatewayProblem("too-large", "r").body.toString())).toEqual({
      type: "tag:payments-dr,2025:problems/request-rejected",
      title: "Request rejected",
      detail: expect.stringMatching(/^API Gateway rejected the request before the service saw it\. Check its method and path against the API's routes \(POST \/payments, GET \/payments\/\{id\}, GET \/health\)/),
      requestId: "r",
    });
  });

  it("answers an undeclared path or method with the stack's 404; with an Authorization header, read as a bad signature, with its DEFAULT_4XX 403", () => {
    const answer = (kind: GatewayProblem) => [GATEWAY_PROBLEM_RESPONSES[kind].answeredBy.responseType, gatewayProblem(kind, "r").status, gatewayProblem(kind, "r").headers["x-amzn-ErrorType"]];
    expect(answer("missing-route")).toEqual(["MISSING_AUTHENTICATION_TOKEN", 404, "MissingAuthenticationTokenException"]);
    expect(answer("missing-route-with-authorization")).toEqual(["DEFAULT_4XX", 403, "IncompleteSignatureException"]);
    expect(JSON.parse(gatewayProblem("missing-route", "r").body.toString())).toMatchObject({ type: "tag:payments-dr,2025:problems/not-found", status: 404, requestId: "r" });
  });
});

describe("parseServeArgs", () => {
  it("defaults to port 3000, one container, sessions from the environment, merchant-42, a 60 s authorizer cache, the stack's 10 s function timeout", () => {
    expect(parseServeArgs([])).toEqual({ port: 3000, concurrency: 1, sessions: undefined, merchant: "merchant-42", authCacheTtlS: 60, timeoutS: 10, quiet: false });
    expect(
      parseServeArgs(["--port", "0", "--concurrency", "8", "--sessions", "local", "--merchant", "shop_7", "--auth-cache-ttl", "0", "--timeout-seconds", "28", "--quiet"]),
    ).toEqual({
      port: 0,
      concurrency: 8,
      sessions: "local",
      merchant: "shop_7",
      authCacheTtlS: 0,
      timeoutS: 28,
      quiet: true,
    });
  });

  it.each(["--port x", "--concurrency 0", "--sessions aws", "--merchant a", "--merchant -x1", "--auth-cache-ttl 3601", "--auth-cache-ttl -1", "--timeout-seconds 0", "--timeout-seconds 29", "--nope"])("refuses %s, naming the option", (line) => {
    const argv = line.split(" ");
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(argv[0]);
  });
});

describe("built", () => {
  it("names the build to run when a bundle is missing (serve or bench started before the build)", () => {
    expect(() => built("/nonexistent/dist/libs/payment-lambda/api/index.js", "payment-lambda")).toThrow(/index\.js is missing: run `npx nx run payment-lambda:build` first/);
  });
});

describe("send", () => {
  it("refuses any host but 127.0.0.1, and https, before sending anything", async () => {
    for (const url of ["http://localhost:3000/health", "http://example.com/payments", "https://127.0.0.1:3000/health"]) {
      await expect(send(url)).rejects.toThrow(/only http:\/\/127\.0\.0\.1 is allowed/);
    }
  });
});
