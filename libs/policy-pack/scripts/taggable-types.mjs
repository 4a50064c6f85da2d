#!/usr/bin/env node
// Writes src/rules/taggable-types.json: every resource type of the installed @pulumi/aws whose
// args take a `tags` map (the resources a provider's `defaultTags` reaches). The required-tags
// policy reads that list, so "taggable" follows the provider's schema instead of a guess.
// Usage: node libs/policy-pack/scripts/taggable-types.mjs [--check]
//   --check: exit 1 when the committed list differs from the installed @pulumi/aws.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.join(here, "..", "src", "rules", "taggable-types.json");
const awsRoot = path.dirname(createRequire(import.meta.url).resolve("@pulumi/aws/package.json"));
const awsVersion = JSON.parse(readFileSync(path.join(awsRoot, "package.json"), "utf8")).version;

// Each generated resource module declares its type token and copies `args.tags` into its inputs.
const TYPE_TOKEN = /static __pulumiType = '([^']+)'/;
const TAGS_INPUT = /resourceInputs\["tags"\] = args\?\.tags;/;

function* resourceModules(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== "types") yield* resourceModules(full);
    else if (entry.isFile() && entry.name.endsWith(".js")) yield full;
  }
}

const types = [];
for (const file of resourceModules(awsRoot)) {
  const source = readFileSync(file, "utf8");
  const token = TYPE_TOKEN.exec(source)?.[1];
  if (token && TAGS_INPUT.test(source)) types.push(token);
}
const content = JSON.stringify({ source: `@pulumi/aws ${awsVersion}`, types: [...new Set(types)].sort() }, null, 2) + "\n";

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // missing: reported below like any other difference
  }
  if (committed !== content) {
    console.error(`${path.relative(process.cwd(), target)} does not match @pulumi/aws ${awsVersion}; run: node libs/policy-pack/scripts/taggable-types.mjs`);
    process.exit(1);
  }
  console.log(`taggable types up to date with @pulumi/aws ${awsVersion}`);
} else {
  writeFileSync(target, content);
  console.log(`${types.length} taggable types of @pulumi/aws ${awsVersion} → ${path.relative(process.cwd(), target)}`);
}
