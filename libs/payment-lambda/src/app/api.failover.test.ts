import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { findPostgresBinaries, queryOnce } from "@payments-dr/testing";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { SESSION_KEY_ATTRIBUTE, sessionId } from "../sessions/session-key";
import { APP_ROLE, HEALTH_ROLE } from "../db/function-roles";
import { createLogger } from "../observability/logger";
import { countRows, createAuroraLikeMaster, MIGRATIONS_DIR, startEndpoint, startPostgres, startStandby, type EndpointUnderTest, type PostgresServer, type StandbyServer } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { getHealth, getPayment, postPayment, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, problemOf, testApi, testSettings, type TestApi } from "../test-support/runtime";
import { REPLAY_HEADER } from "../handlers/create-payment";
import { createMigrateHandler } from "./migrate";

// A regional failover, played on real PostgreSQL replication: the home region's cluster streams
// to a hot standby (the DR region's secondary), the home region is lost, the standby is promoted
// and the global writer endpoint moves to it. The steps below run in order, each on what the
// one before left: what a merchant's client sees from the DR region's API before, across and
// after the move (DESIGN §6: idempotency and the sessions; runbook: Unplanned failover). As
// deployed: the migrate function sets the schema and the function roles up as Aurora's master
// user (not a superuser), the API connects as payments_app and /health as payments_health, in
// both regions (the standby has the roles and their grants as the primary's catalog has them).

const DR_WRITER_BACKOFF_MS = 200;

let home: PostgresServer;
let secondary: StandbyServer;
let dynamo: LocalDynamo;
/** The global writer endpoint as us-east-2 sees it: out of reach before the failover (no route to us-east-1), its own cluster after. */
let globalWriterFromDr: EndpointUnderTest;
let primaryApi: TestApi;
let primaryHealth: TestApi;
let drApi: TestApi;
let drHealth: TestApi;
/** The payments database as the superuser sees it, on the home cluster and on the secondary: for counting rows. */
let homeDb: string;
let secondaryDb: string;
/** The payments database on `port` as Aurora's master user (what on-call connects as). */
let asMaster: (port: number) => string;
/** Before the drill's first payment: the `since` of the lost-payments export. */
const drillStart = new Date().toISOString();

const PASSWORDS = { app: "drill-app-pw-3f!", health: "drill-health-pw-3f!" };

