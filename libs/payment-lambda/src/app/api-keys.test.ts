import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { newApiKey, usageItemId, type ApiKeyRecord } from "@payments-dr/api-keys";
import { KEY_USAGE_INTERVAL_MS, dynamoKeyUsageRecorder } from "../auth/key-usage";
import { lazyDynamoDb } from "../aws/dynamodb";
import { createLogger } from "../observability/logger";
import { freePort, migrate, startPostgres, type PostgresServer } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { getPayment, postPayment, TEST_CALLER, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, RecordingMetrics, testApi, testSettings, type TestApi } from "../test-support/runtime";

// What the api function does with the caller's API key besides trusting its merchant: scope
// reads on both read paths (the session in DynamoDB, PostgreSQL), and record the key's lastUsedAt.

let server: PostgresServer;
let dynamo: LocalDynamo;
let api: TestApi;

const SILENT = { serviceName: "payments-test", metricsNamespace: "PaymentsDrTest", logLevel: "SILENT" } as const;

beforeAll(async () => {
  // One after the other: a server started beside a failed one would outlive the run (afterAll stops what was assigned).
  server = await startPostgres();
  dynamo = await startDynalite();
  await migrate(server.url);
  api = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, apiKeysTable: dynamo.apiKeysTable, dynamodbEndpoint: dynamo.endpoint }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
});
afterAll(async () => {
  await api?.close();
  await Promise.all([server?.stop(), dynamo?.stop()]);
});

/** Stores a key record under `keyId` (the id the authorizer context names). */
async function storeKey(keyId: string, merchantId = TEST_CALLER.merchantId): Promise<ApiKeyRecord> {
  const record = { ...newApiKey({ merchantId, label: "checkout" }).record, keyId };
  await dynamo.documents.send(new PutCommand({ TableName: dynamo.apiKeysTable, Item: record }));
  return record;
}

async function keyItem(keyId: string): Promise<Record<string, unknown> | undefined> {
  return (await dynamo.documents.send(new GetCommand({ TableName: dynamo.apiKeysTable, Key: { keyId } }))).Item;
}

/** The key's usage item of the test runtime's region (us-east-1). */
async function usageItem(keyId: string): Promise<Record<string, unknown> | undefined> {
  return (await dynamo.documents.send(new GetCommand({ TableName: dynamo.apiKeysTable, Key: { keyId: usageItemId("us-east-1", keyId) } }))).Item;
}

async function setLastUsedAt(keyId: string, value: string): Promise<void> {
  await dynamo.documents.send(new UpdateCommand({ TableName: dynamo.apiKeysTable, Key: { keyId: usageItemId("us-east-1", keyId) }, UpdateExpression: "SET lastUsedAt = :v", ExpressionAttributeValues: { ":v": value } }));
}

describe("reads are scoped to the caller's merchant on both read paths", () => {
  it("a payment served from its session: the owner reads it, another merchant gets the 404 of a missing id", async () => {
    const payment = paymentOf(await api.handler(postPayment(VALID_PAYMENT, "scope-1")));
    const other = { merchantId: "merchant-7", keyId: "fedcba9876543210" };
    const missingId = "0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60";
    await server.pause();
    try {
      // PostgreSQL is paused: these answers can only come from the session.
      const own = await api.handler(getPayment(payment.id));
      expect(own.statusCode).toBe(200);
      expect(paymentOf(own)).toEqual(payment);
      const foreign = await api.handler(getPayment(payment.id, { caller: other }));
      expect(foreign.statusCode).toBe(404);
      expect(foreign.body).not.toContain(TEST_CALLER.merchantId);
      await server.resume();
      const missing = await api.handler(getPayment(missingId, { caller: other }));
      expect(foreign.body.replace(payment.id, "<id>")).toBe(missing.body.replace(missingId, "<id>"));
      expect(foreign.headers).toEqual(missing.headers);
    } finally {
      await server.resume();
    }
  });
});

