import fixture from "../../../libs/payment-lambda/src/test-support/fixtures/rest-v1-post-no-auth.json";
import { parseServeArgs, UsageError } from "./cli-args";
import { matchResource, requestTime, toProxyEvent, type AdapterRequest } from "./event";
import { fromProxyResult } from "./response";

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
    expect(keyPaths(toProxyEvent(request())).sort()).toEqual(keyPaths(fixture).sort());
  });

  it("fills the request context like API Gateway, for stage local", () => {
    const event = toProxyEvent(request());
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
    const event = toProxyEvent(request({ rawHeaders: ["Idempotency-Key", "a", "idempotency-key", "b", "X-Forwarded-For", "10.0.0.1"] }));
    expect(event.headers["Idempotency-Key"]).toBe("b");
    expect(event.multiValueHeaders["Idempotency-Key"]).toEqual(["a", "b"]);
    expect(event.headers["X-Forwarded-For"]).toBe("10.0.0.1, 127.0.0.1");
    expect(event.headers).toMatchObject({ "X-Forwarded-Port": "3000", "X-Forwarded-Proto": "http" });
    expect(event.headers["X-Amzn-Trace-Id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("passes query strings single- and multi-valued, null when there are none", () => {
    expect(toProxyEvent(request({ method: "GET", target: "/health?a=1&a=2&b=x%20y" }))).toMatchObject({
      path: "/health",
      queryStringParameters: { a: "2", b: "x y" },
      multiValueQueryStringParameters: { a: ["1", "2"], b: ["x y"] },
    });
    expect(toProxyEvent(request()).queryStringParameters).toBeNull();
  });

  it("maps /payments/{id} with its path parameter, and any other path to a greedy proxy", () => {
    expect(matchResource("/payments/9f1c")).toEqual({ resource: "/payments/{id}", pathParameters: { id: "9f1c" } });
    expect(matchResource("/payments")).toEqual({ resource: "/payments", pathParameters: null });
    expect(matchResource("/health/")).toEqual({ resource: "/health", pathParameters: null });
    expect(matchResource("/refunds/1")).toEqual({ resource: "/{proxy+}", pathParameters: { proxy: "refunds/1" } });
  });

  it("never produces base64: a binary body is passed as UTF-8 text, an empty one as null", () => {
    const binary = toProxyEvent(request({ body: Buffer.from([0xff, 0x00, 0x89, 0x50]) }));
    expect(binary.isBase64Encoded).toBe(false);
    expect(binary.body).toBe(Buffer.from([0xff, 0x00, 0x89, 0x50]).toString("utf8"));
    expect(toProxyEvent(request({ method: "GET", body: Buffer.alloc(0) })).body).toBeNull();
  });
});

describe("fromProxyResult", () => {
  it("merges headers and multiValueHeaders as API Gateway does (multi wins) and sets the length", () => {
    const reply = fromProxyResult({ statusCode: 201, headers: { "Content-Type": "application/json", Vary: "a", "Content-Length": "999" }, multiValueHeaders: { Vary: ["b", "c"] }, body: "{}" }, "req-1");
    expect(reply.status).toBe(201);
    expect(reply.headers).toEqual({ "Content-Type": "application/json", Vary: ["b", "c"], "x-amzn-RequestId": "req-1", "Content-Length": 2 });
    expect(reply.body.toString()).toBe("{}");
  });

  it("decodes a base64 result body, and answers 502 for a result that is not a proxy result", () => {
    expect(fromProxyResult({ statusCode: 200, body: Buffer.from("hi").toString("base64"), isBase64Encoded: true }, "r").body.toString()).toBe("hi");
    for (const result of [undefined, { statusCode: "200" }, { statusCode: 200, body: {} }, { statusCode: 200, headers: { a: {} } }]) {
      const reply = fromProxyResult(result, "r");
      expect(reply.status).toBe(502);
      expect(JSON.parse(reply.body.toString())).toEqual({ message: "Internal server error" });
    }
  });
});

describe("parseServeArgs", () => {
  it("defaults to port 3000, one container, sessions from the environment", () => {
    expect(parseServeArgs([])).toEqual({ port: 3000, concurrency: 1, sessions: undefined, quiet: false });
    expect(parseServeArgs(["--port", "0", "--concurrency", "8", "--sessions", "local", "--quiet"])).toEqual({ port: 0, concurrency: 8, sessions: "local", quiet: true });
  });

  it.each(["--port x", "--concurrency 0", "--sessions aws", "--nope"])("refuses %s, naming the option", (line) => {
    const argv = line.split(" ");
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(argv[0]);
  });
});
