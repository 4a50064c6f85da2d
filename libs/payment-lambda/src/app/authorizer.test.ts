import { createHash, timingSafeEqual } from "node:crypto";
import { NumberValue, PutCommand } from "@aws-sdk/lib-dynamodb";
import { newApiKey, parseApiKey, type ApiKeyRecord } from "@payments-dr/api-keys";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import type { AuthorizerSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { freePort } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { authorizerEvent, FIXTURE_API, methodArn } from "../test-support/events";
import { RecordingMetrics } from "../test-support/runtime";
import { MERCHANT_ROUTE_RESOURCES } from "../auth/policy";
import { HANDLED_ROUTES } from "../http/router";
import { AuthorizerFailure, createAuthorizerHandler, UNAUTHORIZED, type AuthorizerHandler } from "./authorizer";
import { createAuthorizerRuntime, type AuthorizerRuntime } from "./authorizer-runtime";

// The real hashing and comparison, observed: how much of each one authorization costs.
jest.mock("node:crypto", () => {
  const actual = jest.requireActual<typeof import("node:crypto")>("node:crypto");
  return { ...actual, createHash: jest.fn(actual.createHash), timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

let dynamo: LocalDynamo;
let runtime: AuthorizerRuntime;
let authorize: AuthorizerHandler;

const settings = (changes: Partial<AuthorizerSettings> = {}): AuthorizerSettings => ({
  apiKeysTable: dynamo.apiKeysTable,
  dynamodbEndpoint: dynamo.endpoint,
  observability: { serviceName: "payments-test", metricsNamespace: "PaymentsDrTest", logLevel: "SILENT" },
  ...changes,
});

/** A key as the keys CLI creates it, stored in the local table. */
async function storedKey(merchantId: string, changes: Partial<ApiKeyRecord> = {}, usageKey?: string): Promise<{ apiKey: string; record: ApiKeyRecord }> {
  const created = newApiKey({ merchantId, label: "test", usageKey });
  const record = { ...created.record, ...changes };
  await dynamo.documents.send(new PutCommand({ TableName: dynamo.apiKeysTable, Item: record }));
  return { apiKey: created.apiKey, record };
}

/** The same key with another secret of the right shape. */
function withWrongSecret(apiKey: string): string {
  const { keyId, secret } = parseApiKey(apiKey)!;
  return `pdr_${keyId}_${secret.startsWith("A") ? "B" : "A"}${secret.slice(1)}`;
}

const bearer = (apiKey: string) => `Bearer ${apiKey}`;

const metrics = new RecordingMetrics();
let active: { apiKey: string; record: ApiKeyRecord };
let revoked: { apiKey: string; record: ApiKeyRecord };
let unknownKey: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  runtime = createAuthorizerRuntime(settings(), { dynamoDb: LOCAL_DYNAMODB_CONFIG, metrics });
  authorize = createAuthorizerHandler(runtime);
  active = await storedKey("merchant-1", {}, "usage-key-merchant-1-0123456789");
  revoked = await storedKey("merchant-1", { status: "revoked", revokedAt: "2026-01-02T00:00:00.000Z" });
  // Well-formed, never stored.
  unknownKey = newApiKey({ merchantId: "merchant-1" }).apiKey;
});
afterAll(async () => {
  await dynamo?.stop();
});

/** Whether the policy lets API Gateway invoke `arn` (IAM matching: `*` is any run of characters). */
function allows(result: APIGatewayAuthorizerResult, arn: string): boolean {
  return result.policyDocument.Statement.some((statement) => {
    const actions = "Action" in statement ? [statement.Action].flat() : [];
    const resources = "Resource" in statement && statement.Resource !== undefined ? [statement.Resource].flat() : [];
    const matches = (pattern: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`).test(arn);
    return statement.Effect === "Allow" && actions.includes("execute-api:Invoke") && resources.some(matches);
  });
}

describe("the authorizer, against a local DynamoDB with the real hashing", () => {
  it("allows a valid key: the payments routes of this API and stage, the merchant and key in the context, the merchant's usage key", async () => {
    const result = await authorize(authorizerEvent({ authorization: bearer(active.apiKey) }));
    const base = `arn:aws:execute-api:${FIXTURE_API.region}:${FIXTURE_API.accountId}:${FIXTURE_API.apiId}/${FIXTURE_API.stage}`;
    expect(result).toEqual({
      principalId: "merchant-1",
      policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: [`${base}/POST/payments`, `${base}/GET/payments/*`] }] },
      context: { merchantId: "merchant-1", keyId: active.record.keyId },
      usageIdentifierKey: "usage-key-merchant-1-0123456789",
    });
  });

  it("takes the merchant from the key's record only: a header, query or path naming another merchant changes nothing", async () => {
    const event = authorizerEvent({ authorization: bearer(active.apiKey) });
    const spoofed = {
      ...event,
      headers: { ...event.headers, "X-Merchant-Id": "merchant-2", "x-merchant-id": "merchant-2", merchantId: "merchant-2" },
      queryStringParameters: { merchantId: "merchant-2" },
      pathParameters: { merchantId: "merchant-2" },
    };
    const result = await authorize(spoofed);
    expect(result.principalId).toBe("merchant-1");
    expect(result.context).toEqual({ merchantId: "merchant-1", keyId: active.record.keyId });
  });

  it("reads the keys table in its own region: its client takes the region Lambda runs it in (AWS_REGION), named nowhere else", async () => {
    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-2";
    try {
      const deployed = createAuthorizerRuntime(settings({ dynamodbEndpoint: undefined }));
      expect(await (await deployed.dynamoDb()).client.config.region()).toBe("us-east-2");
    } finally {
      if (region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = region;
    }
  });

  it("leaves usageIdentifierKey out for a key without a usage key", async () => {
    const plain = await storedKey("merchant-2");
    const result = await authorize(authorizerEvent({ authorization: bearer(plain.apiKey) }));
    expect(result.context).toEqual({ merchantId: "merchant-2", keyId: plain.record.keyId });
    expect(result).not.toHaveProperty("usageIdentifierKey");
  });

  it.each([
    ["a lower-case scheme", (key: string) => `bearer ${key}`, "Authorization"],
    ["an upper-case scheme", (key: string) => `BEARER ${key}`, "Authorization"],
    ["a lower-case header name", (key: string) => `Bearer ${key}`, "authorization"],
  ])("reads the header whatever the case of the scheme or name (RFC 9110): %s", async (_name, header, headerName) => {
    const result = await authorize(authorizerEvent({ authorization: header(active.apiKey), headerName }));
    expect(result.principalId).toBe("merchant-1");
  });

  const refusals: [string, () => Parameters<typeof authorizerEvent>[0]][] = [
    ["an unknown key", () => ({ authorization: bearer(unknownKey) })],
    ["a revoked key", () => ({ authorization: bearer(revoked.apiKey) })],
    ["a wrong secret", () => ({ authorization: bearer(withWrongSecret(active.apiKey)) })],
    ["a revoked key with a wrong secret", () => ({ authorization: bearer(withWrongSecret(revoked.apiKey)) })],
    ["no Authorization header", () => ({ authorization: null })],
    ["an empty header", () => ({ authorization: "" })],
    ["another scheme", () => ({ authorization: `Basic ${Buffer.from(`x:${active.apiKey}`).toString("base64")}` })],
    ["the key without a scheme", () => ({ authorization: active.apiKey })],
    ["a token not in the key format", () => ({ authorization: "Bearer not-a-key" })],
    ["the key with something after it", () => ({ authorization: `${bearer(active.apiKey)} extra` })],
    ["the key truncated", () => ({ authorization: bearer(active.apiKey.slice(0, -1)) })],
    ["an upper-case key id", () => ({ authorization: bearer(active.apiKey.replace(active.record.keyId, active.record.keyId.toUpperCase())) })],
    ["two Authorization headers", () => ({ authorization: [bearer(active.apiKey), bearer(active.apiKey)] })],
  ];

  it.each(refusals)("refuses %s with Error(\"Unauthorized\"), API Gateway's 401", async (_name, changes) => {
    const refusal = (await authorize(authorizerEvent(changes())).then(
      () => undefined,
      (e: unknown) => e as Error,
    ))!;
    expect(refusal).toEqual(new Error(UNAUTHORIZED));
    // Lambda's runtime logs the thrown error with its stack: a refusal carries no frames.
    expect(refusal.stack).toBe(`Error: ${UNAUTHORIZED}`);
  });

  it("treats a malformed stored item as an unknown key", async () => {
    const broken = await storedKey("merchant-3", { secretHash: "not-hex" });
    await expect(authorize(authorizerEvent({ authorization: bearer(broken.apiKey) }))).rejects.toThrow(new Error(UNAUTHORIZED));
  });

  it("fails differently when DynamoDB cannot answer (AUTHORIZER_FAILURE → 503, not a cached 401)", async () => {
    const warn = jest.fn();
    const error = jest.fn();
    const logger = { resetKeys: jest.fn(), addContext: jest.fn(), appendKeys: jest.fn(), info: jest.fn(), warn, error } as never;
    const downMetrics = new RecordingMetrics();
    const down = createAuthorizerHandler(
      createAuthorizerRuntime(settings({ dynamodbEndpoint: `http://127.0.0.1:${await freePort()}` }), { dynamoDb: LOCAL_DYNAMODB_CONFIG, logger, metrics: downMetrics }),
    );
    const started = Date.now();
    const failure = await down(authorizerEvent({ authorization: bearer(active.apiKey) })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuthorizerFailure);
    expect((failure as Error).message).not.toBe(UNAUTHORIZED);
    expect((failure as Error).stack).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toHaveBeenCalledWith("API key lookup failed", { error: expect.objectContaining({ name: expect.any(String), message: expect.any(String) }) });
    expect(JSON.stringify(error.mock.calls)).not.toContain(parseApiKey(active.apiKey)!.secret);
    expect(downMetrics.counts).toEqual({ AuthorizerFailed: 1 });
  });

  it("counts every answer: allowed, denied", async () => {
    const before = { ...metrics.counts };
    await authorize(authorizerEvent({ authorization: bearer(active.apiKey) }));
    await authorize(authorizerEvent({ authorization: bearer(revoked.apiKey) })).catch(() => undefined);
    await authorize(authorizerEvent({ authorization: null })).catch(() => undefined);
    expect((metrics.counts.AuthorizerAllowed ?? 0) - (before.AuthorizerAllowed ?? 0)).toBe(1);
    expect((metrics.counts.AuthorizerDenied ?? 0) - (before.AuthorizerDenied ?? 0)).toBe(2);
  });

  it("treats an item holding a number no JavaScript number can hold as malformed (401), not as an unreadable table (503, which would also tell the key id exists)", async () => {
    const key = newApiKey({ merchantId: "merchant-9" });
    await dynamo.documents.send(
      new PutCommand({ TableName: dynamo.apiKeysTable, Item: { ...key.record, status: "revoked", note: NumberValue.from("12345678901234567.5") } }),
    );
    await expect(authorize(authorizerEvent({ authorization: bearer(key.apiKey) }))).rejects.toThrow(new Error(UNAUTHORIZED));
  });

  it("answers a request path holding a '*' as any other (API Gateway puts the request's own path in the method ARN): 401 for a bad key, the usual policy for a good one", async () => {
    const path = "/payments/*";
    await expect(authorize(authorizerEvent({ method: "GET", path, resource: "/payments/{id}", authorization: "junk" }))).rejects.toThrow(new Error(UNAUTHORIZED));
    const allowed = await authorize(authorizerEvent({ method: "GET", path, resource: "/payments/{id}", authorization: bearer(active.apiKey) }));
    expect(allowed.policyDocument).toEqual((await authorize(authorizerEvent({ authorization: bearer(active.apiKey) }))).policyDocument);
  });

  it("fails (not 401) for an event that carries no execute-api method ARN: another ARN, or none (not invoked by API Gateway)", async () => {
    await expect(authorize(authorizerEvent({ authorization: bearer(active.apiKey), methodArn: "arn:aws:lambda:eu-west-1:123456789012:function:x" }))).rejects.toBeInstanceOf(AuthorizerFailure);
    const { methodArn: _methodArn, ...withoutArn } = authorizerEvent({ authorization: bearer(active.apiKey) });
    await expect(authorize(withoutArn as APIGatewayRequestAuthorizerEvent)).rejects.toBeInstanceOf(AuthorizerFailure);
  });
});

describe("cache-key correctness: API Gateway caches the answer by the Authorization header and reuses it for the key's other routes", () => {
  const paymentId = "0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60";
  let fromPost: APIGatewayAuthorizerResult;

  beforeAll(async () => {
    fromPost = await authorize(authorizerEvent({ method: "POST", path: "/payments", authorization: bearer(active.apiKey) }));
  });

  it("the policy of a POST /payments also covers GET /payments/{id} of the same API and stage", () => {
    expect(allows(fromPost, methodArn("POST", "/payments"))).toBe(true);
    expect(allows(fromPost, methodArn("GET", `/payments/${paymentId}`))).toBe(true);
  });

  it.each([
    ["another stage", methodArn("POST", "/payments", { ...FIXTURE_API, stage: "staging" })],
    ["another API", methodArn("POST", "/payments", { ...FIXTURE_API, apiId: "a1b2c3d4e5" })],
    ["the other region", methodArn("POST", "/payments", { ...FIXTURE_API, region: "us-east-2" })],
    ["another account", methodArn("POST", "/payments", { ...FIXTURE_API, accountId: "210987654321" })],
    ["/health", methodArn("GET", "/health")],
    ["a sibling of /payments", methodArn("GET", "/payments-export")],
    ["another method of /payments", methodArn("DELETE", "/payments")],
    ["another method of /payments/{id}", methodArn("PUT", `/payments/${paymentId}`)],
    ["a route nested elsewhere that ends in /payments", methodArn("POST", "/merchants/m-1/payments")],
  ])("and nothing of %s", (_name, arn) => {
    expect(allows(fromPost, arn)).toBe(false);
  });

  it("names exactly the router's routes but /health: a route added to the handler must be added to the policy (or be refused)", () => {
    const policyRoutes = MERCHANT_ROUTE_RESOURCES.map((resource) => resource.replace("/", " /").replace(/\*$/, "{id}"));
    expect(policyRoutes).toEqual(HANDLED_ROUTES.filter((route) => route !== "GET /health"));
  });

  it("a GET /payments/{id} gets the same answer, so whichever route fills the cache, the other is served right", async () => {
    const fromGet = await authorize(authorizerEvent({ method: "GET", path: `/payments/${paymentId}`, resource: "/payments/{id}", authorization: bearer(active.apiKey) }));
    expect(fromGet).toEqual(fromPost);
  });
});

describe("timing: every well-formed key costs the same work, whatever the answer", () => {
  it("one SHA-256 and one constant-time comparison of 32-byte digests for unknown, revoked, wrong and right", async () => {
    const hash = jest.mocked(createHash);
    const compare = jest.mocked(timingSafeEqual);
    // Counted from the moment the item is read: the SDK's own request signing is not the authorizer's work.
    const counting = { ...runtime, keys: { get: async (keyId: string) => {
      const item = await runtime.keys.get(keyId);
      hash.mockClear();
      compare.mockClear();
      return item;
    } } };
    const observed = createAuthorizerHandler(counting);
    const cases: [string, string][] = [
      ["unknown", unknownKey],
      ["revoked", revoked.apiKey],
      ["wrong", withWrongSecret(active.apiKey)],
      ["right", active.apiKey],
    ];
    const work: Record<string, unknown> = {};
    for (const [name, apiKey] of cases) {
      await observed(authorizerEvent({ authorization: bearer(apiKey) })).catch(() => undefined);
      work[name] = {
        sha256: hash.mock.calls.filter(([algorithm]) => algorithm === "sha256").length,
        comparisons: compare.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]),
      };
    }
    const same = { sha256: 1, comparisons: [[32, 32]] };
    expect(work).toEqual({ unknown: same, revoked: same, wrong: same, right: same });
  });
});

describe("logs", () => {
  it("never contain the header, the key, its secret, salt or hash; they name the key id once it parsed", async () => {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, "write").mockImplementation(capture), jest.spyOn(process.stderr, "write").mockImplementation(capture)];
    const verboseSettings = settings({ observability: { ...settings().observability, logLevel: "DEBUG" } });
    const verbose = createAuthorizerHandler(createAuthorizerRuntime(verboseSettings, { dynamoDb: LOCAL_DYNAMODB_CONFIG, logger: createLogger(verboseSettings.observability) }));
    const down = createAuthorizerHandler(
      createAuthorizerRuntime(settings({ ...verboseSettings, dynamodbEndpoint: `http://127.0.0.1:${await freePort()}` }), { dynamoDb: LOCAL_DYNAMODB_CONFIG, logger: createLogger(verboseSettings.observability) }),
    );
    const wrong = withWrongSecret(active.apiKey);
    try {
      for (const header of [bearer(active.apiKey), bearer(revoked.apiKey), bearer(wrong), bearer(unknownKey), "Bearer not-a-key", `bearer ${active.apiKey}`]) {
        await verbose(authorizerEvent({ authorization: header })).catch(() => undefined);
      }
      await down(authorizerEvent({ authorization: bearer(active.apiKey) })).catch(() => undefined);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    const logs = written.join("");
    expect(logs).toContain('"message":"Authorized"');
    expect(logs).toContain('"reason":"wrong-secret"');
    expect(logs).toContain('"message":"API key lookup failed"');
    expect(logs).toContain(`"keyId":"${active.record.keyId}"`);
    for (const secretValue of [active.apiKey, parseApiKey(active.apiKey)!.secret, active.record.salt, active.record.secretHash, revoked.apiKey, parseApiKey(revoked.apiKey)!.secret, revoked.record.secretHash, wrong, parseApiKey(wrong)!.secret, unknownKey, "not-a-key"]) {
      expect(logs).not.toContain(secretValue);
    }
    expect(logs).not.toMatch(/bearer/i);
    expect(logs).not.toMatch(/"stack"|\n\s+at /);
  });
});