beforeAll(async () => {
  // One after the other: a server started beside a failed one would outlive the run (afterAll stops what was assigned).
  home = await startPostgres();
  dynamo = await startDynalite();
  const master = await createAuroraLikeMaster(home);
  const migrate = createMigrateHandler({
    database: { endpoints: { kind: "url", url: master.url }, connectTimeoutMs: 3000, statementTimeoutMs: 5000 },
    migrationsDir: MIGRATIONS_DIR,
    logger: createLogger({ serviceName: "payments-migrate-test", metricsNamespace: "PaymentsDrTest", logLevel: "SILENT" }),
  });
  await migrate({ appPassword: PASSWORDS.app, healthPassword: PASSWORDS.health });
  secondary = await startStandby(home);
  globalWriterFromDr = await startEndpoint(secondary, "hang");
  const database = new URL(master.url).pathname.slice(1);
  [homeDb, secondaryDb] = [home.urlFor(database), secondary.urlFor(database)];
  asMaster = (port) => Object.assign(new URL(master.url), { port: String(port) }).toString();
  /** The payments database on `port` (a cluster's, or the endpoint's in front of one), as `role` logs in. */
  const as = (role: typeof APP_ROLE | typeof HEALTH_ROLE, port: number) =>
    Object.assign(new URL(asMaster(port)), { username: role, password: role === APP_ROLE ? PASSWORDS.app : PASSWORDS.health }).toString();
  const writerPort = Number(new URL(globalWriterFromDr.url).port);

  // One sessions table for both: the global table's replication is not what this plays.
  const sessions = { sessionsTable: dynamo.tableName, dynamodbEndpoint: dynamo.endpoint };
  const overrides = { dynamoDb: LOCAL_DYNAMODB_CONFIG, writerUnreachableBackoffMs: DR_WRITER_BACKOFF_MS };
  primaryApi = testApi(testSettings(as(APP_ROLE, home.port), sessions), overrides);
  // Every /health probes the database: a cached answer from before the move would hide the promoted writer's.
  primaryHealth = testApi(testSettings(as(HEALTH_ROLE, home.port)), { ...overrides, health: { ttlMs: 0 } });
  const inDr = (role: typeof APP_ROLE | typeof HEALTH_ROLE) => {
    const settings = testSettings(as(role, writerPort), { ...sessions, role: "dr", connectTimeoutMs: 300 });
    return { ...settings, database: { ...settings.database, endpoints: { kind: "url" as const, url: as(role, writerPort), readerUrl: as(role, secondary.port) } } };
  };
  drApi = testApi(inDr(APP_ROLE), overrides);
  drHealth = testApi(inDr(HEALTH_ROLE), { ...overrides, health: { ttlMs: 0 } });
});
afterAll(async () => {
  await Promise.all([primaryApi, primaryHealth, drApi, drHealth].map((api) => api?.close()));
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
const LOST_NOT_RETRIED = { ...VALID_PAYMENT, amount: 999, reference: "lost-not-retried" };
const LOST_KEY_REUSED = { ...VALID_PAYMENT, amount: 2500, reference: "lost-key-reused" };
/** Paid twice with one key, the second time once the first's row had expired (2 days later): the second is lost. */
const PAID_AGAIN = { ...VALID_PAYMENT, amount: 4200, reference: "paid-again" };
let replicated: { id: string; body: string };
let lost: { id: string; body: string };
/** The payments the lost ones' keys made on the new writer. */
const madeSince: { retried?: string; keyReused?: string } = {};
let lostIds: { notRetried: string; keyReused: string; paidAgain: string };

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

  // A key first used two days ago (its row expired, not yet cleaned up), replicated as it is.
  expect((await primaryApi.handler(postPayment(PAID_AGAIN, "drill-paid-again"))).statusCode).toBe(201);
  await queryOnce(homeDb, "UPDATE idempotency_keys SET created_at = created_at - interval '2 days', expires_at = expires_at - interval '2 days' WHERE idempotency_key = 'drill-paid-again'");
  await secondary.catchUp();

  const refused = await drApi.handler(postPayment(VALID_PAYMENT, "drill-before-failover"));
  expect(refused.statusCode).toBe(503);
  expect(refused.headers?.["Retry-After"]).toBe("2");
  expect(problemOf(refused).type).toMatch(/service-unavailable$/);

  expect((await drHealth.handler(getHealth())).statusCode).toBe(200);
  expect((await primaryHealth.handler(getHealth())).statusCode).toBe(200);
});

it("payments the primary acknowledged while its secondary was cut off are the RPO's: the home region is lost before they replicate", async () => {
  await secondary.pause();
  const created = await primaryApi.handler(postPayment(LOST, "drill-lost"));
  expect(created.statusCode).toBe(201);
  lost = { id: paymentOf(created).id, body: created.body };
  const [notRetried, keyReused, paidAgain] = await Promise.all([
    primaryApi.handler(postPayment(LOST_NOT_RETRIED, "drill-lost-not-retried")),
    primaryApi.handler(postPayment(LOST_KEY_REUSED, "drill-lost-key-reused")),
    primaryApi.handler(postPayment(PAID_AGAIN, "drill-paid-again")),
  ]);
  expect(paidAgain.headers?.[REPLAY_HEADER]).toBeUndefined();
  lostIds = { notRetried: paymentOf(notRetried).id, keyReused: paymentOf(keyReused).id, paidAgain: paymentOf(paidAgain).id };
  expect(await countRows(homeDb)).toEqual({ payments: 6, keys: 5, completedKeys: 5 });

  await home.pause();
  await secondary.resume();
  await secondary.promote();
  globalWriterFromDr.set("forward");
  await new Promise((resolve) => setTimeout(resolve, DR_WRITER_BACKOFF_MS + 50));
  expect(await countRows(secondaryDb)).toEqual({ payments: 2, keys: 2, completedKeys: 2 });
});

it("after the failover, a client's retry of a replicated payment replays its first answer from the DR region: no second payment", async () => {
  const retried = await drApi.handler(postPayment(REPLICATED, "drill-replicated"));
  expect(retried.statusCode).toBe(201);
  expect(retried.headers?.[REPLAY_HEADER]).toBe("true");
  expect(retried.body).toBe(replicated.body);

  const reused = await drApi.handler(postPayment({ ...REPLICATED, amount: 1051 }, "drill-replicated"));
  expect(reused.statusCode).toBe(422);
  expect(await countRows(secondaryDb)).toEqual({ payments: 2, keys: 2, completedKeys: 2 });
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
  expect(await countRows(secondaryDb)).toEqual({ payments: 3, keys: 3, completedKeys: 3 });
  madeSince.retried = remadeId;
});

