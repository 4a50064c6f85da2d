import { BENCH_MERCHANT } from "./load";
import type { FirstResponseResult, ModuleLoadResult } from "./module-load";
import { PGBENCH_QUERY_MODE } from "./pgbench";

/** Where the numbers come from. */
export interface MachineInfo {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  os: string;
}

/** One concurrency level of (c) and (d). */
export interface ThroughputRow {
  concurrency: number;
  adapter: { perSecond: number; p50: number; p99: number; created: number; failed: number; statuses: Record<number, number> };
  pgbench: { perSecond: number; p50: number; p99: number; transactions: number; failed: number };
  /** Each round's rates, payments/s: pgbench's segment, then the adapter's. */
  rounds: { adapter: number; pgbench: number }[];
  /** The serving process, MiB: idle after warm-up, and the highest sample during the run. */
  rss: { idleMiB: number; peakMiB: number };
  /** The adapter's warm-up before the measured run. */
  warmup: { requests: number; seconds: number };
  /** CPU ms per payment during the measured segments. client: the load generator / pgbench; server: serve.js (adapter + handler). */
  cpuMs: { adapter: { client: number; server: number; postgres: number }; pgbench: { client: number; postgres: number } };
}

/** Everything one bench run measured. */
export interface BenchReport {
  date: string;
  machine: MachineInfo;
  settings: { durationS: number; rounds: number; warmupPerContainer: number; warmupPgbenchS: number; runs: number; logLevel: string };
  /** The machine's 1-minute load average when the run started and ended: other work skews the numbers. */
  loadAverage: { before: number; after: number };
  bundle: { path: string; bytes: number; gzipBytes: number; budgetBytes: number };
  load: ModuleLoadResult;
  /** Cold containers: process start → first POST /payments answered. */
  firstResponse: FirstResponseResult;
  /** The authorizer cache TTL of the serving process, seconds. */
  authCacheTtlS: number;
  /** The bundle invoked directly in one process, one payment at a time: the handler's own cost. */
  handlerAlone: { perSecond: number; cpuMs: { handler: number; postgres: number } };
  rows: ThroughputRow[];
  wallS: number;
}

