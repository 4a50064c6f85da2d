import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_MERCHANT, BENCH_PAYMENT } from "./load";

/** One statement of the payment transaction: the handler's SQL, with its `$n` parameters named for pgbench. */
export interface TransactionStatement {
  sql: string;
  /** pgbench variable for `$1`, `$2`, … */
  params: string[];
  /** Store the returned columns as pgbench variables (`\gset`): the payment id for the key's UPDATE. */
  gset?: boolean;
}

/**
 * What the handler sends for a new Idempotency-Key, in order: libs/payment-lambda/src/payments/
 * repository.ts, createPayment (default key lock timeout 1000 ms). The SQL is copied verbatim;
 * a test fails when the handler's changes.
 */
export const PAYMENT_TRANSACTION: readonly TransactionStatement[] = [
  { sql: "BEGIN", params: [] },
  { sql: "LOCK TABLE idempotency_keys IN ROW EXCLUSIVE MODE", params: [] },
  { sql: "SET LOCAL lock_timeout = 1000", params: [] },
  {
    sql: `INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, expires_at)
       VALUES ($1, $2, $3, 'in_progress', now() + make_interval(hours => $4))
       ON CONFLICT (merchant_id, idempotency_key) DO NOTHING`,
    params: ["merchant", "key", "hash", "hours"],
  },
  { sql: "SET LOCAL lock_timeout = 0", params: [] },
  {
    sql: `INSERT INTO payments (merchant_id, amount, currency, status, reference, description)
             VALUES ($1, $2::bigint, $3, $4, $5, $6) RETURNING id, merchant_id, amount, currency, status, reference, description, created_at`,
    params: ["merchant", "amount", "currency", "status", "reference", "description"],
    gset: true,
  },
  {
    sql: `UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4::jsonb, payment_id = $5
             WHERE merchant_id = $1 AND idempotency_key = $2`,
    params: ["merchant", "key", "response_status", "response_body", "id"],
  },
  { sql: "COMMIT", params: [] },
];

/** Fixed values, the benchmark payment's and merchant's (the serving process's local merchant); `amount` and `key` are set per transaction. */
export function pgbenchConstants(): Record<string, string> {
  const response = {
    id: "00000000-0000-4000-8000-000000000000",
    merchantId: BENCH_MERCHANT,
    ...BENCH_PAYMENT,
    status: "created",
    createdAt: new Date(0).toISOString(),
  };
  return {
    merchant: BENCH_MERCHANT,
    hash: "0".repeat(64),
    hours: "24",
    currency: BENCH_PAYMENT.currency,
    status: "created",
    reference: BENCH_PAYMENT.reference,
    description: BENCH_PAYMENT.description,
    response_status: "201",
    response_body: JSON.stringify(response),
  };
}

/** The pgbench script: the transaction, one statement per line, `$n` → `:name`. */
export function pgbenchScript(statements: readonly TransactionStatement[] = PAYMENT_TRANSACTION): string {
  const lines = [
    // A random key per transaction: a collision (2^-63 per pair) would only make that claim a no-op.
    "\\set key random(1, 9223372036854775806)",
    `\\set amount random(1, ${BENCH_PAYMENT.amount * 1000})`,
  ];
  for (const statement of statements) {
    const sql = statement.sql.replace(/\s+/g, " ").replace(/\$(\d+)/g, (_, n: string) => `:${statement.params[Number(n) - 1]}`);
    lines.push(statement.gset ? `${sql} \\gset` : `${sql};`);
  }
  return `${lines.join("\n")}\n`;
}

/** Where pgbench connects: the bench's PostgreSQL. */
export interface PgbenchTarget {
  port: number;
  user: string;
  password: string;
  database: string;
}

/** What one pgbench run measured. */
export interface PgbenchResult {
  /** Transactions per second, without the initial connection time (pgbench's own figure). */
  tps: number;
  transactions: number;
  failed: number;
  latenciesMs: number[];
}

const PGBENCH = "/usr/bin/pgbench";

/**
 * pgbench's query mode, the handler's protocol: the handler names its statements with parameters,
 * so pg prepares each once per connection and then only binds and executes it (repository.ts).
 */
export const PGBENCH_QUERY_MODE = "prepared";

/**
 * Runs the payment transaction with pgbench against 127.0.0.1: `clients` connections, prepared
 * statements ({@link PGBENCH_QUERY_MODE}), for `seconds`.
 */
export async function runPgbench(target: PgbenchTarget, clients: number, seconds: number): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), "pgbench-"));
  try {
    const script = join(dir, "payment.sql");
    await writeFile(script, pgbenchScript());
    const defines = Object.entries(pgbenchConstants()).flatMap(([name, value]) => ["-D", `${name}=${value}`]);
    const threads = Math.min(clients, availableParallelism());
    const args = ["-n", "-M", PGBENCH_QUERY_MODE, "-f", script, "-c", String(clients), "-j", String(threads), "-T", String(seconds), "--log", `--log-prefix=${join(dir, "tx")}`, ...defines];
    args.push("-h", "127.0.0.1", "-p", String(target.port), "-U", target.user, target.database);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(PGBENCH, args, { cwd: dir, timeout: (seconds + 30) * 1000, env: { ...process.env, PGPASSWORD: target.password } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pgbench failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      });
    });
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
    if (!Number.isFinite(tps) || !Number.isFinite(transactions)) throw new Error(`unexpected pgbench output:\n${output}`);
    // Per-transaction log lines: client_id transaction_no latency_us script_no epoch_s epoch_us
    const latenciesMs: number[] = [];
    for (const file of (await readdir(dir)).filter((name) => name.startsWith("tx."))) {
      for (const line of (await readFile(join(dir, file), "utf8")).split("\n")) {
        const latencyUs = Number(line.split(" ")[2]);
        if (line && Number.isFinite(latencyUs)) latenciesMs.push(latencyUs / 1000);
      }
    }
    return { tps, transactions, failed, latenciesMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
