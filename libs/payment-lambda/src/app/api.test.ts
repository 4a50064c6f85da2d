import type { Context } from "aws-lambda";
import { CURRENCY_CODES } from "../payments/currencies";
import { countRows, migrate, startPostgres, urlOnPort, withClient, type PostgresServer } from "../test-support/database";
import { apiEvent, getHealth, getPayment, postPayment, TEST_CALLER, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, problemOf, testApi, testSettings, type TestApi } from "../test-support/runtime";

let server: PostgresServer;
let api: TestApi;

beforeAll(async () => {
  server = await startPostgres();
  await migrate(server.url);
  api = testApi(testSettings(server.url));
});
afterAll(async () => {
  await api?.close();
  await server?.stop();
});

const PROBLEM_JSON = "application/problem+json";

describe("the API Gateway REST fixture, adapted only in method, path, headers and body", () => {
  it("creates a payment (201) and reads it back (200), amount an integer", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "fixture-key-1"));
    expect(created.statusCode).toBe(201);
    expect(created.headers?.["Content-Type"]).toBe("application/json");
    expect(created.headers?.["Cache-Control"]).toBe("no-store");
    const payment = paymentOf(created);
    expect(payment).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      merchantId: "merchant-42",
      amount: 1050,
      currency: "EUR",
      status: "created",
      reference: "order-1001",
      description: "Two coffees",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    // The fixture was captured on the default endpoint, where the path starts with the stage.
    expect(created.headers?.Location).toBe(`/prod/payments/${payment.id}`);
    expect(created.body).toContain('"amount":1050');

    const read = await api.handler(getPayment(payment.id));
    expect(read.statusCode).toBe(200);
    expect(paymentOf(read)).toEqual(payment);
  });

  it("points Location where the caller reads the payment: no stage behind a custom domain (the failover domain), its replay too", async () => {
    const viaDomain = (event: ReturnType<typeof postPayment>) => {
      event.requestContext.domainName = "pay.example.com";
      return event;
    };
    const created = await api.handler(viaDomain(postPayment(VALID_PAYMENT, "fixture-key-domain")));
    expect(created.headers?.Location).toBe(`/payments/${paymentOf(created).id}`);
    const replayed = await api.handler(viaDomain(postPayment(VALID_PAYMENT, "fixture-key-domain")));
    expect(replayed.headers?.Location).toBe(created.headers?.Location);
  });

  it("keeps the largest accepted amount exact end to end (bigint, never a float)", async () => {
    const created = await api.handler(postPayment({ ...VALID_PAYMENT, amount: 1_000_000_000_000, currency: "JPY" }, "fixture-key-max"));
    expect(created.statusCode).toBe(201);
    expect(created.body).toContain('"amount":1000000000000');
    const read = await api.handler(getPayment(paymentOf(created).id));
    expect(read.body).toContain('"amount":1000000000000');
  });

  it("accepts every field at its bound: reference 64 and description 255 characters (code points, as varchar counts them: 🍩 is one), Idempotency-Key 255", async () => {
    const atBounds = { ...VALID_PAYMENT, reference: "r".repeat(64), description: "🍩".repeat(255) };
    const created = await api.handler(postPayment(atBounds, "k".repeat(255)));
    expect(created.statusCode).toBe(201);
    const read = await api.handler(getPayment(paymentOf(created).id));
    expect(paymentOf(read)).toMatchObject({ reference: atBounds.reference, description: atBounds.description });
  });

  it.each([
    ["in any case, with a parameter", { "Content-Type": "Application/JSON; charset=UTF-8" }],
    ["as a +json type", { "Content-Type": "application/vnd.api+json" }],
    ["absent", {}],
  ])("accepts a JSON body with its Content-Type %s", async (name, contentType) => {
    const event = apiEvent({ method: "POST", path: "/payments", headers: { "Idempotency-Key": `media-type-${name}`, ...contentType }, body: JSON.stringify(VALID_PAYMENT) });
    expect((await api.handler(event)).statusCode).toBe(201);
  });

  it("quotes API Gateway's request id in a problem, Lambda's only when the event has none", async () => {
    const context = { awsRequestId: "lambda-request-1" } as Context;
    expect(problemOf(await api.handler(apiEvent({ caller: null }), context)).requestId).toBe("f88e38e3-2060-4a56-93c0-9efbc6a659a0");
    expect(problemOf(await api.handler({} as never, context)).requestId).toBe("lambda-request-1");
  });

  it("creates and reads back a payment in every currency of the allowlist (CURRENCY_CODES): each one the database's currency column accepts", async () => {
    for (const currency of CURRENCY_CODES) {
      const created = await api.handler(postPayment({ ...VALID_PAYMENT, currency }, `fixture-key-${currency}`));
      expect({ currency, status: created.statusCode }).toEqual({ currency, status: 201 });
      const read = await api.handler(getPayment(paymentOf(created).id));
      expect(paymentOf(read)).toMatchObject({ currency });
    }
  });

  it("answers the fixture as captured (POST /no-auth, body null, no authorizer) with a 404 problem", async () => {
    const response = await api.handler(apiEvent({ caller: null }));
    expect(response.statusCode).toBe(404);
    expect(response.headers?.["Content-Type"]).toBe(PROBLEM_JSON);
    expect(problemOf(response)).toMatchObject({ status: 404, requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0" });
  });
});

