import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { scratchDir } from "@payments-dr/testing/scratch-dir";

const SCRIPT = path.resolve(__dirname, "../../.github/scripts/stack-outputs.sh");

/** The regional stack's outputs as `pulumi stack output --json` prints them: the token redacted. */
const REGIONAL_OUTPUTS = { region: "us-east-1", apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/v1", healthCheckToken: "[secret]" };

/** Runs the script for `app` with a fake `pulumi` on the PATH that prints `outputs`. */
function run(app: string, outputs: object) {
  const bin = scratchDir("fake-pulumi-");
  const printed = path.join(bin, "outputs.json");
  writeFileSync(printed, JSON.stringify(outputs));
  writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\ncat ${JSON.stringify(printed)}\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  const dir = scratchDir("stack-outputs-");
  const result = spawnSync("bash", [SCRIPT, dir, "acme/dev", app], { encoding: "utf8", env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` }, timeout: 30_000 });
  return { ...result, file: path.join(dir, `${app}.json`) };
}

describe(".github/scripts/stack-outputs.sh", () => {
  it("keeps a regional stack's outputs with its health check token still redacted: a secret output by design no longer fails every deploy after primary-region's up", () => {
    const result = run("primary-region", REGIONAL_OUTPUTS);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(result.file, "utf8"))).toEqual(REGIONAL_OUTPUTS);
  });

  it("still refuses an output the CLIs read that prints as [secret]", () => {
    const result = run("primary-region", { ...REGIONAL_OUTPUTS, apiUrl: "[secret]" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("secret outputs (apiUrl");
  });
});
