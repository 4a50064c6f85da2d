import { parseApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, HOME, outputs, useKeysHarness } from "./test-support";
import { usageKeyName } from "./usage-key";

// After a deploy replaced a usage plan, sync puts each merchant's usage key back in it. A usage key
// outside the plan that sync cannot take as the merchant's (disabled, or another value) is refused
// for that merchant, not re-enabled, overwritten or doubled.
const keys = useKeysHarness();
const gateway = () => keys().apiGateway;
const WRITES = ["CreateApiKey", "CreateUsagePlanKey", "DeleteUsagePlanKey"];
const usageKeyIn = (region: string, merchant: string) => gateway().keys[region]!.find((k) => k.name === usageKeyName(region === HOME ? outputs.primary.apiName : outputs.dr.apiName, merchant))!;

async function created(merchant: string): Promise<string> {
  const { code, stdout } = await keys().run(["create", "--merchant", merchant]);
  expect(code).toBe(EXIT_CODES.ok);
  return parseApiKey(apiKeysIn(stdout)[0]!)!.keyId;
}

async function syncJson(): Promise<{ code: number; rows: { merchantId: string; action: string; apiKeyId?: string; detail: string }[] }> {
  const { code, stdout } = await keys().run(["sync", "--region", HOME, "--json"]);
  return { code, rows: JSON.parse(stdout).regions[0].rows };
}

it("refuses (exit 2) a merchant whose usage key is out of the plan and disabled, adding nothing", async () => {
  await created("merchant-1");
  gateway().planKeys[HOME]!.clear();
  usageKeyIn(HOME, "merchant-1").enabled = false;
  gateway().calls.length = 0;
  const { code, rows } = await syncJson();
  expect(code).toBe(EXIT_CODES.refused);
  expect(rows).toEqual([
    expect.objectContaining({ merchantId: "merchant-1", action: "refused", apiKeyId: usageKeyIn(HOME, "merchant-1").id, detail: `usage key ${usageKeyIn(HOME, "merchant-1").id} is disabled (blocked on purpose?): enable or delete it, then re-run` }),
  ]);
  expect(gateway().calls.filter((c) => WRITES.includes(c.command))).toEqual([]);
});

it("refuses (exit 2) a merchant whose usage key name holds another value than its keys store, creating no second one", async () => {
  await created("merchant-1");
  gateway().planKeys[HOME]!.clear();
  usageKeyIn(HOME, "merchant-1").value = "a-value-no-key-of-merchant-1-stores-0123456789";
  gateway().calls.length = 0;
  const { code, rows } = await syncJson();
  expect(code).toBe(EXIT_CODES.refused);
  expect(rows).toEqual([
    expect.objectContaining({ merchantId: "merchant-1", action: "refused", detail: `usage key(s) ${usageKeyIn(HOME, "merchant-1").id} hold another value than the merchant's keys: delete them in API Gateway, then re-run` }),
  ]);
  expect(gateway().calls.filter((c) => WRITES.includes(c.command))).toEqual([]);
});
