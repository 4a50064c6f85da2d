import type * as esbuild from "esbuild";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { WORKSPACE_ROOT, workspaceRequire } from "../paths";
import lambdaOptions from "../../../../libs/payment-lambda/scripts/lambda-esbuild-options.json";
import { median } from "./stats";

/** The api bundle's esbuild options (libs/payment-lambda's build reads the same file). */
export const LAMBDA_ESBUILD_OPTIONS = lambdaOptions as esbuild.BuildOptions;

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
export function awsSdkImports(bundle: string): string[] {
  const requires = readFileSync(bundle, "utf8").matchAll(/(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g);
  return [...new Set([...requires].map((match) => match[1]!))].sort();
}

/**
 * Run in a fresh `node -e` process: requires argv[2…] untimed (preloads), then times
 * `require(argv[1])`, and prints that and the time since the process started.
 */
const PROBE = `
for (const name of process.argv.slice(2)) require(name);
const t0 = performance.now();
require(process.argv[1]);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, loadedAtMs: t1 }));
`;

/** One fresh process's timings. */
export interface LoadSample {
  /** `require()` of the bundle. */
  requireMs: number;
  /** Process start (performance.timeOrigin) → bundle loaded: node's own startup + the require. */
  loadedAtMs: number;
}

function probe(modulePath: string, preload: string[], env: Record<string, string>): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", PROBE, modulePath, ...preload], { cwd: WORKSPACE_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`loading ${modulePath} failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as LoadSample);
    });
  });
}

/** A variant's medians over fresh processes. */
export interface LoadTiming {
  requireMs: number;
  loadedAtMs: number;
}

/** What {@link measureModuleLoad} found. */
export interface ModuleLoadResult {
  runs: number;
  empty: LoadTiming;
  api: LoadTiming;
  /** The api bundle with its @aws-sdk/* packages already loaded: the cost of its own code. */
  apiOwnCode: LoadTiming;
  awsSdk: string[];
}

const medians = (samples: LoadSample[]): LoadTiming => ({ requireMs: median(samples.map((s) => s.requireMs)), loadedAtMs: median(samples.map((s) => s.loadedAtMs)) });

/**
 * Medians over `runs` fresh processes of each variant, interleaved (empty, api, api without
 * the SDK's share, empty, …) so that drift in the machine's load hits all of them alike.
 */
export async function measureModuleLoad(apiBundle: string, emptyBundle: string, runs: number): Promise<ModuleLoadResult> {
  // The api bundle validates its environment at import; nothing touches the network before a request.
  const apiEnv = { PATH: process.env.PATH ?? "", DATABASE_URL: "postgres://bench@127.0.0.1:9/unused", REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: "SILENT" };
  const awsSdk = awsSdkImports(apiBundle);
  const samples = { empty: [] as LoadSample[], api: [] as LoadSample[], apiOwnCode: [] as LoadSample[] };
  for (let i = 0; i < runs; i++) {
    samples.empty.push(await probe(emptyBundle, [], apiEnv));
    samples.api.push(await probe(apiBundle, [], apiEnv));
    samples.apiOwnCode.push(await probe(apiBundle, awsSdk, apiEnv));
  }
  return { runs, empty: medians(samples.empty), api: medians(samples.api), apiOwnCode: medians(samples.apiOwnCode), awsSdk };
}
