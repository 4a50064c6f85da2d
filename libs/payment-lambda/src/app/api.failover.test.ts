import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { SESSION_KEY_ATTRIBUTE, sessionId } from "../sessions/session-key";
import { countRows, migrate, startEndpoint, startPostgres, startStandby, type EndpointUnderTest, type PostgresServer, type StandbyServer } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { getHealth, getPayment, postPayment, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, problemOf, testApi, testSettings, type TestApi } from "../test-support/runtime";
import { REPLAY_HEADER } from "../handlers/create-payment";

// A regional failover, played on real PostgreSQL replication: the home region's cluster streams
// to a hot standby (the DR region's secondary), the home region is lost, the standby is promoted
// and the global writer endpoint moves to it. The steps below run in order, each on what the
// one before left: what a merchant's client sees from the DR region's API before, across and
// after the move (DESIGN §6: idempotency and the sessions; runbook: Unplanned failover).

const DR_WRITER_BACKOFF_MS = 200;

let home: PostgresServer;
let secondary: StandbyServer;
let dynamo: LocalDynamo;
/** The global writer endpoint as us-east-2 sees it: out of reach before the failover (no route to us-east-1), its own cluster after. */
let globalWriterFromDr: EndpointUnderTest;
let primaryApi: TestApi;
let drApi: TestApi;

beforeAll(async () => {
  // One after the other: a server started beside a failed one would outlive the run (afterAll stops what was assigned).
  home = await startPostgres();
  dynamo = await startDynalite();
  await migrate(home.url);
  secondary = await startStandby(home);
  globalWriterFromDr = await startEndpoint(secondary, "hang");
  // One sessions table for both: the global table's replication is not what this plays.
  const sessions = { sessionsTable: dynamo.tableName, dynamodbEndpoint: dynamo.endpoint };
  primaryApi = testApi(testSettings(home.url, sessions), { dynamoDb: LOCAL_DYNAMODB_CONFIG });
  const dr = testSettings(globalWriterFromDr.url, { ...sessions, role: "dr", connectTimeoutMs: 300 });
  drApi = testApi(
    { ...dr, database: { ...dr.database, endpoints: { kind: "url", url: globalWriterFromDr.url, readerUrl: secondary.url } } },
    // Every /health probes the database: a cached answer from before the move would hide the promoted writer's.
    { dynamoDb: LOCAL_DYNAMODB_CONFIG, writerUnreachableBackoffMs: DR_WRITER_BACKOFF_MS, health: { ttlMs: 0 } },
  );
});
afterAll(async () => {
  await Promise.all([primaryApi?.close(), drApi?.close()]);
  await globalWriterFromDr?.close();
  await secondary?.stop();
  await Promise.all([home?.stop(), dynamo?.stop()]);
});

/** Deletes a payment's session (as `dr clear-sessions` does): its next GET can only come from PostgreSQL. */
async function forgetSession(paymentId: string): Promise<void> {
  await dynamo.documents.send(new DeleteCommand({ TableName: dynamo.tableName, Key: { [SESSION_KEY_ATTRIBUTE]: sessionId(paymentId) } }));
}

const REPLICATED = { ...VALID_PAYMENT, reference: "replicated" };
const LOST = { ...VALID_PAYMENT, reference: "lost-with-the-region" };
let replicated: { id: string; body: string };
let lost: { id: string; body: string };

it("before the failure, the DR region serves the primary's payments from its own replica, answers a POST 503 with Retry-After, and is healthy on its read-only database", async () => {
  const created = await primaryApi.handler(postPayment(REPLICATED, "drill-replicated"));
  expect(created.statusCode).toBe(201);
  replicated = { id: paymentOf(created).id, body: created.body };
  await secondary.catchUp();
  // Without its session, the DR read can only come from PostgreSQL: the replica's copy.
  await forgetSession(replicated.id);

  const read = await drApi.handler(getPayment(replicated.id));
  expect(read.statusCode).toBe(200);
  expect(paymentOf(read)).toEqual(paymentOf(created));

  const refused = await drApi.handler(postPayment(VALID_PAYMENT, "drill-before-failover"));
  expect(refused.statusCode).toBe(503);
  expect(refused.headers?.["Retry-After"]).toBe("2");
  expect(problemOf(refused).type).toMatch(/service-unavailable$/);

  expect((await drApi.handler(getHealth())).statusCode).toBe(200);
});

