import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "pulumi-stack.sh");
const WORKSPACE = path.resolve(__dirname, "../..");

/** A built policy pack, as far as the wrapper looks. */
const POLICY_PACK = mkdtempSync(path.join(tmpdir(), "pack-"));
writeFileSync(path.join(POLICY_PACK, "PulumiPolicy.yaml"), "runtime: nodejs\n");

/** Runs the wrapper with a clean environment: only what a test gives it, plus a minimal PATH. */
function run(env: Record<string, string>, args = ["apps/global", "preview"]) {
  const home = mkdtempSync(path.join(tmpdir(), "home-"));
  const result = spawnSync("bash", [SCRIPT, ...args], {
    env: { PATH: "/usr/bin:/bin", HOME: home, PAYMENTS_DR_POLICY_PACK: POLICY_PACK, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fake `pulumi` on PATH that records each call (arguments and backend) in a log file. */
function fakePulumi(): { bin: string; log: string } {
  const bin = mkdtempSync(path.join(tmpdir(), "bin-"));
  const log = path.join(bin, "calls.log");
  writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\necho "$PWD|$PULUMI_BACKEND_URL|$*" >> ${log}\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return { bin, log };
}

/** A fake `aws` in `bin` whose `sts get-caller-identity` (one attempt, short timeouts) exits with `exitCode`: credentials AWS accepts (0) or none. */
function fakeAws(bin: string, exitCode: number): void {
  writeFileSync(path.join(bin, "aws"), `#!/usr/bin/env bash\n[[ "$1 $2" == "sts get-caller-identity" && "$AWS_MAX_ATTEMPTS" == 1 && "$*" == *--cli-connect-timeout* ]] && exit ${exitCode}\nexit 2\n`, { mode: 0o755 });
}

describe("pulumi-stack.sh", () => {
  it("explains a missing Pulumi CLI in one line", () => {
    const { status, stderr } = run({});
    expect(status).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/Pulumi CLI is not installed.*synth/);
  });

  it("explains missing AWS credentials in one line", () => {
    const { bin } = fakePulumi();
    fakeAws(bin, 255);
    const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin` });
    expect(status).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/no AWS credentials found.*AWS_PROFILE/);
  });

  it("takes credentials the environment does not show (an instance or task role) when the AWS CLI can call AWS with them", () => {
    const { bin, log } = fakePulumi();
    fakeAws(bin, 0);
    expect(run({ PATH: `${bin}:/usr/bin:/bin`, PULUMI_BACKEND_URL: "https://api.pulumi.com" }).status).toBe(0);
    expect(readFileSync(log, "utf8")).toContain("preview --stack dev");
    fakeAws(bin, 255);
    const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin`, PULUMI_BACKEND_URL: "https://api.pulumi.com" });
    expect(status).toBe(1);
    expect(stderr).toMatch(/no AWS credentials found/);
  });

  it("asks for the passphrase a self-managed backend needs (the local file one, S3), in one line; not Pulumi Cloud's", () => {
    const { bin, log } = fakePulumi();
    for (const backend of [{}, { PULUMI_BACKEND_URL: "s3://state" }] as Record<string, string>[]) {
      const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", ...backend });
      expect(status).toBe(1);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(/backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE/);
    }
    expect(run({ PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_BACKEND_URL: "https://api.pulumi.com" }).status).toBe(0);
    expect(readFileSync(log, "utf8")).toContain("|https://api.pulumi.com|preview --stack dev");
  });

  it("selects (creating) $PULUMI_STACK in the app's folder, on the workspace file backend, then runs the command", () => {
    const { bin, log } = fakePulumi();
    const { status } = run(
      { PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_STACK: "staging" },
      ["apps/dr-region", "up", "--yes"],
    );
    expect(status).toBe(0);
    const backend = `file://${WORKSPACE}/.pulumi-state`;
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      `${WORKSPACE}/apps/dr-region|${backend}|stack select --create staging --non-interactive`,
      `${WORKSPACE}/apps/dr-region|${backend}|up --stack staging --policy-pack ${POLICY_PACK} --yes`,
    ]);
  });

  it("uses the stack dev and the backend the user set", () => {
    const { bin, log } = fakePulumi();
    const { status } = run({ PATH: `${bin}:/usr/bin:/bin`, AWS_ACCESS_KEY_ID: "AKIA", PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "x" });
    expect(status).toBe(0);
    expect(readFileSync(log, "utf8")).toContain(`|s3://state|preview --stack dev --policy-pack ${POLICY_PACK}`);
  });

  it("refreshes without the policy pack, and refuses to preview without a built one", () => {
    const { bin, log } = fakePulumi();
    const env = { PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/passphrase" };
    expect(run(env, ["apps/global", "refresh"]).status).toBe(0);
    expect(readFileSync(log, "utf8")).toContain("|s3://state|refresh --stack dev\n");
    const missing = run({ ...env, PAYMENTS_DR_POLICY_PACK: "/nonexistent" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/policy pack is not built.*nx run policy-pack:build/);
  });

  // A text check: this machine's bash is 5, which accepts the plain form too.
  it("spells the optional policy arguments in the form bash 3.2 (macOS's) accepts when they are empty under set -u", () => {
    expect(readFileSync(SCRIPT, "utf8")).toContain('${policy_args[@]+"${policy_args[@]}"}');
  });
});
