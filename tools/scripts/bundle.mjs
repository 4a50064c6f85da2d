#!/usr/bin/env node
// Bundles a TypeScript entry point into one CommonJS file with esbuild. Workspace libraries
// (tsconfig path aliases) are bundled in, because Pulumi's ts-node does not resolve them;
// @pulumi/* stay external so the program shares the CLI's SDK and provider plugins; so do the
// packages named with --external (e.g. one with a native addon), loaded from node_modules at run time.
// Usage: node tools/scripts/bundle.mjs <entry.ts> <out.js> [--external=<package>]...
import { build } from "esbuild";

const [entry, outfile, ...options] = process.argv.slice(2);
const external = options.map((option) => option.match(/^--external=(.+)$/)?.[1]);
if (!entry || !outfile || external.includes(undefined)) {
  console.error("usage: bundle.mjs <entry.ts> <out.js> [--external=<package>]...");
  process.exit(2);
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  tsconfig: "tsconfig.base.json",
  external: ["@pulumi/*", ...external],
  sourcemap: "linked",
  logLevel: "warning",
});