it("a payment the primary acknowledged while its secondary was cut off is the RPO's: the home region is lost before it replicates", async () => {
  await secondary.pause();
  const created = await primaryApi.handler(postPayment(LOST, "drill-lost"));
  expect(created.statusCode).toBe(201);
  lost = { id: paymentOf(created).id, body: created.body };
  expect(await countRows(home.url)).toEqual({ payments: 2, keys: 2, completedKeys: 2 });

  await home.pause();
  await secondary.resume();
  await secondary.promote();
  globalWriterFromDr.set("forward");
  await new Promise((resolve) => setTimeout(resolve, DR_WRITER_BACKOFF_MS + 50));
  expect(await countRows(secondary.url)).toEqual({ payments: 1, keys: 1, completedKeys: 1 });
});

it("after the failover, a client's retry of a replicated payment replays its first answer from the DR region: no second payment", async () => {
  const retried = await drApi.handler(postPayment(REPLICATED, "drill-replicated"));
  expect(retried.statusCode).toBe(201);
  expect(retried.headers?.[REPLAY_HEADER]).toBe("true");
  expect(retried.body).toBe(replicated.body);

  const reused = await drApi.handler(postPayment({ ...REPLICATED, amount: 1051 }, "drill-replicated"));
  expect(reused.statusCode).toBe(422);
  expect(await countRows(secondary.url)).toEqual({ payments: 1, keys: 1, completedKeys: 1 });
});

it("a lost payment still shows from its replicated session until clear-sessions deletes it, then answers 404 (runbook: Lost payments can still show)", async () => {
  const fromSession = await drApi.handler(getPayment(lost.id));
  expect(fromSession.statusCode).toBe(200);
  expect(paymentOf(fromSession).id).toBe(lost.id);

  await forgetSession(lost.id);
  expect((await drApi.handler(getPayment(lost.id))).statusCode).toBe(404);
});

it("the client's retry of the lost payment makes it again in the DR region, once, under another id; later retries replay that one", async () => {
  const remade = await drApi.handler(postPayment(LOST, "drill-lost"));
  expect(remade.statusCode).toBe(201);
  expect(remade.headers?.[REPLAY_HEADER]).toBeUndefined();
  const remadeId = paymentOf(remade).id;
  expect(remadeId).not.toBe(lost.id);
  const { id: _lostId, createdAt: _lostAt, ...asBefore } = paymentOf({ body: lost.body });
  expect(paymentOf(remade)).toMatchObject(asBefore);

  const again = await drApi.handler(postPayment(LOST, "drill-lost"));
  expect(again.headers?.[REPLAY_HEADER]).toBe("true");
  expect(paymentOf(again).id).toBe(remadeId);
  expect(await countRows(secondary.url)).toEqual({ payments: 2, keys: 2, completedKeys: 2 });
});

it("the promoted DR region takes new payments and stays healthy, now as the writer", async () => {
  const created = await drApi.handler(postPayment(VALID_PAYMENT, "drill-after-failover"));
  expect(created.statusCode).toBe(201);
  await forgetSession(paymentOf(created).id);
  expect((await drApi.handler(getPayment(paymentOf(created).id))).statusCode).toBe(200);
  expect((await drApi.handler(getHealth())).statusCode).toBe(200);
  expect(await countRows(secondary.url)).toEqual({ payments: 3, keys: 3, completedKeys: 3 });
});