/** The targets the numbers are held against. */
export const TARGETS = { bundleBytes: 250 * 1024, loadRatio: 1.5, throughputShare: 0.5, throughputAtConcurrency: 8 } as const;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => (value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
const count = (value: number) => Math.round(value).toLocaleString("en-US");
const met = (ok: boolean) => (ok ? "yes" : "**no**");

/** The load ratio, from the medians: process start → loaded, api vs empty. */
const loadRatio = (load: ModuleLoadResult): number => load.api.loadedAtMs / load.empty.loadedAtMs;

const sdkList = (load: ModuleLoadResult) => load.awsSdk.map((name) => `\`${name}\``).join(", ");

function summary(report: BenchReport): string[] {
  const whole = loadRatio(report.load);
  const { firstResponse } = report;
  const row8 = report.rows.find((row) => row.concurrency === TARGETS.throughputAtConcurrency);
  const share8 = row8 ? row8.adapter.perSecond / row8.pgbench.perSecond : Number.NaN;
  return [
    "| measure | result | target | met |",
    "|---|---:|---:|:---:|",
    `| (a) size of api/index.js (@aws-sdk/* external) | ${kb(report.bundle.bytes)} | ≤ ${kb(TARGETS.bundleBytes)} | ${met(report.bundle.bytes <= TARGETS.bundleBytes)} |`,
    `| (b) cold load, process start → module loaded, api / empty handler | ${ratio(whole)} | ≤ ${ratio(TARGETS.loadRatio)} | ${met(whole <= TARGETS.loadRatio)} |`,
    `| (b) cold container, process start → first POST /payments answered, api with sessions + keys (AWS SDK loaded on first use) / empty handler | ${ms(firstResponse.apiDynamoDbOn.answeredAtMs)} / ${ms(firstResponse.empty.answeredAtMs)} | – | – |`,
    row8
      ? `| (c) payments/s through the adapter / pgbench, concurrency ${TARGETS.throughputAtConcurrency} | ${percent(share8)} | ≥ ${percent(TARGETS.throughputShare)} | ${met(share8 >= TARGETS.throughputShare)} |`
      : `| (c) concurrency ${TARGETS.throughputAtConcurrency} was not measured | | | |`,
  ];
}

function bundleSection(report: BenchReport): string[] {
  const { bundle, load } = report;
  return [
    "| file | size | gzip | budget used |",
    "|---|---:|---:|---:|",
    `| \`${bundle.path}\` | ${kb(bundle.bytes)} (${count(bundle.bytes)} B) | ${kb(bundle.gzipBytes)} | ${percent(bundle.bytes / bundle.budgetBytes)} of ${kb(bundle.budgetBytes)} |`,
    "",
    `External, provided by the Lambda runtime, and imported on first use (not at module load): ${sdkList(load)}.`,
  ];
}

function loadSection(report: BenchReport): string[] {
  const { load, firstResponse } = report;
  const { empty, apiDynamoDbOff: off, apiDynamoDbOn: on } = firstResponse;
  const row = (name: string, sample: typeof empty) => `| ${name} | ${ms(sample.loadedAtMs)} | ${ms(sample.firstInvocationMs)} | ${ms(sample.answeredAtMs)} |`;
  return [
    `Medians of ${load.runs} fresh \`node -e\` processes per variant, interleaved. *require()* times the \`require\` of the bundle alone; *start → loaded* runs from the process's time origin to the end of that \`require\` (node's own startup included, as in a cold start's init).`,
    "",
    "| variant | require() | start → loaded |",
    "|---|---:|---:|",
    `| empty handler, same esbuild settings | ${ms(load.empty.requireMs)} | ${ms(load.empty.loadedAtMs)} |`,
    `| api/index.js | ${ms(load.api.requireMs)} | ${ms(load.api.loadedAtMs)} |`,
    `| **ratio api / empty** | ${ratio(load.api.requireMs / load.empty.requireMs)} | **${ratio(loadRatio(load))}** |`,
    "",
    `The api bundle no longer loads ${sdkList(load)} at import: it imports them on the first request that uses DynamoDB, so their cost left the module load for the first invocation. Where it went: a cold container's process start → module loaded → first \`POST /payments\` answered (a new payment, 201; PostgreSQL connection opened by that request), medians of ${firstResponse.runs} fresh processes per variant, interleaved:`,
    "",
    "| variant | start → loaded | loaded → first answer | start → first answer |",
    "|---|---:|---:|---:|",
    row("empty handler", empty),
    row("api/index.js, DynamoDB off (PostgreSQL only: the SDK is never loaded)", off),
    row("api/index.js, sessions + keys on (the SDK loads, lastUsedAt UpdateItem, session PutItem)", on),
    "",
    `With sessions and keys on, loaded → first answer takes ${ms(on.firstInvocationMs - off.firstInvocationMs)} longer than with DynamoDB off: the SDK's load plus two DynamoDB round trips (to a dynalite on the same machine). A container that serves only \`/health\` never pays it; one that serves payments pays it once, in its first request, instead of in every cold start's init.`,
  ];
}

function throughputSection(report: BenchReport): string[] {
  const lines = [
    "| concurrency | adapter payments/s | p50 | p99 | pgbench tx/s | p50 | p99 | throughput adapter / pgbench | each round | p50 adapter / pgbench |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { concurrency, adapter, pgbench, rounds } of report.rows) {
    const each = rounds.map((round) => percent(round.adapter / round.pgbench)).join(", ");
    lines.push(
      `| ${concurrency} | ${count(adapter.perSecond)} | ${ms(adapter.p50)} | ${ms(adapter.p99)} | ${count(pgbench.perSecond)} | ${ms(pgbench.p50)} | ${ms(pgbench.p99)} | **${percent(adapter.perSecond / pgbench.perSecond)}** | ${each} | ${ratio(adapter.p50 / pgbench.p50)} |`,
    );
  }
  const alone = report.handlerAlone;
  const serveAt1 = report.rows.find((row) => row.concurrency === 1)?.cpuMs.adapter.server;
  lines.push(
    "",
    `The handler alone (api/index.js invoked directly in one process with the adapter's event, one payment at a time, no HTTP, no threads; the event carries the authorizer context as API Gateway passes it after a cached allow, so the authorizer's cost is not in this figure; no lastUsedAt write): ${count(alone.perSecond)} payments/s, ${ms(alone.cpuMs.handler)} CPU per payment in its process (handler + pg client + its logs) and ${ms(alone.cpuMs.postgres)} in PostgreSQL.` +
      (serveAt1 === undefined ? "" : ` serve.js spends ${ms(serveAt1)} per payment at concurrency 1, so the adapter's own share (HTTP, the event, the authorizer cache lookup and policy check, two thread hops) is about ${ms(Math.max(0, serveAt1 - alone.cpuMs.handler))}.`),
    "",
    "CPU per payment during the measured segments (all processes share the same vCPUs, so throughput is roughly vCPUs ÷ total):",
    "",
    "| concurrency | adapter: load generator | serve.js (adapter + handler) | PostgreSQL | total | pgbench: client | PostgreSQL | total |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const { concurrency, cpuMs } of report.rows) {
    const { adapter, pgbench } = cpuMs;
    lines.push(
      `| ${concurrency} | ${ms(adapter.client)} | ${ms(adapter.server)} | ${ms(adapter.postgres)} | **${ms(adapter.client + adapter.server + adapter.postgres)}** | ${ms(pgbench.client)} | ${ms(pgbench.postgres)} | **${ms(pgbench.client + pgbench.postgres)}** |`,
    );
  }
  lines.push("", "| concurrency | adapter warm-up | adapter: 201 answers | other answers | pgbench: transactions | failed |", "|---:|---:|---:|---:|---:|---:|");
  for (const { concurrency, adapter, pgbench, warmup } of report.rows) {
    const others = Object.entries(adapter.statuses).filter(([status]) => status !== "201");
    const otherText = others.length > 0 ? others.map(([status, n]) => `${n} × ${status === "0" ? "no answer" : status}`).join(", ") : "0";
    lines.push(`| ${concurrency} | ${count(warmup.requests)} requests, ${warmup.seconds.toFixed(1)} s | ${count(adapter.created)} | ${otherText} | ${count(pgbench.transactions)} | ${count(pgbench.failed)} |`);
  }
  return lines;
}

function memorySection(report: BenchReport): string[] {
  const base = report.rows.find((row) => row.concurrency === 1);
  const lines = [
    "The serving process holds the api containers, the authorizer's container(s) (one while a single key is used: concurrent cache misses of one key share an invocation) and the in-process dynalite with the keys table.",
    "",
    "| concurrency (api containers) | RSS after warm-up | peak RSS during the run | peak per extra container |",
    "|---:|---:|---:|---:|",
  ];
  for (const { concurrency, rss } of report.rows) {
    const perExtra = base && concurrency > 1 ? `${((rss.peakMiB - base.rss.peakMiB) / (concurrency - 1)).toFixed(1)} MiB` : "–";
    lines.push(`| ${concurrency} | ${rss.idleMiB.toFixed(0)} MiB | ${rss.peakMiB.toFixed(0)} MiB | ${perExtra} |`);
  }
  return lines;
}

function method(report: BenchReport): string[] {
  const { settings, loadAverage } = report;
  return [
    `- One run of \`npx nx run payment-lambda:bench\` (${report.wallS.toFixed(0)} s) on one machine: load generator, adapter, pgbench and PostgreSQL share its ${report.machine.cpus} vCPUs, so absolute numbers are this machine's; the ratios are the point. 1-minute load average ${loadAverage.before.toFixed(2)} at the start, ${loadAverage.after.toFixed(2)} at the end (other work on the machine skews everything).`,
    `- PostgreSQL ${report.machine.postgres}: a throwaway server from tools/testing on 127.0.0.1 (fsync, synchronous_commit and full_page_writes off), migrated by the built migrate function. Both tables are truncated before every measured segment.`,
    `- Each concurrency: pgbench's warm-up, serve.js started and warmed up, then ${settings.rounds} rounds of a ${settings.durationS} s pgbench segment followed by a ${settings.durationS} s adapter segment. This VM's speed drifts (pgbench alone by up to a third between runs minutes apart); alternating makes both sides sample the same drift. Rates are over all rounds; "each round" shows the spread.`,
    `- Adapter: \`serve.js --concurrency N\` as its own process (N containers, each its own instance of api/index.js with its own connection, on min(N, vCPUs) host threads), sessions off, the API keys table in its in-process dynalite (each api container records the key's lastUsedAt once per 5 minutes, so the SDK loads in each during the warm-up), POWERTOOLS_LOG_LEVEL=${settings.logLevel}, metrics on (the handler's logs and EMF lines are written, and discarded by the bench). The real authorizer bundle runs in its own container pool before each \`POST /payments\` whose Authorization header is not in the cache (TTL ${report.authCacheTtlS} s): the adapter's figures include the authorizer only on those misses, once per TTL (the warm-up's first request, and once more if the TTL ends during the measured run); cache hits cost a lookup and the policy check. Load: N closed loops over as many keep-alive connections from the bench process (undici's pool), \`POST /payments\` with the README's example body (no merchantId: the merchant is the key's, \`${BENCH_MERCHANT}\`), \`Authorization: Bearer <the key serve.js printed>\` and a unique Idempotency-Key each, only to 127.0.0.1. Warm-up: ${settings.warmupPerContainer} requests per container (at most 30 s), since V8 compiles and optimises the bundle on each host thread; then the rounds (at most 200 000 requests per segment). Latency is the client's, request sent → response read.`,
    `- pgbench: the handler's transaction for a new key of merchant \`${BENCH_MERCHANT}\`, statement for statement (BEGIN; LOCK TABLE idempotency_keys IN ROW EXCLUSIVE MODE; SET LOCAL lock_timeout; INSERT the key ON CONFLICT DO NOTHING; SET LOCAL lock_timeout = 0; INSERT the payment RETURNING …; UPDATE the key with the response and the payment id; COMMIT), prepared statements (\`-M ${PGBENCH_QUERY_MODE}\`: the handler's statements with parameters are named, so pg prepares each once per connection; BEGIN, LOCK, SET LOCAL and COMMIT it sends unprepared), \`-c N -j min(N, vCPUs)\`, ${settings.warmupPgbenchS} s warm-up, then its segment of each round; it waits for each statement's answer (8 round trips), where the handler pipelines its statements (3 round trips): the server runs the same statements either way; tx/s is pgbench's own (without connection time), latencies from its per-transaction log.`,
    "- CPU: user + system time from /proc — the serving process (all threads), the PostgreSQL server (postmaster, live backends and the reaped ones), the bench process (load generator) or pgbench (a reaped child) — over the measured segments, divided by the payments made. RSS: VmRSS of the serving process, sampled every 250 ms.",
    `- Module load: the empty handler is \`export const handler = async () => ({ statusCode: 200, body: "" })\` built with the options of libs/payment-lambda/scripts/build.mjs. First response: each fresh process requires the bundle and invokes its handler once with the adapter's \`POST /payments\` event carrying the authorizer context (as after a cached allow; the authorizer itself is not in it), against the bench's PostgreSQL and, for "sessions + keys on", a dynalite in the bench process with both tables and the key's record; POWERTOOLS_LOG_LEVEL=${settings.logLevel}.`,
  ];
}

/** The report as Markdown (for docs/benchmarks.md). */
export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  return [
    "# payment-lambda benchmarks",
    "",
    `Measured ${report.date} on ${machine.cpu} (${machine.cpus} vCPU, ${machine.memoryGiB.toFixed(0)} GiB), ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
    "",
    "## Summary",
    "",
    ...summary(report),
    "",
    "## (a) Bundle size",
    "",
    ...bundleSection(report),
    "",
    "## (b) Module load",
    "",
    ...loadSection(report),
    "",
    "## (c) POST /payments: adapter vs pgbench",
    "",
    ...throughputSection(report),
    "",
    "## (d) Memory of the serving process",
    "",
    ...memorySection(report),
    "",
    "## How it was measured",
    "",
    ...method(report),
    "",
  ].join("\n");
}
