// `npx nx run payment-lambda:bench -- [--out FILE] [--duration S] [--rounds N] [--warmup N] [--runs N] [--concurrency 1,8,32] [--log-level L]`:
// measures the api bundle (size, load time, a cold container's first response) and POST /payments
// through the local adapter (with the real authorizer, cached per TTL) against pgbench running the
// same transaction, and writes the results as Markdown to stdout (and --out).
import { newApiKey } from "@payments-dr/api-keys";
import { queryOnce, startPostgres, type PostgresServer } from "@payments-dr/testing";
import { readFileSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus, freemem, loadavg, platform, release, totalmem } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { Client } from "pg";
import { DEFAULT_AUTH_CACHE_TTL_S, intOption, UsageError } from "../cli-args";
import { LOCAL_API_KEYS_TABLE, LOCAL_AWS_ENV, LOCAL_SESSIONS_TABLE, startLocalDynamoDb } from "../local-dynamodb";
import { applyMigrations } from "../migrations";
import { API_BUNDLE, built, LOCAL_API_DIST, WORKSPACE_ROOT } from "../paths";
import { parentPid, postgresCpu, processCpu } from "./cpu";
import { directPaymentEvent } from "./direct-event";
import { measureHandlerAlone } from "./handler-alone";
import { BENCH_MERCHANT, postPayments, type LoadResult } from "./load";
import { buildEmptyHandler, measureFirstResponse, measureModuleLoad, type FirstResponseResult } from "./module-load";
import { runPgbench, type PgbenchResult } from "./pgbench";
import { writableReportPath } from "./report-file";
import { renderMarkdown, TARGETS, type BenchReport, type MachineInfo, type ThroughputRow } from "./report";
import { startServing } from "./serving";
import { latencySummary } from "./stats";

interface BenchArgs {
  out?: string;
  /** Seconds of each measured segment (pgbench, then the adapter) of a round. */
  durationS: number;
  /** Rounds per concurrency. */
  rounds: number;
  /**
   * Adapter warm-up: requests per container. Each container JIT-compiles its own copy of the
   * bundle: after 500 requests each, 8 containers on 2 vCPUs still spent ≈ 0.8 ms per payment
   * in V8's background compiler threads, ≈ 0.2 ms after 30 s.
   */
  warmupPerContainer: number;
  runs: number;
  concurrency: number[];
  logLevel: string;
}

const USAGE = "usage: bench [--out FILE] [--duration S per segment (5)] [--rounds N (3)] [--warmup N requests per container (1500)] [--runs N (15)] [--concurrency 1,8,32] [--log-level INFO]";
const MAX_REQUESTS_PER_RUN = 200_000;
/** pgbench has no JIT to warm: a short run fills PostgreSQL's caches. */
const PGBENCH_WARMUP_S = 2;
const MAX_WARMUP_S = 30;
/** Invocations of the handler alone: warm-up, then measured. */
const HANDLER_ALONE = { warm: 1000, count: 3000 };
const MiB = 1024 * 1024;

function parseBenchArgs(argv: string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: "string" }, duration: { type: "string" }, rounds: { type: "string" }, warmup: { type: "string" }, runs: { type: "string" }, concurrency: { type: "string" }, "log-level": { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const concurrency = (values.concurrency ?? "1,8,32").split(",").map((text) => intOption("concurrency", text.trim(), 1, 1, 64));
  return {
    out: values.out,
    durationS: intOption("duration", values.duration, 5, 1, 60),
    rounds: intOption("rounds", values.rounds, 3, 1, 10),
    warmupPerContainer: intOption("warmup", values.warmup, 1500, 0, 5000),
    runs: intOption("runs", values.runs, 15, 3, 100),
    concurrency: [...new Set(concurrency)].sort((a, b) => a - b),
    logLevel: (values["log-level"] ?? "INFO").toUpperCase(),
  };
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** What an interrupted bench must still stop: its PostgreSQL and the serving process. */
const running = new Set<() => Promise<void>>();

async function whileRunning<T>(stop: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  running.add(stop);
  try {
    return await work();
  } finally {
    running.delete(stop);
    await stop();
  }
}

function interrupted(signal: NodeJS.Signals): void {
  progress(`${signal}: stopping`);
  void Promise.allSettled([...running].map((stop) => stop())).then(() => process.exit(130));
}

function machineInfo(postgres: string): MachineInfo {
  let os = `${platform()} ${release()}`;
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? os;
  } catch {
    // not Linux: keep platform + release
  }
  return { cpu: cpus()[0]?.model.trim() ?? "unknown CPU", cpus: cpus().length, memoryGiB: totalmem() / 1024 ** 3, node: process.version, postgres, os };
}

