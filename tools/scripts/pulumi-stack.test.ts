import { spawn, spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "pulumi-stack.sh");
const WORKSPACE = path.resolve(__dirname, "../..");

/** A built policy pack, as far as the wrapper looks. */
const POLICY_PACK = scratchDir("pack-");
writeFileSync(path.join(POLICY_PACK, "PulumiPolicy.yaml"), "runtime: nodejs\n");

/** Runs the wrapper with a clean environment: only what a test gives it, plus a minimal PATH. */
function run(env: Record<string, string>, args = ["apps/global", "preview"]) {
  const home = scratchDir("home-");
  const result = spawnSync("bash", [SCRIPT, ...args], {
    env: { PATH: "/usr/bin:/bin", HOME: home, PAYMENTS_DR_POLICY_PACK: POLICY_PACK, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fake `pulumi` on PATH that records each call (arguments and backend) in a log file. */
function fakePulumi(): { bin: string; log: string } {
  const bin = scratchDir("bin-");
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

  it("needs no passphrase when the stack's file names a KMS secrets provider, found by the stack's last segment as the CLI finds it", () => {
    const { bin, log } = fakePulumi();
    const app = scratchDir("app-");
    writeFileSync(path.join(app, "Pulumi.dev.yaml"), "secretsprovider: awskms://alias/payments-dr-state?region=us-east-2\n");
    const appRoot = path.relative(WORKSPACE, app);
    for (const stack of ["dev", "acme/dev", "organization/payments-dr-global/dev"]) {
      const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_BACKEND_URL: "s3://state", PULUMI_STACK: stack }, [appRoot, "preview"]);
      expect({ stack, status, stderr }).toEqual({ stack, status: 0, stderr: "" });
      expect(readFileSync(log, "utf8")).toContain(`|s3://state|preview --stack ${stack} --policy-pack`);
    }
    const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_BACKEND_URL: "s3://state", PULUMI_STACK: "acme/prod" }, [appRoot, "preview"]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/passphrase/);
  });

  it("selects (creating) $PULUMI_STACK in the app's folder, on the workspace file backend, then runs the command", () => {
    const { bin, log } = fakePulumi();
    const { status, stderr } = run(
      { PATH: `${bin}:/usr/bin:/bin`, AWS_PROFILE: "test", PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_STACK: "staging" },
      ["apps/dr-region", "up", "--yes"],
    );
    expect(status).toBe(0);
    const backend = `file://${WORKSPACE}/.pulumi-state`;
    // Said, so that someone logged in elsewhere (`pulumi login`) does not deploy here unawares.
    expect(stderr).toContain(`payments-dr: PULUMI_BACKEND_URL is unset: using the workspace's file backend ${backend}, not the one 'pulumi login' chose`);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      `${WORKSPACE}/apps/dr-region|${backend}|stack select --create staging --non-interactive`,
      `${WORKSPACE}/apps/dr-region|${backend}|up --stack staging --policy-pack ${POLICY_PACK} --yes`,
    ]);
  });

  it("uses the stack dev and the backend the user set", () => {
    const { bin, log } = fakePulumi();
    const { status, stderr } = run({ PATH: `${bin}:/usr/bin:/bin`, AWS_ACCESS_KEY_ID: "AKIA", PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "x" });
    expect(stderr).not.toContain("PULUMI_BACKEND_URL is unset");
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

  /** A fake `pulumi` whose plain `stack select` fails with `error` (a stack that is not there, or a backend that refuses); logs every call. */
  function fakePulumiWithoutStack(error: string): { bin: string; log: string } {
    const bin = scratchDir("bin-");
    const log = path.join(bin, "calls.log");
    const script = ["#!/usr/bin/env bash", `echo "$*" >> ${log}`, `if [[ "$1 $2" == "stack select" && "$3" != --create ]]; then echo "${error}" >&2; exit 255; fi`, "exit 0"];
    writeFileSync(path.join(bin, "pulumi"), `${script.join("\n")}\n`, { mode: 0o755 });
    return { bin, log };
  }
  const cloud = { AWS_PROFILE: "test", PULUMI_BACKEND_URL: "https://api.pulumi.com" };

  it("refuses to refresh a stack that is not on the backend, instead of creating an empty one and refreshing nothing (the wrong backend or stack name)", () => {
    const { bin, log } = fakePulumiWithoutStack("error: no stack named 'dev' found");
    const { status, stderr } = run({ ...cloud, PATH: `${bin}:/usr/bin:/bin` }, ["apps/dr-region", "refresh", "--yes"]);
    expect(status).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "payments-dr: no stack dev of apps/dr-region on https://api.pulumi.com: nothing to refresh. Check PULUMI_BACKEND_URL and PULUMI_STACK (Pulumi Cloud: PULUMI_BACKEND_URL=https://api.pulumi.com and PULUMI_STACK=<org>/<stack>).",
    ]);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["stack select dev --non-interactive"]);
  });

  it("destroys nothing, successfully, when the stack is not there (a stack never deployed in `run-many -t destroy`)", () => {
    const { bin, log } = fakePulumiWithoutStack("error: no stack named 'dev' found");
    const { status, stderr } = run({ ...cloud, PATH: `${bin}:/usr/bin:/bin` }, ["apps/global", "destroy", "--yes"]);
    expect(status).toBe(0);
    expect(stderr.trim()).toBe("payments-dr: no stack dev of apps/global on https://api.pulumi.com: nothing to destroy.");
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["stack select dev --non-interactive"]);
  });

  it("stops, in one line with the backend's words, when the stack cannot be selected for another reason", () => {
    const { bin, log } = fakePulumiWithoutStack("error: unauthorized: invalid access token");
    const { status, stderr } = run({ ...cloud, PATH: `${bin}:/usr/bin:/bin` }, ["apps/global", "destroy", "--yes"]);
    expect(status).toBe(1);
    expect(stderr.trim()).toBe("payments-dr: cannot select stack dev of apps/global on https://api.pulumi.com: error: unauthorized: invalid access token");
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["stack select dev --non-interactive"]);
  });

  it("creates the stack on first use for up and preview only", () => {
    for (const command of ["up", "preview"]) {
      const { bin, log } = fakePulumiWithoutStack("error: no stack named 'dev' found");
      expect(run({ ...cloud, PATH: `${bin}:/usr/bin:/bin` }, ["apps/global", command]).status).toBe(0);
      expect(readFileSync(log, "utf8").trim().split("\n")[0]).toBe("stack select --create dev --non-interactive");
    }
  });

  // A text check: this machine's bash is 5, which accepts the plain form too.
  it("spells the optional policy arguments in the form bash 3.2 (macOS's) accepts when they are empty under set -u", () => {
    expect(readFileSync(SCRIPT, "utf8")).toContain('${policy_args[@]+"${policy_args[@]}"}');
  });
});

