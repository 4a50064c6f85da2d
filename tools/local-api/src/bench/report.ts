import type { ModuleLoadResult } from "./module-load";

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
  /** The serving process, MiB: idle after warm-up, and the highest sample during the run. */
  rss: { idleMiB: number; peakMiB: number };
  /** The adapter's warm-up before the measured run. */
  warmup: { requests: number; seconds: number };
  /** CPU ms per payment during the measured runs. client: the load generator / pgbench; server: serve.js (adapter + handler). */
  cpuMs: { adapter: { client: number; server: number; postgres: number }; pgbench: { client: number; postgres: number } };
}

/** Everything one bench run measured. */
export interface BenchReport {
  date: string;
  machine: MachineInfo;
  settings: { durationS: number; warmupPerContainer: number; warmupPgbenchS: number; runs: number; logLevel: string };
  /** The machine's 1-minute load average when the run started and ended: other work skews the numbers. */
  loadAverage: { before: number; after: number };
  bundle: { path: string; bytes: number; gzipBytes: number; budgetBytes: number };
  load: ModuleLoadResult;
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

/** Load ratios, from the medians: process start → loaded, api vs empty; and the same with the SDK's share taken out. */
export function loadRatios(load: ModuleLoadResult): { whole: number; withoutSdk: number; sdkMs: number } {
  const sdkMs = Math.max(0, load.api.requireMs - load.apiOwnCode.requireMs);
  return { whole: load.api.loadedAtMs / load.empty.loadedAtMs, withoutSdk: (load.api.loadedAtMs - sdkMs) / load.empty.loadedAtMs, sdkMs };
}

function summary(report: BenchReport): string[] {
  const ratios = loadRatios(report.load);
  const row8 = report.rows.find((row) => row.concurrency === TARGETS.throughputAtConcurrency);
  const share8 = row8 ? row8.adapter.perSecond / row8.pgbench.perSecond : Number.NaN;
  return [
    "| measure | result | target | met |",
    "|---|---:|---:|:---:|",
    `| (a) size of api/index.js (@aws-sdk/* external) | ${kb(report.bundle.bytes)} | ≤ ${kb(TARGETS.bundleBytes)} | ${met(report.bundle.bytes <= TARGETS.bundleBytes)} |`,
    `| (b) cold load, process start → module loaded, api / empty handler | ${ratio(ratios.whole)} | ≤ ${ratio(TARGETS.loadRatio)} | ${met(ratios.whole <= TARGETS.loadRatio)} |`,
    `| (b) the same without loading @aws-sdk/* (the bundle's own code) | ${ratio(ratios.withoutSdk)} | (≤ ${ratio(TARGETS.loadRatio)}) | ${met(ratios.withoutSdk <= TARGETS.loadRatio)} |`,
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
    `External, provided by the Lambda runtime: ${load.awsSdk.map((name) => `\`${name}\``).join(", ")}.`,
  ];
}

function loadSection(report: BenchReport): string[] {
  const { load } = report;
  const ratios = loadRatios(load);
  return [
    `Medians of ${load.runs} fresh \`node -e\` processes per variant, interleaved. *require()* times the \`require\` of the bundle alone; *start → loaded* runs from the process's time origin to the end of that \`require\` (node's own startup included, as in a cold start's init).`,
    "",
    "| variant | require() | start → loaded |",
    "|---|---:|---:|",
    `| empty handler, same esbuild settings | ${ms(load.empty.requireMs)} | ${ms(load.empty.loadedAtMs)} |`,
    `| api/index.js | ${ms(load.api.requireMs)} | ${ms(load.api.loadedAtMs)} |`,
    `| api/index.js with @aws-sdk/* already loaded | ${ms(load.apiOwnCode.requireMs)} | – |`,
    `| **ratio api / empty** | ${ratio(load.api.requireMs / load.empty.requireMs)} | **${ratio(ratios.whole)}** |`,
    `| ratio without the @aws-sdk/* share | ${ratio(load.apiOwnCode.requireMs / load.empty.requireMs)} | ${ratio(ratios.withoutSdk)} |`,
    "",
    `Loading ${load.awsSdk.map((name) => `\`${name}\``).join(", ")} is ${ms(ratios.sdkMs)} of the api bundle's ${ms(load.api.requireMs)} require() (${percent(ratios.sdkMs / load.api.requireMs)}); the bundle's own code (pg, Powertools, zod, the handler) is ${ms(load.apiOwnCode.requireMs)}.`,
  ];
}

function throughputSection(report: BenchReport): string[] {
  const lines = [
    "| concurrency | adapter payments/s | p50 | p99 | pgbench tx/s | p50 | p99 | throughput adapter / pgbench | p50 adapter / pgbench |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { concurrency, adapter, pgbench } of report.rows) {
    lines.push(
      `| ${concurrency} | ${count(adapter.perSecond)} | ${ms(adapter.p50)} | ${ms(adapter.p99)} | ${count(pgbench.perSecond)} | ${ms(pgbench.p50)} | ${ms(pgbench.p99)} | **${percent(adapter.perSecond / pgbench.perSecond)}** | ${ratio(adapter.p50 / pgbench.p50)} |`,
    );
  }
  const alone = report.handlerAlone;
  const serveAt1 = report.rows.find((row) => row.concurrency === 1)?.cpuMs.adapter.server;
  lines.push(
    "",
    `The handler alone (api/index.js invoked directly in one process with the adapter's event, one payment at a time, no HTTP, no threads): ${count(alone.perSecond)} payments/s, ${ms(alone.cpuMs.handler)} CPU per payment in its process (handler + pg client + its logs) and ${ms(alone.cpuMs.postgres)} in PostgreSQL.` +
      (serveAt1 === undefined ? "" : ` serve.js spends ${ms(serveAt1)} per payment at concurrency 1, so the adapter's own share (HTTP, the event, two thread hops, forwarding the logs) is about ${ms(Math.max(0, serveAt1 - alone.cpuMs.handler))}.`),
    "",
    "CPU per payment during the measured runs (all processes share the same vCPUs, so throughput is roughly vCPUs ÷ total):",
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
  const lines = ["| concurrency (containers) | RSS after warm-up | peak RSS during the run | peak per extra container |", "|---:|---:|---:|---:|"];
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
    `- PostgreSQL ${report.machine.postgres}: a throwaway server from tools/testing on 127.0.0.1 (fsync, synchronous_commit and full_page_writes off), migrated by the built migrate function. Both tables are truncated before every measured run.`,
    `- Adapter: \`serve.js --concurrency N\` as its own process (N worker-thread containers, each with its own copy of api/index.js and its own connection), sessions off, POWERTOOLS_LOG_LEVEL=${settings.logLevel}, metrics on (the handler's logs and EMF lines are written, and discarded by the bench). Load: N closed loops over keep-alive connections from the bench process, \`POST /payments\` with the README's example body and a unique Idempotency-Key each, only to 127.0.0.1. Warm-up: ${settings.warmupPerContainer} requests per container (at most 30 s), since each container JIT-compiles its own copy of the bundle; then ${settings.durationS} s measured (at most 200 000 requests). Latency is the client's, request sent → response read.`,
    `- pgbench: the handler's transaction for a new key, statement for statement (BEGIN; SET LOCAL lock_timeout; INSERT the key ON CONFLICT DO NOTHING; SET LOCAL lock_timeout = 0; INSERT the payment RETURNING …; UPDATE the key with the response and the payment id; COMMIT), extended protocol, \`-c N -j min(N, vCPUs)\`, ${settings.warmupPgbenchS} s warm-up, ${settings.durationS} s measured; tx/s is pgbench's own (without connection time), latencies from its per-transaction log.`,
    "- CPU: user + system time from /proc — the serving process (all threads), the PostgreSQL server (postmaster, live backends and the reaped ones), the bench process (load generator) or pgbench (a reaped child) — over the measured run, divided by the payments made. RSS: VmRSS of the serving process, sampled every 250 ms.",
    `- Module load: the empty handler is \`export const handler = async () => ({ statusCode: 200, body: "" })\` built with the options of libs/payment-lambda/scripts/build.mjs. "Without the @aws-sdk/* share" subtracts (api require − api require with the SDK preloaded) from the api's start → loaded.`,
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
