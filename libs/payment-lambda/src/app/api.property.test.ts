import fc from "fast-check";
import { Client } from "pg";
import { CURRENCY_CODES } from "../payments/currencies";
import { migrate, startPostgres, type PostgresServer } from "../test-support/database";
import { apiEvent, TEST_CALLER } from "../test-support/events";
import { testApi, testSettings, type TestApi } from "../test-support/runtime";

let server: PostgresServer;
let api: TestApi;
let admin: Client;

beforeAll(async () => {
  server = await startPostgres();
  await migrate(server.url);
  api = testApi(testSettings(server.url));
  admin = new Client({ connectionString: server.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await api?.close();
  await server?.stop();
});

/** `good` most of the time, `bad` sometimes: enough valid requests to exercise writes. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
const rarely = (value: boolean) => fc.oneof({ weight: 9, arbitrary: fc.constant(!value) }, { weight: 1, arbitrary: fc.constant(value) });

/** Plausible payments, with every field sometimes wrong, missing or extra; a merchantId (always refused) now and then. */
const paymentLike = fc.record(
  {
    amount: mostly(fc.integer({ min: 1, max: 100_000 }), fc.oneof(fc.integer({ min: -5, max: 0 }), fc.maxSafeInteger(), fc.double(), fc.string(), fc.constant(null))),
    // Wrong values: lowercase, ISO 4217's "no currency" code XXX, random strings, numbers.
    currency: mostly(fc.constantFrom(...CURRENCY_CODES), fc.oneof(fc.constantFrom("usd", "XXX"), fc.string({ maxLength: 4 }), fc.integer())),
    reference: mostly(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: "grapheme", maxLength: 10 }))),
    description: fc.string({ maxLength: 300 }),
    merchantId: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom("merchant-1", "merchant-2"), fc.string({ maxLength: 70 })) }),
    extra: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.anything() }),
  },
  { requiredKeys: ["amount", "currency"] },
);

const body = fc.oneof(
  { weight: 6, arbitrary: paymentLike.map((p) => JSON.stringify(p)) },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

const key = mostly(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 5 })), { nil: undefined }));

const request = fc.record({
  body,
  key,
  contentType: mostly(fc.constantFrom("application/json", "application/json; charset=utf-8"), fc.option(fc.constantFrom("text/plain", ""), { nil: undefined })),
  base64: rarely(true),
  nullHeaders: rarely(true),
  // Who the authorizer says is calling; rarely nobody (a request that bypassed it).
  caller: fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(TEST_CALLER, { merchantId: "merchant-2", keyId: "fedcba9876543210" }) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
});

it("arbitrary requests never get a 500, and never leave a partial write (payments == completed keys == keys)", async () => {
  await fc.assert(
    fc.asyncProperty(request, async ({ body, key, contentType, base64, nullHeaders, caller }) => {
      const headers: Record<string, string> = {};
      if (key !== undefined) headers["Idempotency-Key"] = key;
      if (contentType !== undefined) headers["Content-Type"] = contentType;
      const event = apiEvent({
        method: "POST",
        path: "/payments",
        headers: nullHeaders ? null : headers,
        body: base64 && body !== null ? Buffer.from(body).toString("base64") : body,
        isBase64Encoded: base64,
        caller,
      });
      const response = await api.handler(event);
      expect(response.statusCode).toBeLessThan(500);
      if (response.statusCode >= 400) expect(response.headers?.["Content-Type"]).toBe("application/problem+json");
      const { rows } = await admin.query<{ payments: number; keys: number; completed: number }>(
        `SELECT (SELECT count(*)::int FROM payments) AS payments, (SELECT count(*)::int FROM idempotency_keys) AS keys,
                (SELECT count(*)::int FROM idempotency_keys WHERE status = 'completed') AS completed`,
      );
      expect(rows[0]!.payments).toBe(rows[0]!.completed);
      expect(rows[0]!.keys).toBe(rows[0]!.completed);
    }),
    { numRuns: 300 },
  );
  // The property must have exercised the success path too.
  const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM payments");
  expect(rows[0]!.n).toBeGreaterThan(0);
});