describe("bad input: a 4xx problem naming the field, and nothing written", () => {
  const longKey = "k".repeat(256);
  /** A valid payment but for its description, padded so that the body is `bytes` long. */
  const bodyOfBytes = (bytes: number) => JSON.stringify({ ...VALID_PAYMENT, description: "x".repeat(bytes - JSON.stringify({ ...VALID_PAYMENT, description: "" }).length) });
  const cases: [string, () => ReturnType<typeof postPayment>, number, string][] = [
    ["non-JSON body", () => postPayment("{amount: 10", "bad-1"), 400, "body"],
    ["a JSON array", () => postPayment("[1,2]", "bad-2"), 400, "body"],
    ["JSON null", () => postPayment("null", "bad-3"), 400, "body"],
    ["amount as a string", () => postPayment({ ...VALID_PAYMENT, amount: "1050" }, "bad-4"), 400, "amount"],
    ["amount zero", () => postPayment({ ...VALID_PAYMENT, amount: 0 }, "bad-5"), 400, "amount"],
    ["a negative amount", () => postPayment({ ...VALID_PAYMENT, amount: -5 }, "bad-6"), 400, "amount"],
    ["a fractional amount", () => postPayment({ ...VALID_PAYMENT, amount: 10.5 }, "bad-7"), 400, "amount"],
    ["an amount over 10^12", () => postPayment({ ...VALID_PAYMENT, amount: 1_000_000_000_001 }, "bad-8"), 400, "amount"],
    ["an unsafe integer amount", () => postPayment('{"amount":9007199254740993,"currency":"EUR"}', "bad-9"), 400, "amount"],
    ["a missing amount", () => postPayment({ currency: "EUR" }, "bad-10"), 400, "amount"],
    // XXX is ISO 4217's "no currency" code: well-formed, but not on the allowlist.
    ["an unknown currency", () => postPayment({ ...VALID_PAYMENT, currency: "XXX" }, "bad-11"), 400, "currency"],
    ["a lowercase currency", () => postPayment({ ...VALID_PAYMENT, currency: "eur" }, "bad-12"), 400, "currency"],
    ["a numeric currency", () => postPayment({ ...VALID_PAYMENT, currency: 978 }, "bad-13"), 400, "currency"],
    ["a merchantId (the merchant comes from the API key)", () => postPayment({ ...VALID_PAYMENT, merchantId: "merchant-43" }, "bad-14"), 400, "merchantId"],
    ["a malformed merchantId", () => postPayment({ ...VALID_PAYMENT, merchantId: "bad id!" }, "bad-15"), 400, "merchantId"],
    ["a null merchantId", () => postPayment({ ...VALID_PAYMENT, merchantId: null }, "bad-16"), 400, "merchantId"],
    ["an empty reference", () => postPayment({ ...VALID_PAYMENT, reference: "" }, "bad-37"), 400, "reference"],
    ["an over-long reference", () => postPayment({ ...VALID_PAYMENT, reference: "r".repeat(65) }, "bad-17"), 400, "reference"],
    ["a null reference", () => postPayment({ ...VALID_PAYMENT, reference: null }, "bad-18"), 400, "reference"],
    ["an over-long description", () => postPayment({ ...VALID_PAYMENT, description: "d".repeat(256) }, "bad-19"), 400, "description"],
    ["a control character in description", () => postPayment({ ...VALID_PAYMENT, description: "a\u0000b" }, "bad-20"), 400, "description"],
    ["a line break in reference", () => postPayment({ ...VALID_PAYMENT, reference: "order\n1001" }, "bad-38"), 400, "reference"],
    ["an unknown field", () => postPayment({ ...VALID_PAYMENT, status: "paid" }, "bad-21"), 400, "status"],
    ["a __proto__ field", () => postPayment('{"amount":1,"currency":"EUR","__proto__":{"x":1}}', "bad-22"), 400, "__proto__"],
    ["a missing Idempotency-Key", () => postPayment(VALID_PAYMENT, undefined), 400, "Idempotency-Key"],
    ["an over-long Idempotency-Key", () => postPayment(VALID_PAYMENT, longKey), 400, "Idempotency-Key"],
    ["a non-ASCII Idempotency-Key", () => postPayment(VALID_PAYMENT, "clé-1"), 400, "Idempotency-Key"],
    ["an empty Idempotency-Key", () => postPayment(VALID_PAYMENT, ""), 400, "Idempotency-Key"],
    // Would be another key than the same one trimmed by a proxy on a retry's path.
    ["an Idempotency-Key with a leading space", () => postPayment(VALID_PAYMENT, " bad-39"), 400, "Idempotency-Key"],
    ["an Idempotency-Key with a trailing space", () => postPayment(VALID_PAYMENT, "bad-40 "), 400, "Idempotency-Key"],
    [
      "two Idempotency-Key values",
      () => ({ ...postPayment(VALID_PAYMENT, "bad-25"), multiValueHeaders: { "Idempotency-Key": ["a", "b"] } }),
      400,
      "Idempotency-Key",
    ],
    ["a base64 body", () => ({ ...postPayment(Buffer.from(JSON.stringify(VALID_PAYMENT)).toString("base64"), "bad-26"), isBase64Encoded: true }), 400, "body"],
    ["null headers", () => apiEvent({ method: "POST", path: "/payments", headers: null, body: JSON.stringify(VALID_PAYMENT) }), 400, "Idempotency-Key"],
    ["a null body (as the fixture has it)", () => apiEvent({ method: "POST", path: "/payments", headers: { "Idempotency-Key": "bad-28" } }), 400, "body"],
    ["a text/plain body", () => postPayment(VALID_PAYMENT, "bad-29", { headers: { "Content-Type": "text/plain" } }), 415, "Content-Type"],
    ["two Content-Type values, one not JSON", () => ({ ...postPayment(VALID_PAYMENT, "bad-41"), multiValueHeaders: { "Content-Type": ["application/json", "text/plain"] } }), 415, "Content-Type"],
    // JSON between systems is UTF-8 (RFC 8259 §8.1): other bytes arrive as U+FFFD (a Latin-1 "café" as "caf\uFFFD").
    ["U+FFFD in reference (bytes that were not UTF-8, replaced)", () => postPayment({ ...VALID_PAYMENT, reference: "caf\uFFFD" }, "bad-46"), 400, "reference"],
    ["U+FFFD in description", () => postPayment({ ...VALID_PAYMENT, description: "\uFFFD" }, "bad-47"), 400, "description"],
    // JSON.parse would round each of these to an integer in range: 1, 10^12, 1050.
    ["a fraction finer than a double, just under 1", () => postPayment('{"amount":0.99999999999999999,"currency":"EUR"}', "bad-31"), 400, "amount"],
    ["a fraction finer than a double, just over 10^12", () => postPayment('{"amount":1000000000000.00001,"currency":"EUR"}', "bad-32"), 400, "amount"],
    ["a fraction finer than a double, in an exponent", () => postPayment('{"amount":1.050000000000000001e3,"currency":"EUR"}', "bad-33"), 400, "amount"],
    // JSON.parse keeps the last; another reader (a log, a WAF rule, a proxy) may take the first.
    ["the amount given twice", () => postPayment('{"amount":5,"currency":"EUR","amount":7}', "bad-34"), 400, "amount"],
    // Not text: the driver would store U+FFFD instead.
    ["an unpaired surrogate in reference", () => postPayment('{"amount":5,"currency":"EUR","reference":"order-\\ud800-1"}', "bad-35"), 400, "reference"],
    ["an unpaired surrogate in description", () => postPayment('{"amount":5,"currency":"EUR","description":"\\udfff"}', "bad-36"), 400, "description"],
    ["a body over 16 KiB", () => postPayment({ ...VALID_PAYMENT, description: "x".repeat(17_000) }, "bad-30"), 413, "body"],
    ["a body over 16 KiB in UTF-8, under 16 Ki characters", () => postPayment({ ...VALID_PAYMENT, description: "é".repeat(9_000) }, "bad-42"), 413, "body"],
    ["a body of exactly 16 KiB: read, and refused for what it says", () => postPayment(bodyOfBytes(16 * 1024), "bad-43"), 400, "description"],
  ];

  it.each(cases)("%s", async (_name, event, status, field) => {
    const before = await countRows(server.url);
    const response = await api.handler(event());
    expect(response.statusCode).toBe(status);
    expect(response.headers?.["Content-Type"]).toBe(PROBLEM_JSON);
    expect(response.headers?.["Cache-Control"]).toBe("no-store");
    const problem = problemOf(response);
    expect(problem).toMatchObject({ status, type: expect.stringMatching(/^tag:payments-dr,2025:problems\//), title: expect.any(String), requestId: expect.any(String) });
    expect(problem.errors?.map((e) => e.field)).toContain(field);
    expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(await countRows(server.url)).toEqual(before);
  });

  it("reports every bad field of one request at once", async () => {
    const response = await api.handler(postPayment({ amount: -1, currency: "usd", merchantId: "merchant-42", extra: 1 }, undefined));
    expect(problemOf(response).errors?.map((e) => e.field).sort()).toEqual(["Idempotency-Key", "amount", "currency", "extra", "merchantId"]);
  });

  it("finds the Idempotency-Key whatever the case of the header name", async () => {
    const response = await api.handler(postPayment(VALID_PAYMENT, undefined, { headers: { "idempotency-key": "lowercase-header" } }));
    expect(response.statusCode).toBe(201);
  });
});

describe("the merchant comes from the API key (the authorizer context), never from the body", () => {
  const OTHER = { merchantId: "merchant-7", keyId: "fedcba9876543210" };

  it("ignores a header or query parameter naming another merchant: the payment is the caller's, and the other merchant cannot read it", async () => {
    const event = postPayment(VALID_PAYMENT, "context-spoof", { caller: OTHER });
    event.headers = { ...event.headers, "X-Merchant-Id": "merchant-42", "x-merchant-id": "merchant-42" };
    event.queryStringParameters = { merchantId: "merchant-42" };
    const created = await api.handler(event);
    expect(created.statusCode).toBe(201);
    const payment = paymentOf(created);
    expect(payment.merchantId).toBe("merchant-7");
    expect((await api.handler(getPayment(payment.id))).statusCode).toBe(404);
  });

  it("creates the payment for the caller's merchant, and that merchant reads it back", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "context-1", { caller: OTHER }));
    expect(created.statusCode).toBe(201);
    const payment = paymentOf(created);
    expect(payment.merchantId).toBe("merchant-7");
    const read = await api.handler(getPayment(payment.id, { caller: OTHER }));
    expect(read.statusCode).toBe(200);
    expect(paymentOf(read)).toEqual(payment);
  });

  it.each([
    ["another merchant", "merchant-7"],
    ["the caller's own merchant", TEST_CALLER.merchantId],
  ])("refuses a body merchantId naming %s: 400 naming the field, nothing written", async (_name, merchantId) => {
    const before = await countRows(server.url);
    const response = await api.handler(postPayment({ ...VALID_PAYMENT, merchantId }, `body-merchant-${merchantId}`));
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([{ field: "merchantId", message: "is not allowed: the merchant comes from the API key" }]);
    expect(await countRows(server.url)).toEqual(before);
  });

  it("answers another merchant's payment exactly as a missing one: 404, same headers, same body", async () => {
    const payment = paymentOf(await api.handler(postPayment(VALID_PAYMENT, "context-2")));
    const missingId = "0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60";
    const foreign = await api.handler(getPayment(payment.id, { caller: OTHER }));
    const missing = await api.handler(getPayment(missingId, { caller: OTHER }));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers).toEqual(missing.headers);
    // The same fixture request id in both; only the id the client asked for differs.
    expect(foreign.body.replace(payment.id, "<id>")).toBe(missing.body.replace(missingId, "<id>"));
    expect(foreign.body).not.toContain(TEST_CALLER.merchantId);
  });

  const withAuthorizer = (event: ReturnType<typeof postPayment>, authorizer: unknown) => {
    event.requestContext.authorizer = authorizer as never;
    return event;
  };
  it.each([
    ["POST without an authorizer context", () => postPayment(VALID_PAYMENT, "no-context-1", { caller: null })],
    ["GET without an authorizer context", () => getPayment("0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60", { caller: null })],
    ["a context without merchantId", () => withAuthorizer(postPayment(VALID_PAYMENT, "no-context-2"), { principalId: "x", keyId: TEST_CALLER.keyId })],
    ["a context with a malformed merchantId", () => withAuthorizer(postPayment(VALID_PAYMENT, "no-context-3"), { merchantId: "bad id!", keyId: TEST_CALLER.keyId })],
    ["a context without keyId", () => withAuthorizer(postPayment(VALID_PAYMENT, "no-context-4"), { merchantId: TEST_CALLER.merchantId })],
    ["a context with an empty keyId", () => withAuthorizer(postPayment(VALID_PAYMENT, "no-context-5"), { merchantId: TEST_CALLER.merchantId, keyId: "" })],
  ])("%s → 401 problem+json with a Bearer challenge, the same for every case, nothing written", async (_name, event) => {
    const before = await countRows(server.url);
    const response = await api.handler(event());
    expect(response.statusCode).toBe(401);
    expect(response.headers).toMatchObject({ "Content-Type": PROBLEM_JSON, "WWW-Authenticate": "Bearer" });
    expect(problemOf(response)).toEqual({
      type: "tag:payments-dr,2025:problems/unauthorized",
      title: "Unauthorized",
      status: 401,
      detail: "Send a valid API key: Authorization: Bearer <key>.",
      requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
    });
    expect(await countRows(server.url)).toEqual(before);
  });

  it("keeps /health anonymous", async () => {
    expect((await api.handler(getHealth())).statusCode).toBe(200);
  });
});

