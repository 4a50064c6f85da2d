#!/usr/bin/env node
// Bundles a TypeScript entry point into one CommonJS file with esbuild. Workspace libraries
// (tsconfig path aliases) are bundled in, because Pulumi's ts-node does not resolve them;
// @pulumi/* stay external so the program shares the CLI's SDK and provider plugins.
// Usage: node tools/scripts/bundle.mjs <entry.ts> <out.js>
import { build } from "esbuild";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error("usage: bundle.mjs <entry.ts> <out.js>");
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
  external: ["@pulumi/*"],
  sourcemap: "linked",
  logLevel: "warning",
});
