import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { scratchDir } from "@payments-dr/testing/scratch-dir";

/** What one run of the CLI did: its exit code (undefined: it finished without calling exit) and its lines. */
interface CliRun {
  exitCode?: number;
  stdout: string[];
  stderr: string[];
}

/**
 * Runs cli.ts in this process, as `node dist/tools/synth/cli.js <args>` from `cwd` (the CLI
 * resolves dist/ from there): in process, so the program runs under the same mock runtime a test's does.
 */
async function runCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run: CliRun = { stdout: [], stderr: [] };
  const saved = { cwd: process.cwd(), argv: process.argv, env: { ...process.env } };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // The first exit is the one a real process would stop at.
  const exit = jest.spyOn(process, "exit").mockImplementation((code) => {
    run.exitCode ??= Number(code);
    finish();
    return undefined as never;
  });
  const log = jest.spyOn(console, "log").mockImplementation((line: string) => {
    run.stdout.push(line);
    finish();
  });
  const error = jest.spyOn(console, "error").mockImplementation((line: string) => void run.stderr.push(line));
  try {
    process.chdir(cwd);
    process.argv = [process.execPath, "cli.js", ...args];
    Object.assign(process.env, env);
    // cli.ts runs on import, as `node cli.js` does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require("./cli"));
    await finished;
    return run;
  } finally {
    process.chdir(saved.cwd);
    process.argv = saved.argv;
    process.env = saved.env;
    exit.mockRestore();
    log.mockRestore();
    error.mockRestore();
  }
}

/** A workspace with one app: its Pulumi files and its bundled program at dist/<appRoot>/index.js. */
function workspace(program: string, stackFiles: Record<string, string> = {}): string {
  const root = scratchDir("synth-cli-");
  mkdirSync(path.join(root, "apps", "demo"), { recursive: true });
  mkdirSync(path.join(root, "dist", "apps", "demo"), { recursive: true });
  const files = { "Pulumi.yaml": "name: demo\nruntime: nodejs\n", ...stackFiles };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, "apps", "demo", name), text);
  writeFileSync(path.join(root, "dist", "apps", "demo", "index.js"), program);
  return root;
}

// The program loads the same @pulumi/pulumi the harness set the mocks on.
const PULUMI = JSON.stringify(require.resolve("@pulumi/pulumi"));

describe("synth CLI", () => {
  it("writes dist/synth/<project>.json with the stack's config read from Pulumi.<stack>.yaml (PULUMI_STACK, org-qualified), and says what it wrote", async () => {
    const root = workspace(
      `const pulumi = require(${PULUMI});
       new pulumi.CustomResource("test:index:Thing", "thing", { size: 3 });
       module.exports = { suffix: new pulumi.Config("payments-dr").require("environmentSuffix"), token: pulumi.secret("t0ken") };`,
      { "Pulumi.staging.yaml": "config:\n  payments-dr:environmentSuffix: stg\n  payments-dr:alertWebhook:\n    secure: AAABAJ0xyz\n" },
    );
    const run = await runCli(root, ["apps/demo"], { PULUMI_STACK: "acme/staging" });
    expect(run.exitCode).toBeUndefined();
    expect(run.stderr).toEqual([]);
    expect(run.stdout).toEqual([expect.stringMatching(/^synth demo\/staging: 1 resources, 2 outputs → dist\/synth\/demo\.json \(\d+ ms\)$/)]);
    const plan = JSON.parse(readFileSync(path.join(root, "dist", "synth", "demo.json"), "utf8"));
    expect(plan).toMatchObject({ project: "demo", stack: "staging", outputs: { suffix: "stg", token: "[secret]" } });
    expect(plan.config).toEqual({ "payments-dr:environmentSuffix": "stg", "payments-dr:alertWebhook": "[secret]" });
    expect(plan.resources).toEqual([expect.objectContaining({ type: "test:index:Thing", name: "thing", inputs: { size: 3 } })]);
  });

  it("exits 1 with one line naming the app and the program's error, writing nothing", async () => {
    const root = workspace(`throw new Error("payments-dr:environmentSuffix is required");`);
    const run = await runCli(root, ["apps/demo"]);
    expect(run).toEqual({ exitCode: 1, stdout: [], stderr: ["synth apps/demo failed: payments-dr:environmentSuffix is required"] });
    expect(existsSync(path.join(root, "dist", "synth", "demo.json"))).toBe(false);
  });

  it("exits 1 when the app is not a Pulumi project", async () => {
    const root = workspace("module.exports = {};", { "Pulumi.yaml": "runtime: nodejs\n" });
    expect(await runCli(root, ["apps/demo"])).toEqual({ exitCode: 1, stdout: [], stderr: ["synth apps/demo failed: apps/demo/Pulumi.yaml has no project name"] });
  });
});
