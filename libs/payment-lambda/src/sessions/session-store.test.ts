import { GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { countRows, freePort, migrate, startPostgres, startSilentServer, type PostgresServer } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { getHealth, getPayment, postPayment, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, testApi, testSettings, type TestApi } from "../test-support/runtime";
import { REPLAY_HEADER } from "../handlers/create-payment";
import { SESSION_TTL_ATTRIBUTE } from "./session-key";
import { SESSION_TTL_SECONDS } from "./session-store";

let server: PostgresServer;
let dynamo: LocalDynamo;
let api: TestApi;

beforeAll(async () => {
  // One after the other: a server started beside a failed one would outlive the run (afterAll stops what was assigned).
  server = await startPostgres();
  dynamo = await startDynalite();
  await migrate(server.url);
  api = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, dynamodbEndpoint: dynamo.endpoint }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
});
afterAll(async () => {
  await api?.close();
  await Promise.all([server?.stop(), dynamo?.stop()]);
});

async function sessionItem(paymentId: string) {
  const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { sessionId: { S: `payment#${paymentId}` } } }));
  return Item;
}

describe("payment sessions in DynamoDB", () => {
  it("writes the session after the payment commits", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "session-1"));
    expect(created.statusCode).toBe(201);
    const payment = paymentOf(created);
    const item = await sessionItem(payment.id);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(item).toMatchObject({
      sessionId: { S: `payment#${payment.id}` },
      status: { S: "created" },
      merchantId: { S: "merchant-42" },
      amount: { N: "1050" },
      currency: { S: "EUR" },
    });
    // In the attribute the table expires items by (libs/storage sets its TTL on it).
    const expiry = Number(item![SESSION_TTL_ATTRIBUTE]!.N);
    expect(expiry).toBeGreaterThanOrEqual(nowSeconds + SESSION_TTL_SECONDS - 5);
    expect(expiry).toBeLessThanOrEqual(nowSeconds + SESSION_TTL_SECONDS + 5);
  });

  it("serves GET from the session first: it answers even while PostgreSQL is down", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "session-2"));
    const payment = paymentOf(created);
    await server.pause();
    try {
      const read = await api.handler(getPayment(payment.id));
      expect(read.statusCode).toBe(200);
      expect(paymentOf(read)).toEqual(payment);
      // The same bytes as the POST's answer: the session's item keeps no field order of its own.
      expect(read.body).toBe(created.body);
    } finally {
      await server.resume();
    }
  });

  it("serves a payment that only the session knows (GET reads DynamoDB before PostgreSQL)", async () => {
    const id = "6f1d2c3b-4a59-4e8f-9d7c-0b1a2c3d4e5f";
    await dynamo.client.send(
      new PutItemCommand({
        TableName: dynamo.tableName,
        Item: {
          sessionId: { S: `payment#${id}` },
          paymentId: { S: id },
          status: { S: "created" },
          merchantId: { S: "merchant-7" },
          amount: { N: "300" },
          currency: { S: "JPY" },
          reference: { NULL: true },
          description: { NULL: true },
          createdAt: { S: "2026-01-01T00:00:00.000Z" },
          expiresAt: { N: String(Math.floor(Date.now() / 1000) + 60) },
        },
      }),
    );
    const read = await api.handler(getPayment(id, { caller: { merchantId: "merchant-7", keyId: "0123456789abcdef" } }));
    expect(read.statusCode).toBe(200);
    expect(paymentOf(read)).toMatchObject({ id, merchantId: "merchant-7", amount: 300, currency: "JPY" });
    // A UUID in any case names the same payment, and its session.
    const upper = await api.handler(getPayment(id.toUpperCase(), { caller: { merchantId: "merchant-7", keyId: "0123456789abcdef" } }));
    expect(upper.statusCode).toBe(200);
    expect(paymentOf(upper)).toEqual(paymentOf(read));
  });

  it("DynamoDB down → the payment is still 201, exactly once, and the failure is counted", async () => {
    const deadEndpoint = `http://127.0.0.1:${await freePort()}`;
    const down = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, dynamodbEndpoint: deadEndpoint }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
    try {
      const before = await countRows(server.url);
      const created = await down.handler(postPayment(VALID_PAYMENT, "session-down"));
      expect(created.statusCode).toBe(201);
      expect(down.metrics.counts.SessionWriteFailed).toBe(1);
      const retried = await down.handler(postPayment(VALID_PAYMENT, "session-down"));
      expect(retried.headers?.[REPLAY_HEADER]).toBe("true");
      expect((await countRows(server.url)).payments - before.payments).toBe(1);

      // Reads fall back to PostgreSQL.
      const read = await down.handler(getPayment(paymentOf(created).id));
      expect(read.statusCode).toBe(200);
      expect(down.metrics.counts.SessionReadFailed).toBe(1);
    } finally {
      await down.close();
    }
  });

  it("a payment committed without its session (the container that made it lost DynamoDB, or the commit's answer) gets it from the retry that replays it", async () => {
    const deadEndpoint = `http://127.0.0.1:${await freePort()}`;
    const down = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, dynamodbEndpoint: deadEndpoint }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
    let created;
    try {
      created = await down.handler(postPayment(VALID_PAYMENT, "session-on-replay"));
    } finally {
      await down.close();
    }
    const payment = paymentOf(created);
    expect(await sessionItem(payment.id)).toBeUndefined();
    const replayed = await api.handler(postPayment(VALID_PAYMENT, "session-on-replay"));
    expect(replayed.headers?.[REPLAY_HEADER]).toBe("true");
    expect(await sessionItem(payment.id)).toMatchObject({ status: { S: "created" }, merchantId: { S: "merchant-42" }, amount: { N: "1050" } });
    // And GET is served from it, with the bytes of the POST's answer.
    await server.pause();
    try {
      expect((await api.handler(getPayment(payment.id))).body).toBe(created.body);
    } finally {
      await server.resume();
    }
  });

  it("a replay never overwrites a session already there (it may hold a newer status than the stored response)", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "session-replay-keeps"));
    const payment = paymentOf(created);
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: dynamo.tableName,
        Key: { sessionId: { S: `payment#${payment.id}` } },
        UpdateExpression: "SET #status = :status",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": { S: "succeeded" } },
      }),
    );
    const writesFailed = api.metrics.counts.SessionWriteFailed ?? 0;
    const replayed = await api.handler(postPayment(VALID_PAYMENT, "session-replay-keeps"));
    expect(replayed.headers?.[REPLAY_HEADER]).toBe("true");
    expect((await sessionItem(payment.id))?.status).toEqual({ S: "succeeded" });
    // A session already there is what the replay wanted, not a failed write.
    expect(api.metrics.counts.SessionWriteFailed ?? 0).toBe(writesFailed);
  });

  it("DynamoDB that accepts connections and never answers → the payment is still 201 within the client's budget", async () => {
    // A black hole: the TCP handshake succeeds, no byte ever comes back. The SDK's requestTimeout
    // only warns unless throwOnRequestTimeout is set; without it this request would hang.
    const silent = await startSilentServer();
    const hung = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, dynamodbEndpoint: silent.url }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
    try {
      const started = Date.now();
      const created = await hung.handler(postPayment(VALID_PAYMENT, "session-hung"));
      expect(created.statusCode).toBe(201);
      expect(hung.metrics.counts.SessionWriteFailed).toBe(1);
      // Two attempts of 1 s each, plus the payment itself.
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await hung.close();
      await silent.close();
    }
  }, 15_000);

  it("DynamoDB that never answers while the request's time runs out → the committed payment is still 201: the best-effort writes are abandoned before the deadline", async () => {
    const silent = await startSilentServer();
    const hung = testApi(testSettings(server.url, { sessionsTable: dynamo.tableName, apiKeysTable: dynamo.apiKeysTable, dynamodbEndpoint: silent.url }), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
    // 2.3 s left: a 1.3 s budget after the response margin, the best-effort calls cut 0.25 s before it, before
    // the client's own limit (2 attempts of 1 s) would end them; the payment itself has about a second, even on a busy machine.
    const context = { getRemainingTimeInMillis: () => 2300 } as unknown as Context;
    try {
      const before = await countRows(server.url);
      const created = await hung.handler(postPayment(VALID_PAYMENT, "session-deadline"), context);
      expect(created.statusCode).toBe(201);
      expect((await countRows(server.url)).payments - before.payments).toBe(1);
      expect(hung.metrics.counts).toMatchObject({ SessionWriteFailed: 1, ApiKeyUseNotRecorded: 1 });
      expect(hung.metrics.counts.DatabaseUnavailable).toBeUndefined();
    } finally {
      await hung.close();
      await silent.close();
    }
  }, 15_000);

  it("sessions off when SESSIONS_TABLE is unset: said once, at the first payment request; never by /health (its function has no table)", async () => {
    const info = jest.fn();
    const logger = { info, warn: jest.fn(), error: jest.fn(), resetKeys: jest.fn(), appendKeys: jest.fn(), addContext: jest.fn() } as never;
    const off = testApi(testSettings(server.url), { logger });
    try {
      const said = () => info.mock.calls.filter(([message]) => message === "Sessions are off: SESSIONS_TABLE is not set").length;
      expect((await off.handler(getHealth())).statusCode).toBe(200);
      expect(said()).toBe(0);
      const created = await off.handler(postPayment(VALID_PAYMENT, "sessions-off-1"));
      expect(created.statusCode).toBe(201);
      expect(said()).toBe(1);
      expect((await off.handler(getPayment(paymentOf(created).id))).statusCode).toBe(200);
      expect((await off.handler(postPayment(VALID_PAYMENT, "sessions-off-2"))).statusCode).toBe(201);
      expect(said()).toBe(1);
      // Nothing reached the table.
      expect(await sessionItem(paymentOf(created).id)).toBeUndefined();
    } finally {
      await off.close();
    }
  });

  it("sessions off: said at the first payment request when it is a GET too (a container that only reads)", async () => {
    const created = await api.handler(postPayment(VALID_PAYMENT, "sessions-off-read-first"));
    const info = jest.fn();
    const logger = { info, warn: jest.fn(), error: jest.fn(), resetKeys: jest.fn(), appendKeys: jest.fn(), addContext: jest.fn() } as never;
    const off = testApi(testSettings(server.url), { logger });
    try {
      const said = () => info.mock.calls.filter(([message]) => message === "Sessions are off: SESSIONS_TABLE is not set").length;
      const read = await off.handler(getPayment(paymentOf(created).id));
      expect(read.statusCode).toBe(200);
      expect(said()).toBe(1);
      expect((await off.handler(getPayment(paymentOf(created).id))).statusCode).toBe(200);
      expect(said()).toBe(1);
    } finally {
      await off.close();
    }
  });
});
