// `nx run <app>:synth`: runs an app's bundled Pulumi program (the very file `pulumi up` runs)
// under the mock runtime and writes dist/synth/<project>.json. No CLI, no credentials.
// Usage: node dist/tools/synth/cli.js <appRoot>
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readStackFiles, upstreamOutputs } from "./stack-files";
import { synthesize } from "./synthesize";

const SYNTH_DIR = path.join("dist", "synth");

async function main(appRoot: string): Promise<void> {
  const files = readStackFiles(appRoot, process.env.PULUMI_STACK || "dev");
  const stack = files.stack;
  const bundle = path.resolve("dist", appRoot, "index.js");
  const started = Date.now();
  const plan = await synthesize({
    project: files.project,
    stack,
    config: files.config,
    secretKeys: files.secretKeys,
    upstream: upstreamOutputs(SYNTH_DIR, files.config),
    // A Pulumi program's exports are its stack outputs: load it as the CLI's runtime does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program: () => require(bundle),
  });
  mkdirSync(SYNTH_DIR, { recursive: true });
  const out = path.join(SYNTH_DIR, `${files.project}.json`);
  writeFileSync(out, JSON.stringify(plan.data, null, 2) + "\n");
  const custom = plan.resources.filter((r) => r.custom).length;
  console.log(`synth ${files.project}/${stack}: ${custom} resources, ${Object.keys(plan.outputs).length} outputs → ${out} (${Date.now() - started} ms)`);
}

const appRoot = process.argv[2];
if (!appRoot) {
  console.error("usage: synth <appRoot>");
  process.exit(2);
}
main(appRoot).catch((error: unknown) => {
  console.error(`synth ${appRoot} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