it("a lost payment's key, its row lost too, takes another request without a 422: the report below tells it from a retry", async () => {
  const other = await drApi.handler(postPayment({ ...LOST_KEY_REUSED, amount: 2600 }, "drill-lost-key-reused"));
  expect(other.statusCode).toBe(201);
  madeSince.keyReused = paymentOf(other).id;
  expect(await countRows(secondaryDb)).toEqual({ payments: 4, keys: 4, completedKeys: 4 });
});

it("the runbook's lost-payments scripts (psql, on the old writer's restored copy, then on the new writer) list each lost payment with what its key made since", async () => {
  const dir = scratchDir("lost-payments-");
  const { psql } = findPostgresBinaries();
  const sqlDir = join(__dirname, "..", "..", "sql");
  /** psql as on-call runs it (without ~/.psqlrc), in `dir`; the password in the environment, not on the command line. */
  const run = async (url: string, args: string[]) => {
    const target = new URL(url);
    const password = decodeURIComponent(target.password);
    target.password = "";
    return (await promisify(execFile)(psql, ["-X", ...args, target.toString()], { cwd: dir, env: { ...process.env, PGPASSWORD: password } })).stdout;
  };
  // The old writer's storage, back as the snapshot's restored copy would be: what it had committed when the region was lost.
  await home.resume();
  await writeFile(join(dir, "old-writer-payments.csv"), await run(asMaster(home.port), ["-v", `since=${drillStart}`, "-f", join(sqlDir, "lost-payments-export.sql")]));
  const report = async () => {
    const [header, ...lines] = (await run(asMaster(secondary.port), ["--csv", "-f", join(sqlDir, "lost-payments-report.sql")])).trim().split("\n");
    expect(header).toBe("lost_payment_id,merchant_id,amount,currency,reference,created_at,idempotency_key,outcome,new_payment_ids");
    const rows = lines.map((line) => line.split(",")).map(([id, merchant, amount, currency, reference, , key, outcome, newIds]) => ({ id, merchant, amount, currency, reference, key, outcome, newIds }));
    return Object.fromEntries(rows.map(({ key, ...row }) => [key, row]));
  };
  const lostRow = (id: string, amount: number, reference: string, outcome: string, newIds = "") => ({ id, merchant: "merchant-42", amount: String(amount), currency: "EUR", reference, outcome, newIds });

  expect(await report()).toEqual({
    "drill-lost": lostRow(lost.id, 1050, "lost-with-the-region", "re-created by a retry", madeSince.retried),
    "drill-lost-key-reused": lostRow(lostIds.keyReused, 2500, "lost-key-reused", "key reused for another request", madeSince.keyReused),
    "drill-lost-not-retried": lostRow(lostIds.notRetried, 999, "lost-not-retried", "not re-created"),
    // The new writer's row of this key is its first use, older than the lost payment: it replaced nothing.
    "drill-paid-again": lostRow(lostIds.paidAgain, 4200, "paid-again", "not re-created"),
  });
  // Read-only on both: each holds what it held.
  expect(await countRows(secondaryDb)).toEqual({ payments: 4, keys: 4, completedKeys: 4 });
  expect(await countRows(homeDb)).toEqual({ payments: 6, keys: 5, completedKeys: 5 });

  // Run a day later, the retry's key row is gone (the hourly cleanup): the payment that replaced the lost one is still named.
  await queryOnce(secondaryDb, "DELETE FROM idempotency_keys WHERE idempotency_key = 'drill-lost'");
  expect((await report())["drill-lost"]).toEqual(lostRow(lost.id, 1050, "lost-with-the-region", "possibly re-created", madeSince.retried));
});

it("the promoted DR region takes new payments and stays healthy, now as the writer", async () => {
  const created = await drApi.handler(postPayment(VALID_PAYMENT, "drill-after-failover"));
  expect(created.statusCode).toBe(201);
  await forgetSession(paymentOf(created).id);
  expect((await drApi.handler(getPayment(paymentOf(created).id))).statusCode).toBe(200);
  expect((await drHealth.handler(getHealth())).statusCode).toBe(200);
  expect(await countRows(secondaryDb)).toEqual({ payments: 5, keys: 4, completedKeys: 4 });
});