describe("routes", () => {
  it.each([
    ["an unknown path", apiEvent({ method: "GET", path: "/refunds", body: null }), 404, undefined],
    ["GET /payments", apiEvent({ method: "GET", path: "/payments", body: null }), 405, "POST"],
    ["DELETE /payments/{id}", apiEvent({ method: "DELETE", path: "/payments/0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60", resource: "/payments/{id}", body: null }), 405, "GET"],
    ["POST /health", apiEvent({ method: "POST", path: "/health", body: null }), 405, "GET"],
  ])("%s → a problem", async (_name, event, status, allow) => {
    const response = await api.handler(event);
    expect(response.statusCode).toBe(status);
    expect(response.headers?.["Content-Type"]).toBe(PROBLEM_JSON);
    expect(response.headers?.Allow).toBe(allow);
  });

  it("GET /payments/{id} names the id when it is not a UUID, and 404s an unknown one", async () => {
    const bad = await api.handler(getPayment("not-a-uuid"));
    expect(bad.statusCode).toBe(400);
    expect(problemOf(bad).errors).toEqual([{ field: "id", message: "must be a UUID" }]);
    const missing = await api.handler(getPayment("0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60"));
    expect(missing.statusCode).toBe(404);
  });

  it("routes by path when API Gateway sends a greedy proxy resource, the payment's id from the path", async () => {
    const event = { ...getHealth(), resource: "/{proxy+}", pathParameters: { proxy: "health" } };
    const response = await api.handler(event);
    expect(response.statusCode).toBe(200);
    const created = paymentOf(await api.handler({ ...postPayment(VALID_PAYMENT, "greedy-proxy-1"), resource: "/{proxy+}", pathParameters: { proxy: "payments" } }));
    const read = await api.handler({ ...getPayment(created.id), resource: "/{proxy+}", pathParameters: { proxy: `payments/${created.id}` } });
    expect(read.statusCode).toBe(200);
    expect(paymentOf(read)).toEqual(created);
  });

  it("survives an event with nothing in it, or none", async () => {
    const response = await api.handler({} as never);
    expect(response.statusCode).toBe(404);
    expect((await api.handler(null as never)).statusCode).toBe(404);
  });
});

