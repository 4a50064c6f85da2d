import * as path from "node:path";
import { stackTags } from "./tags";

describe("stackTags", () => {
  it("carries the compliance tags and identifies the owning stack", () => {
    expect(stackTags({ project: "dr-region", stack: "prod", environmentSuffix: "prod" })).toEqual({
      Environment: "DR",
      CostCenter: "Operations",
      Criticality: "High",
      Project: "payments-dr",
      Stack: "dr-region/prod",
      EnvironmentSuffix: "prod",
      ManagedBy: "pulumi",
    });
  });

  it("tags the environment suffix, not the stack name, when the two differ", () => {
    expect(stackTags({ project: "primary-region", stack: "dev", environmentSuffix: "pr42" })).toMatchObject({ Stack: "primary-region/dev", EnvironmentSuffix: "pr42" });
  });
});

describe("the Pulumi-free entry (@payments-dr/conventions/values)", () => {
  it("bundles without @pulumi/*: the CLIs that import it start in a fraction of a second", async () => {
    const { build } = await import("esbuild");
    const result = await build({
      entryPoints: [path.join(__dirname, "values.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.includes("@pulumi"))).toEqual([]);
    expect(inputs.length).toBeGreaterThan(0);
  });
});
