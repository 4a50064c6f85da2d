import type * as esbuild from "esbuild";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { WORKSPACE_ROOT, workspaceRequire } from "../paths";
import lambdaOptions from "@payments-dr/payment-lambda/esbuild-options";
import { median } from "./stats";

/** The api bundle's esbuild options (libs/payment-lambda's build reads the same file). */
const LAMBDA_ESBUILD_OPTIONS = lambdaOptions as esbuild.BuildOptions;

/** The smallest API Gateway handler: what any function pays to be loaded at all. */
const EMPTY_HANDLER = "export const handler = async () => ({ statusCode: 200, body: \"\" });\n";

/** Builds the empty handler with the api bundle's settings into `outDir`/index.js. */
export async function buildEmptyHandler(outDir: string): Promise<string> {
  const { build } = workspaceRequire("esbuild") as typeof esbuild;
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, "index.js");
  await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    stdin: { contents: EMPTY_HANDLER, loader: "ts", resolveDir: WORKSPACE_ROOT, sourcefile: "empty-handler.ts" },
    outfile,
    tsconfig: join(WORKSPACE_ROOT, "tsconfig.base.json"),
  });
  return outfile;
}

/** The @aws-sdk/* packages a bundle requires or imports on first use (external: the Lambda runtime provides them). */
function awsSdkImports(bundle: string): string[] {
  const requires = readFileSync(bundle, "utf8").matchAll(/(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g);
  return [...new Set([...requires].map((match) => match[1]!))].sort();
}

/** Run in a fresh `node -e` process: times `require(argv[1])`, and prints that and the time since the process started. */
const LOAD_PROBE = `
const t0 = performance.now();
require(process.argv[1]);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, loadedAtMs: t1 }));
`;

/** One fresh process's timings. */
interface LoadSample {
  /** `require()` of the bundle. */
  requireMs: number;
  /** Process start (performance.timeOrigin) → bundle loaded: node's own startup + the require. */
  loadedAtMs: number;
}

function probe(modulePath: string, env: Record<string, string>): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", LOAD_PROBE, modulePath], { cwd: WORKSPACE_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`loading ${modulePath} failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as LoadSample);
    });
  });
}

/** What {@link measureModuleLoad} found: medians per variant. */
export interface ModuleLoadResult {
  runs: number;
  empty: LoadSample;
  api: LoadSample;
  /** The @aws-sdk/* packages the api bundle imports (on first use), external: the Lambda runtime provides them. */
  awsSdk: string[];
}

const loadMedians = (samples: LoadSample[]): LoadSample => ({ requireMs: median(samples.map((s) => s.requireMs)), loadedAtMs: median(samples.map((s) => s.loadedAtMs)) });

/**
 * Medians over `runs` fresh processes of each variant, interleaved (empty, api, empty, …) so
 * that drift in the machine's load hits both alike.
 */
export async function measureModuleLoad(apiBundle: string, emptyBundle: string, runs: number): Promise<ModuleLoadResult> {
  // The api bundle validates its environment at import; nothing touches the network before a request.
  const apiEnv = { PATH: process.env.PATH ?? "", DATABASE_URL: "postgres://bench@127.0.0.1:9/unused", REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: "SILENT" };
  const samples = { empty: [] as LoadSample[], api: [] as LoadSample[] };
  for (let i = 0; i < runs; i++) {
    samples.empty.push(await probe(emptyBundle, apiEnv));
    samples.api.push(await probe(apiBundle, apiEnv));
  }
  return { runs, empty: loadMedians(samples.empty), api: loadMedians(samples.api), awsSdk: awsSdkImports(apiBundle) };
}

/**
 * Run in a fresh `node -e` process, as a cold container: requires argv[1], invokes its handler
 * once with the event argv[2] (argv[3] as its Idempotency-Key), and reports on stderr, after a
 * marker, when the module was loaded and when the answer came, from the process's time origin.
 */