const truncate = (url: string) => queryOnce(url, "TRUNCATE payments, idempotency_keys");

/** The server's postmaster: the parent of a backend, read while that backend is alive. */
async function postmasterPid(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return parentPid(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

/** CPU ms per payment of each party, from CPU-second counters read before and after a run. */
const perPayment = (seconds: number, payments: number) => (seconds * 1000) / payments;

/** What one measured segment of a round cost: CPU seconds of each party, from counters read before and after. */
interface Segment<T> {
  result: T;
  cpuS: { client: number; server: number; postgres: number };
}

/**
 * Each concurrency is measured in `rounds` rounds, each a pgbench segment then an adapter
 * segment of `durationS`: on a shared VM the machine's speed drifts over a run (pgbench alone
 * varied by a third between runs here), and alternating lets both sides sample the same states.
 */
async function measureConcurrency(server: PostgresServer, postmaster: number, concurrency: number, args: BenchArgs): Promise<ThroughputRow> {
  const target = { port: server.port, user: server.user, password: server.password, database: server.database };
  progress(`concurrency ${concurrency}: warm-ups`);
  await truncate(server.url);
  await runPgbench(target, concurrency, PGBENCH_WARMUP_S);
  const serving = await startServing(concurrency, server.url, args.logLevel);
  return whileRunning(serving.stop, async () => {
    const load = (seconds: number, maxRequests: number, keyPrefix: string) =>
      postPayments({ baseUrl: serving.url, apiKey: serving.apiKey, concurrency, durationMs: seconds * 1000, maxRequests, keyPrefix });
    const warmup = await load(MAX_WARMUP_S, args.warmupPerContainer * concurrency, `warmup-${concurrency}`);
    const idle = serving.rssBytes();
    let peak = idle;
    const pgbenchSegments: Segment<PgbenchResult>[] = [];
    const adapterSegments: Segment<LoadResult>[] = [];
    for (let round = 1; round <= args.rounds; round++) {
      progress(`concurrency ${concurrency}: round ${round} of ${args.rounds}`);
      await truncate(server.url);
      // pgbench is a reaped child of this process: its CPU shows in our cutime/cstime.
      const pgBefore = { client: processCpu("self").reaped, postgres: postgresCpu(postmaster) };
      const pgbench = await runPgbench(target, concurrency, args.durationS);
      pgbenchSegments.push({ result: pgbench, cpuS: { client: processCpu("self").reaped - pgBefore.client, server: 0, postgres: postgresCpu(postmaster) - pgBefore.postgres } });

      await truncate(server.url);
      const sampler = setInterval(() => (peak = Math.max(peak, serving.rssBytes())), 250);
      const before = { client: processCpu("self").own, server: processCpu(serving.pid).own, postgres: postgresCpu(postmaster) };
      let adapter: LoadResult;
      try {
        adapter = await load(args.durationS, MAX_REQUESTS_PER_RUN, `bench-${concurrency}-${round}`);
      } finally {
        clearInterval(sampler);
      }
      const cpuS = { client: processCpu("self").own - before.client, server: processCpu(serving.pid).own - before.server, postgres: postgresCpu(postmaster) - before.postgres };
      adapterSegments.push({ result: adapter, cpuS });
    }
    peak = Math.max(peak, serving.rssBytes());
    return throughputRow(concurrency, adapterSegments, pgbenchSegments, { idleMiB: idle / MiB, peakMiB: peak / MiB }, warmup);
  });
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** The rounds of one concurrency, added up: rates are payments over the measured time of all rounds. */
function throughputRow(concurrency: number, adapter: Segment<LoadResult>[], pgbench: Segment<PgbenchResult>[], rss: ThroughputRow["rss"], warmup: LoadResult): ThroughputRow {
  const created = sum(adapter.map(({ result }) => result.created));
  const transactions = sum(pgbench.map(({ result }) => result.transactions));
  const adapterRate = (result: LoadResult) => result.created / (result.elapsedMs / 1000);
  const cpu = (segments: Segment<unknown>[], party: keyof Segment<unknown>["cpuS"], payments: number) => perPayment(sum(segments.map(({ cpuS }) => cpuS[party])), payments);
  const statuses: Record<number, number> = {};
  for (const { result } of adapter) for (const [status, n] of Object.entries(result.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
  return {
    concurrency,
    adapter: {
      perSecond: created / (sum(adapter.map(({ result }) => result.elapsedMs)) / 1000),
      ...latencySummary(adapter.flatMap(({ result }) => result.latenciesMs)),
      created,
      failed: sum(adapter.map(({ result }) => result.failed)),
      statuses,
    },
    // pgbench's own tps (without connection time), averaged over rounds of equal length.
    pgbench: {
      perSecond: sum(pgbench.map(({ result }) => result.tps)) / pgbench.length,
      ...latencySummary(pgbench.flatMap(({ result }) => result.latenciesMs)),
      transactions,
      failed: sum(pgbench.map(({ result }) => result.failed)),
    },
    rounds: adapter.map((segment, i) => ({ adapter: adapterRate(segment.result), pgbench: pgbench[i]!.result.tps })),
    rss,
    warmup: { requests: warmup.created + warmup.failed, seconds: warmup.elapsedMs / 1000 },
    cpuMs: {
      adapter: { client: cpu(adapter, "client", created), server: cpu(adapter, "server", created), postgres: cpu(adapter, "postgres", created) },
      pgbench: { client: cpu(pgbench, "client", transactions), postgres: cpu(pgbench, "postgres", transactions) },
    },
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const out = args.out === undefined ? undefined : await writableReportPath(args.out);
  // The bench's own DynamoDB client (the first-response variant's tables) would warn about this machine's Node; the report states the Node version.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const apiBundle = built(API_BUNDLE, "payment-lambda");
  built(join(LOCAL_API_DIST, "serve.js"), "local-api");
  if (freemem() < 1024 * MiB) progress("less than 1 GiB of memory free: numbers may suffer");

  progress("(a) bundle size");
  const apiBytes = readFileSync(apiBundle);
  const bundle = { path: relative(WORKSPACE_ROOT, apiBundle), bytes: statSync(apiBundle).size, gzipBytes: gzipSync(apiBytes).length, budgetBytes: TARGETS.bundleBytes };

  progress(`(b) module load: ${args.runs} fresh processes per variant`);
  const emptyBundle = await buildEmptyHandler(join(LOCAL_API_DIST, "bench", "empty-handler"));
  const moduleLoad = await measureModuleLoad(apiBundle, emptyBundle, args.runs);

  progress("(b, c, d) starting PostgreSQL");
  const server = await startPostgres();
  const rows: ThroughputRow[] = [];
  let handlerAlone: BenchReport["handlerAlone"] | undefined;
  let firstResponse: FirstResponseResult | undefined;
  // The key whose authorizer context the direct invocations carry (stored for the first-response variant that records lastUsedAt).
  const { record: benchKey } = newApiKey({ merchantId: BENCH_MERCHANT, label: "bench" });
  const postgresVersion = await whileRunning(
    () => server.stop(),
    async () => {
      const version = String((await queryOnce(server.url, "SHOW server_version"))[0]?.server_version ?? server.version);
      const postmaster = await postmasterPid(server.url);
      await applyMigrations(server.url);
      progress(`(b) first response of a cold container: ${args.runs} fresh processes per variant`);
      const dynamoDb = await startLocalDynamoDb({ sessions: true });
      firstResponse = await whileRunning(dynamoDb.stop, async () => {
        await dynamoDb.putApiKey(benchKey);
        const dynamoDbEnv = { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: dynamoDb.endpoint, API_KEYS_TABLE: LOCAL_API_KEYS_TABLE, SESSIONS_TABLE: LOCAL_SESSIONS_TABLE };
        const target = { databaseUrl: server.url, dynamoDbEnv, event: directPaymentEvent(benchKey.keyId), logLevel: args.logLevel };
        return measureFirstResponse(apiBundle, emptyBundle, args.runs, target);
      });
      progress("(c) the handler alone");
      await truncate(server.url);
      const alone = await measureHandlerAlone(apiBundle, server.url, () => postgresCpu(postmaster), { keyId: benchKey.keyId, logLevel: args.logLevel, ...HANDLER_ALONE });
      handlerAlone = { perSecond: alone.perSecond, cpuMs: { handler: alone.cpuMsPerPayment, postgres: alone.postgresCpuMsPerPayment } };
      for (const concurrency of args.concurrency) rows.push(await measureConcurrency(server, postmaster, concurrency, args));
      return version;
    },
  );

  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(postgresVersion),
    settings: { durationS: args.durationS, rounds: args.rounds, warmupPerContainer: args.warmupPerContainer, warmupPgbenchS: PGBENCH_WARMUP_S, runs: args.runs, logLevel: args.logLevel },
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
    bundle,
    load: moduleLoad,
    firstResponse: firstResponse!,
    authCacheTtlS: DEFAULT_AUTH_CACHE_TTL_S,
    handlerAlone: handlerAlone!,
    rows,
    wallS: (performance.now() - started) / 1000,
  };
  const markdown = renderMarkdown(report);
  process.stdout.write(markdown);
  if (out) {
    await writeFile(out, markdown);
    progress(`written to ${out}`);
  }
}

main().catch((error: Error) => {
  console.error(`[bench] ${error instanceof UsageError ? error.message : `${error.name}: ${error.message}`}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
