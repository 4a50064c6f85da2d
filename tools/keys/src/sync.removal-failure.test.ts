import { ServiceUnavailableException } from "@aws-sdk/client-api-gateway";
import { parseApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, HOME, outputs, useKeysHarness } from "./test-support";
import { usageKeyName } from "./usage-key";

const keys = useKeysHarness();
const gateway = () => keys().apiGateway;
const usageKeyIn = (region: string, merchant: string) => gateway().keys[region]!.find((k) => k.name === usageKeyName(region === HOME ? outputs.primary.apiName : outputs.dr.apiName, merchant))!;

async function created(merchant: string): Promise<string> {
  const { code, stdout } = await keys().run(["create", "--merchant", merchant]);
  expect(code).toBe(EXIT_CODES.ok);
  return parseApiKey(apiKeysIn(stdout)[0]!)!.keyId;
}

// Only NotFound (removed meanwhile) counts as removed: any other failure leaves the usage key able
// to call the API, so the region is failed and says so.
it("fails the region (exit 3) when removing a revoked merchant's usage key fails other than NotFound, naming the call", async () => {
  const revoked = await created("merchant-1");
  await keys().run(["revoke", "--key-id", revoked, "--region", HOME]);
  gateway().fail(HOME, "DeleteUsagePlanKey", () => new ServiceUnavailableException({ message: "Service Unavailable", $metadata: {} }));
  const { code, stdout, stderr } = await keys().run(["sync", "--region", HOME, "--json"]);
  expect(code).toBe(EXIT_CODES.failed);
  expect(JSON.parse(stdout).regions[0].error).toMatch(/DeleteUsagePlanKey .*us-east-1.*ServiceUnavailable/);
  expect(stderr).toMatch(/us-east-1/);
  expect(gateway().planKeysOf(HOME).map((k) => k.id)).toEqual([usageKeyIn(HOME, "merchant-1").id]);
});