describe("an unexpected error", () => {
  it("is a 500 problem that tells nothing of it: no message, no stack, no SQL", async () => {
    // A database whose payments table went missing: undefined_table (42P01), nothing to retry.
    await withClient(server.url, (client) => client.query("CREATE DATABASE broken"));
    const broken = server.urlFor("broken");
    await migrate(broken);
    await withClient(broken, (client) => client.query("ALTER TABLE payments RENAME TO payments_secret_marker"));
    const container = testApi(testSettings(broken));
    try {
      const response = await container.handler(postPayment(VALID_PAYMENT, "boom-key"));
      expect(response.statusCode).toBe(500);
      expect(response.headers?.["Content-Type"]).toBe(PROBLEM_JSON);
      expect(problemOf(response)).toEqual({
        type: "tag:payments-dr,2025:problems/internal-error",
        title: "Internal error",
        status: 500,
        detail: "An unexpected error occurred.",
        requestId: expect.any(String),
      });
      expect(response.body).not.toMatch(/relation|does not exist|42P01|secret_marker|\n\s+at /);
    } finally {
      await container.close();
    }
  });
});

describe("logs", () => {
  /** What `work` wrote to stdout and stderr. */
  async function logsOf(work: () => Promise<void>): Promise<string> {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, "write").mockImplementation(capture), jest.spyOn(process.stderr, "write").mockImplementation(capture)];
    try {
      await work();
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    return written.join("");
  }

  it("never contain the database password or an Idempotency-Key value, even at DEBUG and on failures", async () => {
    const secretKey = "idem-3f9a7c1e5b2d";
    const verbose = testApi(testSettings(server.url, { logLevel: "DEBUG" }));
    const wrongPort = testApi(testSettings(urlOnPort(server, 1), { logLevel: "DEBUG" }));
    const wrongPassword = testApi(testSettings(server.url.replace(server.password, `${server.password}-rotated`), { logLevel: "DEBUG" }));
    const logs = await logsOf(async () => {
      try {
        await verbose.handler(postPayment(VALID_PAYMENT, secretKey));
        await verbose.handler(postPayment(VALID_PAYMENT, secretKey));
        await verbose.handler(postPayment({ ...VALID_PAYMENT, amount: 7 }, secretKey));
        await verbose.handler(postPayment("{not json", secretKey));
        await wrongPort.handler(postPayment(VALID_PAYMENT, secretKey));
        await wrongPassword.handler(postPayment(VALID_PAYMENT, secretKey));
      } finally {
        await Promise.all([verbose.close(), wrongPort.close(), wrongPassword.close()]);
      }
    });
    // One line per request; a created payment's id and merchant ride on it.
    expect(logs).toMatch(/"message":"Request handled"[^\n]*"paymentId":"[0-9a-f-]{36}","merchantId":"[^"]+"[^\n]*"status":201/);
    expect(logs).toContain('"message":"Database connect failed"');
    expect(logs).toContain("f88e38e3-2060-4a56-93c0-9efbc6a659a0");
    expect(logs).not.toContain(server.password);
    expect(logs).not.toContain(secretKey);
    expect(logs).not.toMatch(/"stack"|\n\s+at /);
  });

  it("give an unexpected database error as its name, code and message only: not the row values PostgreSQL's detail quotes", async () => {
    // A constraint the code does not expect: its violation (23505) is a 500, and its detail quotes the row.
    await withClient(server.url, (client) => client.query("CREATE DATABASE unique_references"));
    const strict = server.urlFor("unique_references");
    await migrate(strict);
    await withClient(strict, (client) => client.query("CREATE UNIQUE INDEX payments_reference_once ON payments (reference)"));
    const reference = "order-detail-7e41c9";
    const container = testApi(testSettings(strict, { logLevel: "DEBUG" }));
    const statuses: number[] = [];
    const logs = await logsOf(async () => {
      try {
        for (const key of ["first-key", "second-key"]) statuses.push((await container.handler(postPayment({ ...VALID_PAYMENT, reference }, key))).statusCode);
      } finally {
        await container.close();
      }
    });
    expect(statuses).toEqual([201, 500]);
    const lines = logs.split("\n").filter((line) => line.includes('"message":"Unexpected error"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).error).toEqual({ name: expect.any(String), code: "23505", message: expect.stringContaining("payments_reference_once") });
    expect(logs).not.toContain(reference);
  });
});