const FIRST_RESPONSE_PROBE = `
const [bundle, eventJson, key] = process.argv.slice(1);
const { handler } = require(bundle);
const loadedAtMs = performance.now();
const event = JSON.parse(eventJson);
event.headers["Idempotency-Key"] = key;
event.multiValueHeaders["Idempotency-Key"] = [key];
handler(event).then(
  (result) => {
    const answeredAtMs = performance.now();
    process.stderr.write("\\nRESULT " + JSON.stringify({ loadedAtMs, answeredAtMs, status: result.statusCode }) + "\\n");
    process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;

/** One cold container's timings, from its process's time origin. */
interface FirstResponseSample {
  /** Process start → module loaded (the init phase). */
  loadedAtMs: number;
  /** Module loaded → first invocation answered. */
  firstInvocationMs: number;
  /** Process start → first invocation answered. */
  answeredAtMs: number;
}

function firstResponseProbe(modulePath: string, event: string, key: string, env: Record<string, string>, expectedStatus: number): Promise<FirstResponseSample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", FIRST_RESPONSE_PROBE, modulePath, event, key], { cwd: WORKSPACE_ROOT, env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const line = /RESULT (\{.*\})/.exec(stderr)?.[1];
      if (error || !line) return reject(new Error(`the first invocation of ${modulePath} failed: ${stderr.trim().slice(-2000) || error?.message}`));
      const { loadedAtMs, answeredAtMs, status } = JSON.parse(line) as { loadedAtMs: number; answeredAtMs: number; status: number };
      if (status !== expectedStatus) return reject(new Error(`the first invocation of ${modulePath} answered ${status}, not ${expectedStatus}`));
      resolve({ loadedAtMs, firstInvocationMs: answeredAtMs - loadedAtMs, answeredAtMs });
    });
  });
}

/** Where the first-response variants run: the bench's PostgreSQL (migrated) and a dynalite with the keys and sessions tables. */
export interface FirstResponseTarget {
  databaseUrl: string;
  /** DYNAMODB_ENDPOINT, API_KEYS_TABLE, SESSIONS_TABLE and the local credentials. */
  dynamoDbEnv: Record<string, string>;
  /** The POST /payments event (with its authorizer context) the api variants are invoked with. */
  event: unknown;
  logLevel: string;
}

/** What {@link measureFirstResponse} found: medians per variant. */
export interface FirstResponseResult {
  runs: number;
  empty: FirstResponseSample;
  /** The api bundle with DynamoDB off (no API_KEYS_TABLE, no SESSIONS_TABLE): PostgreSQL only, the AWS SDK never loaded. */
  apiDynamoDbOff: FirstResponseSample;
  /** The api bundle with sessions and keys on: the first POST loads the AWS SDK, records lastUsedAt and writes the session. */
  apiDynamoDbOn: FirstResponseSample;
}

const firstResponseMedians = (samples: FirstResponseSample[]): FirstResponseSample => ({
  loadedAtMs: median(samples.map((s) => s.loadedAtMs)),
  firstInvocationMs: median(samples.map((s) => s.firstInvocationMs)),
  answeredAtMs: median(samples.map((s) => s.answeredAtMs)),
});

/**
 * A cold container's process start → first POST /payments answered, medians over `runs` fresh
 * processes per variant, interleaved: the empty handler, the api bundle with DynamoDB off, and
 * with sessions + keys on. The api bundle imports the AWS SDK on first use, so its cost shows
 * here, in the first invocation, rather than in the module load.
 */
export async function measureFirstResponse(apiBundle: string, emptyBundle: string, runs: number, target: FirstResponseTarget): Promise<FirstResponseResult> {
  const base = {
    PATH: process.env.PATH ?? "",
    DATABASE_URL: target.databaseUrl,
    REGION_ROLE: "primary",
    POWERTOOLS_LOG_LEVEL: target.logLevel,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const event = JSON.stringify(target.event);
  const samples = { empty: [] as FirstResponseSample[], off: [] as FirstResponseSample[], on: [] as FirstResponseSample[] };
  for (let i = 0; i < runs; i++) {
    samples.empty.push(await firstResponseProbe(emptyBundle, event, `cold-empty-${i}`, base, 200));
    samples.off.push(await firstResponseProbe(apiBundle, event, `cold-off-${i}`, base, 201));
    samples.on.push(await firstResponseProbe(apiBundle, event, `cold-on-${i}`, { ...base, ...target.dynamoDbEnv }, 201));
  }
  return { runs, empty: firstResponseMedians(samples.empty), apiDynamoDbOff: firstResponseMedians(samples.off), apiDynamoDbOn: firstResponseMedians(samples.on) };
}
