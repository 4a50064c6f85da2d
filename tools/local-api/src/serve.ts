// `npx nx run payment-lambda:serve -- [--port N] [--concurrency N] [--sessions local] [--merchant ID] [--auth-cache-ttl S] [--timeout-seconds S] [--quiet]`:
// the payment API on 127.0.0.1, through a local API Gateway (with the Lambda authorizer) + Lambda stand-in.
import { startBackingServices, type BackingServices, type LocalApiKey } from "./backing";
import { parseServeArgs, SERVE_USAGE, UsageError, type ServeArgs } from "./cli-args";
import { startLocalApi, type LocalApi } from "./server";

const log = (line: string) => console.log(`[local-api] ${line}`);

/** The start-up lines: the API key (printed here only, once) and curl examples that send it. */
function startHint(url: string, key: LocalApiKey, cacheTtlS: number): string {
  const body = JSON.stringify({ amount: 1050, currency: "EUR", reference: "order-1001" });
  const cache = cacheTtlS > 0 ? `its answer cached ${cacheTtlS} s per Authorization header` : "not cached";
  return [
    `  API key of merchant ${key.merchantId} (valid until this stops; the authorizer runs on POST /payments and GET /payments/{id}, ${cache}):`,
    `  export PDR_API_KEY=${key.apiKey}`,
    `  curl -i -X POST ${url}/payments -H "Authorization: Bearer $PDR_API_KEY" -H 'Content-Type: application/json' -H "Idempotency-Key: $(date +%s%N)" -d '${body}'`,
    `  curl -i ${url}/payments/<id from the Location header> -H "Authorization: Bearer $PDR_API_KEY"`,
    `  curl -i ${url}/health`,
    "  Ctrl+C stops it.",
  ].join("\n");
}

interface Running {
  api: LocalApi;
  backing: BackingServices;
}

async function start(args: ServeArgs): Promise<Running> {
  const backing = await startBackingServices({ env: process.env, sessions: args.sessions, merchant: args.merchant, log });
  try {
    const api = await startLocalApi({
      port: args.port,
      concurrency: args.concurrency,
      env: backing.functionEnv,
      authorizer: { env: backing.authorizerEnv, cacheTtlS: args.authCacheTtlS, usageKeys: new Set([backing.apiKey.usageKey]) },
      health: { env: backing.healthEnv },
      timeoutMs: args.timeoutS * 1000,
      log: args.quiet ? undefined : log,
    });
    return { api, backing };
  } catch (error) {
    await backing.stop();
    throw error;
  }
}

function fail(error: Error): never {
  console.error(`[local-api] ${error instanceof UsageError ? error.message : `${error.name}: ${error.message}`}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}

function main(): void {
  // The adapter's own DynamoDB client (it creates the tables and the key) would warn about this
  // machine's Node; the start-up log says that once, for the functions too.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // A reader that went away (`serve | head`, a killed parent) must not cut the cleanup short.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  if (process.argv.slice(2).some((arg) => arg === "--help" || arg === "-h")) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    process.exit(0);
  }
  let args: ServeArgs;
  try {
    args = parseServeArgs(process.argv.slice(2));
  } catch (error) {
    fail(error as Error);
  }
  // Signals are handled from the start: one during startup still stops a PostgreSQL being started.
  const running = start(args);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // Ctrl+C under nx can deliver SIGINT and then SIGTERM: a repeat must not cut the cleanup short.
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    setTimeout(() => fail(new Error("shutdown took over 20 s")), 20_000).unref();
    running
      .then(
        ({ api, backing }) => api.close().finally(() => backing.stop()),
        () => undefined,
      )
      .then(() => {
        log("stopped");
        process.exit(0);
      }, fail);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  running.then(({ api, backing }) => {
    if (stopping) return;
    const containers = args.concurrency === 1 ? "1 container" : `${args.concurrency} containers`;
    log(`payments API on ${api.url} (stage "local", ${containers}, one request at a time each, ${args.timeoutS} s function timeout)\n${startHint(api.url, backing.apiKey, args.authCacheTtlS)}`);
  }, fail);
}

main();
