import { PAYMENT_LAMBDA_ARTIFACTS } from "@payments-dr/payment-lambda";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

/** The nearest folder above `from` that holds nx.json: the same from src/ (tests) and from dist/tools/local-api (the bundles). */
function findWorkspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "nx.json"))) return dir;
    if (dir === dirname(dir)) throw new Error(`no nx.json above ${from}`);
  }
}

export const WORKSPACE_ROOT = findWorkspaceRoot(__dirname);

/** What `nx run local-api:build` writes. */
export const LOCAL_API_DIST = join(WORKSPACE_ROOT, "dist", "tools", "local-api");

/** The bundles the adapter runs, as `nx run payment-lambda:build` writes them. */
export const API_BUNDLE = join(WORKSPACE_ROOT, PAYMENT_LAMBDA_ARTIFACTS.apiDir, "index.js");
export const AUTHORIZER_BUNDLE = join(WORKSPACE_ROOT, PAYMENT_LAMBDA_ARTIFACTS.authorizerDir, "index.js");
export const MIGRATE_BUNDLE = join(WORKSPACE_ROOT, PAYMENT_LAMBDA_ARTIFACTS.migrateDir, "index.js");

/** The host threads' entry (src/worker.ts, bundled): holds "containers" of the function. */
export const WORKER_SCRIPT = join(LOCAL_API_DIST, "worker.js");

/** `file`, or an error that says which build writes it. */
export function built(file: string, project: string): string {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx nx run ${project}:build\` first`);
  return file;
}

/** esbuild (a native binary, not bundled) is loaded from the workspace's node_modules at run time. */
export const workspaceRequire = createRequire(join(WORKSPACE_ROOT, "package.json"));
