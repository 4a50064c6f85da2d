import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

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
});