describe("lastUsedAt of the caller's key", () => {
  it("is set on the key's usage item of this region, and the key's own item is never written", async () => {
    const keyId = "1111111111111111";
    const record = await storeKey(keyId);
    const caller = { merchantId: TEST_CALLER.merchantId, keyId };
    const before = Date.now();
    expect((await api.handler(postPayment(VALID_PAYMENT, "used-1", { caller }))).statusCode).toBe(201);
    // The key's item stays exactly as the keys CLI wrote it: a global table resolves concurrent
    // writes to one item by last writer wins, so a use recorded on it in one region could undo a
    // revocation made in the other.
    expect(await keyItem(keyId)).toEqual(record);
    const usage = await usageItem(keyId);
    expect(usage).toEqual({ keyId: usageItemId("us-east-1", keyId), lastUsedAt: expect.any(String) });
    expect(Date.parse(usage!.lastUsedAt as string)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(usage!.lastUsedAt as string)).toBeLessThanOrEqual(Date.now());
  });

  it("is written at most once per key per container within five minutes", async () => {
    const keyId = "2222222222222222";
    await storeKey(keyId);
    const caller = { merchantId: TEST_CALLER.merchantId, keyId };
    await api.handler(postPayment(VALID_PAYMENT, "used-2", { caller }));
    await setLastUsedAt(keyId, "2000-01-01T00:00:00.000Z");
    await api.handler(postPayment(VALID_PAYMENT, "used-3", { caller }));
    await api.handler(getPayment("0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60", { caller }));
    expect((await usageItem(keyId))?.lastUsedAt).toBe("2000-01-01T00:00:00.000Z");
  });

  it("is written again once the interval is over, for each key on its own clock", async () => {
    let now = Date.parse("2026-03-01T10:00:00.000Z");
    const recorder = dynamoKeyUsageRecorder({
      tableName: dynamo.apiKeysTable,
      region: "us-east-1",
      dynamoDb: lazyDynamoDb({ endpoint: dynamo.endpoint, clientConfig: LOCAL_DYNAMODB_CONFIG }),
      logger: createLogger(SILENT),
      metrics: new RecordingMetrics(),
      now: () => now,
    });
    await Promise.all([storeKey("3333333333333333"), storeKey("4444444444444444")]);
    await recorder.record("3333333333333333");
    now += KEY_USAGE_INTERVAL_MS - 1;
    await recorder.record("3333333333333333");
    await recorder.record("4444444444444444");
    expect((await usageItem("3333333333333333"))?.lastUsedAt).toBe("2026-03-01T10:00:00.000Z");
    expect((await usageItem("4444444444444444"))?.lastUsedAt).toBe("2026-03-01T10:04:59.999Z");
    now += 1;
    await recorder.record("3333333333333333");
    expect((await usageItem("3333333333333333"))?.lastUsedAt).toBe("2026-03-01T10:05:00.000Z");
  });

  // The container forgets keys past 1000 (its memory is bounded): only those outside their interval,
  // so a busy merchant's key is still written once per interval however many keys the container serves.
  it("keeps once per interval past the 1000 keys a container remembers: only keys outside their interval are forgotten", async () => {
    let now = 0;
    const written: string[] = [];
    const counting = async () => ({ client: { send: async (command: { input: { Key: { keyId: string } } }) => void written.push(command.input.Key.keyId) }, commands: { UpdateCommand: class { constructor(readonly input: unknown) {} } } });
    const recorder = dynamoKeyUsageRecorder({ tableName: "keys", region: "us-east-1", dynamoDb: counting as never, logger: createLogger(SILENT), metrics: new RecordingMetrics(), now: () => now });
    for (let i = 0; i < 999; i++) await recorder.record(`old-${i}`);
    now = KEY_USAGE_INTERVAL_MS / 2;
    await recorder.record("busy");
    now = KEY_USAGE_INTERVAL_MS;
    await recorder.record("newcomer"); // the 1001st key: the old ones' interval is over, they go
    await recorder.record("busy"); // within its interval: still remembered, not written
    expect(written).toHaveLength(1001);
    expect(written.filter((keyId) => keyId === usageItemId("us-east-1", "busy"))).toHaveLength(1);
    expect(written.at(-1)).toBe(usageItemId("us-east-1", "newcomer"));
  });

  it("a failed write is logged and counted, never thrown", async () => {
    const logger = createLogger(SILENT);
    const warn = jest.spyOn(logger, "warn");
    const metrics = new RecordingMetrics();
    const recorder = dynamoKeyUsageRecorder({ tableName: "no-such-table", region: "us-east-1", dynamoDb: lazyDynamoDb({ endpoint: dynamo.endpoint, clientConfig: LOCAL_DYNAMODB_CONFIG }), logger, metrics });
    await expect(recorder.record("5555555555555555")).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith("API key use not recorded", { keyId: "5555555555555555", error: expect.objectContaining({ name: "ResourceNotFoundException" }) });
    expect(metrics.counts.ApiKeyUseNotRecorded).toBe(1);
  });

  it("never fails a request: DynamoDB unreachable → the payment is still 201, promptly, and the failure is logged", async () => {
    const logger = createLogger(SILENT);
    const warn = jest.spyOn(logger, "warn");
    const down = testApi(testSettings(server.url, { apiKeysTable: dynamo.apiKeysTable, dynamodbEndpoint: `http://127.0.0.1:${await freePort()}` }), { dynamoDb: LOCAL_DYNAMODB_CONFIG, logger });
    try {
      const started = Date.now();
      const created = await down.handler(postPayment(VALID_PAYMENT, "used-down"));
      expect(created.statusCode).toBe(201);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(warn).toHaveBeenCalledWith("API key use not recorded", { keyId: TEST_CALLER.keyId, error: expect.objectContaining({ name: expect.any(String) }) });
    } finally {
      await down.close();
    }
  });

  it("is off without API_KEYS_TABLE", async () => {
    const off = testApi(testSettings(server.url));
    expect(off.runtime.keyUsage.enabled).toBe(false);
    expect(api.runtime.keyUsage.enabled).toBe(true);
    await off.close();
  });
});