describe("pulumi-stack.sh destroy", () => {
  const HOME_CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:payments-dr-aurora-use1-dev";
  const DR_CLUSTER = "arn:aws:rds:us-east-2:123456789012:cluster:payments-dr-aurora-use2-dev";
  const OUTPUTS = JSON.stringify({ globalClusterId: "payments-dr-global-dev", clusterArn: HOME_CLUSTER, region: "us-east-1" });

  /** A local RDS endpoint answering DescribeGlobalClusters (the Query API's XML) with `writer` as the writer, or an error. */
  let rds: Server;
  let requests: string[];
  let answer: { writer: string } | { status: number; code: string };
  beforeAll(async () => {
    rds = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        requests.push(`${request.headers.authorization}|${body}`);
        response.setHeader("content-type", "text/xml");
        if ("code" in answer) {
          response.statusCode = answer.status;
          response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${answer.code}</Code><Message>${answer.code} happened</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
          return;
        }
        const member = (arn: string) => `<GlobalClusterMember><DBClusterArn>${arn}</DBClusterArn><IsWriter>${arn === (answer as { writer: string }).writer}</IsWriter></GlobalClusterMember>`;
        response.end(
          `<DescribeGlobalClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeGlobalClustersResult><GlobalClusters><GlobalClusterMember>` +
            `<GlobalClusterIdentifier>payments-dr-global-dev</GlobalClusterIdentifier><GlobalClusterMembers>${member(HOME_CLUSTER)}${member(DR_CLUSTER)}</GlobalClusterMembers>` +
            `</GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeGlobalClustersResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => rds.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => rds.close(() => resolve())));
  beforeEach(() => {
    requests = [];
    answer = { writer: HOME_CLUSTER };
  });

  /**
   * A fake `pulumi` that logs its calls, prints `outputs` for `stack output` (or fails with the
   * `error` given), and `primaryStack` for `config get` (fails without).
   */
  function fakePulumiWithOutputs(outputs: string | { error: string }, primaryStack?: string): { bin: string; log: string } {
    const bin = scratchDir("bin-");
    const log = path.join(bin, "calls.log");
    const script = [
      "#!/usr/bin/env bash",
      `echo "$*" >> ${log}`,
      `if [[ "$1 $2" == "stack output" ]]; then ${typeof outputs === "string" ? `echo '${outputs}'` : `echo '${outputs.error}' >&2; exit 255`}; fi`,
      `if [[ "$1 $2" == "config get" ]]; then ${primaryStack === undefined ? "exit 255" : `echo '${primaryStack}'`}; fi`,
      "exit 0",
    ].join("\n");
    writeFileSync(path.join(bin, "pulumi"), `${script}\n`, { mode: 0o755 });
    return { bin, log };
  }

  /** The wrapper, run without blocking this process (the fake RDS endpoint lives in it). */
  function destroy(bin: string, app = "apps/dr-region", env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn("bash", [SCRIPT, app, "destroy", "--yes"], {
        env: {
          PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
          HOME: scratchDir("home-"),
          AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
          AWS_SECRET_ACCESS_KEY: "secret",
          AWS_ENDPOINT_URL_RDS: `http://127.0.0.1:${(rds.address() as AddressInfo).port}`,
          PULUMI_BACKEND_URL: "https://api.pulumi.com",
          ...env,
        },
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (status) => resolve({ status, stderr }));
    });
  }
  const calls = (log: string) => readFileSync(log, "utf8").trim().split("\n");

  it("destroys while the global database's writer is the primary-region stack's cluster, asking in that cluster's region", async () => {
    const { bin, log } = fakePulumiWithOutputs(OUTPUTS);
    expect(await destroy(bin)).toEqual({ status: 0, stderr: "" });
    expect(calls(log)).toEqual([
      "stack select dev --non-interactive",
      "config get payments-dr:primaryStack --stack dev",
      "stack output --stack dev --json",
      "destroy --stack dev --yes",
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain("/us-east-1/rds/aws4_request");
    expect(requests[0]).toContain("Action=DescribeGlobalClusters");
    expect(requests[0]).toContain("GlobalClusterIdentifier=payments-dr-global-dev");
  });

  it("refuses every stack's destroy, before anything is deleted, while the writer is away from home (after a switchover or failover)", async () => {
    answer = { writer: DR_CLUSTER };
    for (const app of ["apps/global", "apps/dr-region", "apps/primary-region"]) {
      const { bin, log } = fakePulumiWithOutputs(OUTPUTS, "acme/primary-region/dev");
      const { status, stderr } = await destroy(bin, app);
      expect(status).toBe(1);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toContain(`not destroying ${app} (dev): the writer of the global database payments-dr-global-dev is ${DR_CLUSTER}, not the primary-region stack's cluster ${HOME_CLUSTER}`);
      expect(stderr).toMatch(/Fail back first \(npx nx run dr:failback.*if the home cluster cannot rejoin, destroy anyway\. \(PAYMENTS_DR_DESTROY_AWAY_FROM_HOME=1 destroys anyway\)/);
      expect(calls(log).some((call) => call.startsWith("destroy"))).toBe(false);
      // The primary-region stack is the app's own stack, or the one its config names.
      expect(calls(log)).toContain(`stack output --stack ${app === "apps/primary-region" ? "dev" : "acme/primary-region/dev"} --json`);
    }
  });

  // Pitfall: on Pulumi Cloud the programs' default name, organization/primary-region/<stack>, is
  // no stack ("no stack named", which means nothing to protect), and the stacks CI deployed have
  // payments-dr:primaryStack on CI's runner only, not in a checkout's Pulumi.<stack>.yaml.
  it("checks the writer on Pulumi Cloud without payments-dr:primaryStack: it reads the stack of that name in apps/primary-region, not organization/primary-region/<stack>", async () => {
    answer = { writer: DR_CLUSTER };
    const bin = scratchDir("bin-");
    const log = path.join(bin, "calls.log");
    const script = [
      "#!/usr/bin/env bash",
      `echo "$PWD|$*" >> ${log}`,
      // Pulumi Cloud: `dev` is the default organization's stack of the project in the working directory.
      `if [[ "$1 $2 $3 $4" == "stack output --stack dev" && "$PWD" == */apps/primary-region ]]; then echo '${OUTPUTS}'; exit 0; fi`,
      `if [[ "$1 $2" == "stack output" ]]; then echo "error: no stack named '$4' found" >&2; exit 255; fi`,
      `if [[ "$1 $2" == "config get" ]]; then echo "error: configuration key '$3' not found for stack 'dev'" >&2; exit 255; fi`,
      "exit 0",
    ].join("\n");
    writeFileSync(path.join(bin, "pulumi"), `${script}\n`, { mode: 0o755 });
    for (const app of ["apps/global", "apps/dr-region"]) {
      const { status, stderr } = await destroy(bin, app);
      expect([status, stderr]).toEqual([1, expect.stringContaining(`not destroying ${app} (dev): the writer of the global database payments-dr-global-dev is ${DR_CLUSTER}`)]);
    }
    expect(calls(log).filter((call) => call.includes("|destroy"))).toEqual([]);
    expect(calls(log)).toContain(`${WORKSPACE}/apps/primary-region|stack output --stack dev --json`);
  });

  it("refuses when the primary-region stack's outputs cannot be read (a token, a passphrase, the network): that proves nothing", async () => {
    const { bin, log } = fakePulumiWithOutputs({ error: "error: [401] Unauthorized: No credentials provided or are invalid." });
    const { status, stderr } = await destroy(bin, "apps/global");
    expect(status).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(
      /not destroying apps\/global \(dev\): cannot read the outputs of dev to check where the database's writer is: error: \[401\] Unauthorized.*\(PAYMENTS_DR_DESTROY_AWAY_FROM_HOME=1 destroys anyway\)/,
    );
    expect(calls(log).some((call) => call.startsWith("destroy"))).toBe(false);
  });

  it("refuses when the writer cannot be read, and destroys anyway when told to", async () => {
    answer = { status: 400, code: "AccessDenied" };
    const { bin, log } = fakePulumiWithOutputs(OUTPUTS);
    const refused = await destroy(bin);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot read the writer of the global database payments-dr-global-dev in us-east-1: AccessDenied happened/);
    expect(await destroy(bin, "apps/dr-region", { PAYMENTS_DR_DESTROY_AWAY_FROM_HOME: "1" })).toEqual({ status: 0, stderr: "" });
    expect(calls(log).filter((call) => call.startsWith("destroy"))).toEqual(["destroy --stack dev --yes"]);
  });

  it("destroys when there is nothing to protect: no primary-region stack, no outputs, or no global cluster any more", async () => {
    const noStack = fakePulumiWithOutputs({ error: "error: no stack named 'organization/primary-region/dev' found" });
    expect(await destroy(noStack.bin)).toEqual({ status: 0, stderr: "" });
    expect(await destroy(fakePulumiWithOutputs("{}").bin)).toEqual({ status: 0, stderr: "" });
    expect(requests).toHaveLength(0);
    answer = { status: 404, code: "GlobalClusterNotFoundFault" };
    const gone = fakePulumiWithOutputs(OUTPUTS);
    expect(await destroy(gone.bin)).toEqual({ status: 0, stderr: "" });
    expect(calls(gone.log)).toContain("destroy --stack dev --yes");
  });
});

