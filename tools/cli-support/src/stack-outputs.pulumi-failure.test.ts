import { RefusedError } from "./errors";
import { readStackOutputs, type PulumiRunner } from "./stack-outputs";

// Only a missing Pulumi CLI is turned into "pass --outputs": any other failure of `pulumi stack
// output` (a wrong --stack, a backend that refused) reaches the operator in pulumi's own words.
it("passes on a failure of pulumi other than its absence unchanged", async () => {
  const failure = new RefusedError("pulumi stack output --json --stack prod failed in /ws/apps/primary-region: error: no stack named prod found");
  const failing: PulumiRunner = () => Promise.reject(failure);
  const read = readStackOutputs<{ primary: { region: string } }>({ apps: { primary: "primary-region" }, required: { primary: ["region"] }, stack: "prod", workspace: "/ws", runPulumi: failing });
  await expect(read).rejects.toBe(failure);
});
