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
});