// Pitfall: Nx's run-commands hands `--` arguments to a shell inside double quotes, so a `$` in a
// URN (every resource inside a component has one) is expanded even inside the user's single
// quotes, and Pulumi finds no such resource. The README says to write it `\$`: that must work.
describe("arguments after -- through the Nx targets", () => {
  it("the README's --target example reaches pulumi with the URN's `$` intact", () => {
    const readme = readFileSync(path.join(WORKSPACE, "README.md"), "utf8");
    const example = readme.split("\n").find((line) => /^npx nx run [\w-]+:up -- --target '[^']*\\\$[^']*'$/.test(line));
    expect(example).toBeDefined();
    const { bin, log } = fakePulumi();
    // The README's command as typed in a shell, the target alone (its builds are not what is tested).
    const command = example!.replace(/^npx nx run ([\w-]+:up) --/, `${WORKSPACE}/node_modules/.bin/nx run $1 --excludeTaskDependencies --skip-nx-cache --`);
    const result = spawnSync("bash", ["-c", command], {
      cwd: WORKSPACE,
      env: {
        PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: scratchDir("home-"),
        NX_DAEMON: "false",
        NX_TUI: "false",
        NX_NO_CLOUD: "true",
        AWS_PROFILE: "test",
        PULUMI_BACKEND_URL: "https://api.pulumi.com",
        PAYMENTS_DR_POLICY_PACK: POLICY_PACK,
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    const urn = /--target '([^']*)'/.exec(example!)![1].replace(/\\\$/g, "$");
    expect(readFileSync(log, "utf8")).toContain(` --target ${urn}\n`);
  }, 90_000);
});
