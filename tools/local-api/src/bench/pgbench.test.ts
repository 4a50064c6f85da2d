import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKSPACE_ROOT } from "../paths";
import { DEFAULT_MERCHANT } from "../cli-args";
import { directPaymentEvent } from "./direct-event";
import { BENCH_MERCHANT, BENCH_PAYMENT } from "./load";
import { PAYMENT_TRANSACTION, PGBENCH_QUERY_MODE, pgbenchConstants, pgbenchScript } from "./pgbench";
import { latencySummary, median, percentile } from "./stats";

const REPOSITORY = join(WORKSPACE_ROOT, "libs/payment-lambda/src/payments/repository.ts");
const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

/** A function's source in repository.ts, interpolations resolved to their defaults, on one line. */
function handlerSource(from: string, to: string): string {
  const source = readFileSync(REPOSITORY, "utf8");
  const columns = /const PAYMENT_COLUMNS = "([^"]+)"/.exec(source)?.[1];
  expect(columns).toBeDefined();
  const body = source.slice(source.indexOf(from), source.indexOf(to));
  return oneLine(body.replace("${PAYMENT_COLUMNS}", columns!).replace("${lockTimeoutMs}", "1000"));
}

describe("the pgbench transaction", () => {
  it("is the handler's SQL for a new key, statement for statement, in its order (fails when repository.ts changes)", () => {
    const claimKey = handlerSource("async function claimKey", "export async function createPayment");
    const createPayment = handlerSource("export async function createPayment", "export async function findPayment");
    const [, lockTable, setTimeout, claim, resetTimeout, insertPayment, completeKey] = PAYMENT_TRANSACTION.map(({ sql }) => oneLine(sql));
    expect(claimKey).toContain(claim);
    const order = [lockTable!, setTimeout!, "claimKey(", resetTimeout!, insertPayment!, completeKey!].map((text) => createPayment.indexOf(text));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(PAYMENT_TRANSACTION.map(({ sql }) => sql.split(" ")[0])).toEqual(["BEGIN", "LOCK", "SET", "INSERT", "SET", "INSERT", "UPDATE", "COMMIT"]);
  });

  it("runs in the handler's protocol: every statement with parameters in repository.ts runs prepared, as pgbench's mode", () => {
    const source = readFileSync(REPOSITORY, "utf8");
    expect(PGBENCH_QUERY_MODE).toBe("prepared");
    // client.query only with one literal SQL string and no values; the rest through queryPrepared, named.
    const calls = source.match(/\.query(?:<\w+>)?\(/g) ?? [];
    const literalOnly = source.match(/\.query(?:<\w+>)?\(\s*("[^"$]*"|`[^`$]*`)\s*\)/g) ?? [];
    expect(calls.length).toBeGreaterThan(0);
    expect(literalOnly).toHaveLength(calls.length);
    const named = source.match(/queryPrepared(<\w+>)?\(client, \{\s*name: "[a-z-]+",\s*text: /g) ?? [];
    expect(named.length).toBeGreaterThanOrEqual(6);
    expect(named).toHaveLength(source.match(/values: \[/g)?.length ?? 0);
  });

  it("names every $n parameter for pgbench and stores the payment id for the key's UPDATE", () => {
    const script = pgbenchScript();
    expect(script).not.toMatch(/\$\d/);
    expect(script).toContain("VALUES (:merchant, :key, :hash, 'in_progress', now() + make_interval(hours => :hours))");
    expect(script).toMatch(/RETURNING id, .* \\gset\n/);
    expect(script).toContain("payment_id = :id WHERE merchant_id = :merchant AND idempotency_key = :key;");
    expect(script.split("\n").filter((line) => /^(BEGIN|COMMIT);$/.test(line))).toEqual(["BEGIN;", "COMMIT;"]);
  });
});

describe("the benchmark's merchant", () => {
  it("is the local merchant serve.js creates its key for, in pgbench's transaction and its stored response", () => {
    expect(BENCH_MERCHANT).toBe(DEFAULT_MERCHANT);
    const constants = pgbenchConstants();
    expect(constants.merchant).toBe(DEFAULT_MERCHANT);
    expect(JSON.parse(constants.response_body!)).toMatchObject({ merchantId: DEFAULT_MERCHANT, ...BENCH_PAYMENT, status: "created" });
  });

  it("comes from the authorizer context, never the body: direct invocations carry the context API Gateway passes after a cached allow", () => {
    expect(BENCH_PAYMENT).not.toHaveProperty("merchantId");
    const event = directPaymentEvent("0123456789abcdef");
    expect(JSON.parse(event.body!)).toEqual(BENCH_PAYMENT);
    expect(event.requestContext.authorizer).toEqual({ merchantId: DEFAULT_MERCHANT, keyId: "0123456789abcdef", principalId: DEFAULT_MERCHANT, integrationLatency: 0 });
  });
});

describe("stats", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencySummary(values)).toEqual({ p50: 50, p99: 99 });
    expect(percentile([7], 99)).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });
});
