import { PutCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { newApiKey, parseApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, DR, HOME, outputs, useKeysHarness } from "./test-support";
import { usageKeyName } from "./usage-key";

const keys = useKeysHarness();

const gateway = () => keys().apiGateway;
const WRITES = ["CreateApiKey", "CreateUsagePlanKey", "DeleteUsagePlanKey"];
const writes = () => gateway().calls.filter((c) => WRITES.includes(c.command));
/** Names of the usage keys in each region's plan, sorted. */
const plans = () => Object.fromEntries([HOME, DR].map((r) => [r, gateway().planKeysOf(r).map((k) => k.name).sort()]));
const names = (...merchants: string[]) => ({
  [HOME]: merchants.map((m) => usageKeyName(outputs.primary.apiName, m)).sort(),
  [DR]: merchants.map((m) => usageKeyName(outputs.dr.apiName, m)).sort(),
});

async function created(merchant: string): Promise<string> {
  const { code, stdout } = await keys().run(["create", "--merchant", merchant]);
  expect(code).toBe(EXIT_CODES.ok);
  return parseApiKey(apiKeysIn(stdout)[0]!)!.keyId;
}

/** A usage plan replaced by a deploy: a new, empty plan (same id here). */
function emptyPlans(...regions: string[]): void {
  for (const region of regions) gateway().planKeys[region]!.clear();
}

async function sync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: { regions: { region: string; counts: Record<string, number>; rows: { merchantId: string; action: string; recreated?: boolean }[] }[]; changed: boolean } }> {
  const out = await keys().run(["sync", ...args, "--json"]);
  return { ...out, json: JSON.parse(out.stdout) };
}

describe("sync", () => {
  it("a replaced (empty) usage plan gets every active merchant's usage key back, in both regions, without new API keys", async () => {
    await created("merchant-1");
    await created("merchant-1");
    await created("merchant-2");
    emptyPlans(HOME, DR);
    gateway().calls.length = 0;

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(plans()).toEqual(names("merchant-1", "merchant-2"));
    expect(gateway().called("CreateApiKey")).toEqual([]);
    expect(json.changed).toBe(true);
    expect(json.regions.map((r) => [r.region, r.counts])).toEqual([
      [HOME, { added: 2, removed: 0, fine: 0, refused: 0 }],
      [DR, { added: 2, removed: 0, fine: 0, refused: 0 }],
    ]);
  });

  it("removes the usage key of a merchant whose keys are all revoked, keeps the API key, and keeps a shared usage key of a merchant with an active key", async () => {
    const gone = await created("merchant-2");
    const old = await created("merchant-1");
    await created("merchant-1");
    await keys().run(["revoke", "--key-id", gone]);
    await keys().run(["revoke", "--key-id", old]);

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(plans()).toEqual(names("merchant-1"));
    expect(gateway().keys[HOME]!.map((k) => k.name)).toContain(usageKeyName(outputs.primary.apiName, "merchant-2"));
    expect(json.regions.map((r) => r.rows.map((row) => [row.merchantId, row.action]))).toEqual([
      [["merchant-1", "fine"], ["merchant-2", "removed"]],
      [["merchant-1", "fine"], ["merchant-2", "removed"]],
    ]);
  });

  it("a second run changes nothing and says so", async () => {
    const revoked = await created("merchant-1");
    await created("merchant-2");
    await keys().run(["revoke", "--key-id", revoked]);
    emptyPlans(DR);
    expect((await sync()).code).toBe(EXIT_CODES.ok);
    gateway().calls.length = 0;

    const { code, stdout } = await keys().run(["sync"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(writes()).toEqual([]);
    expect(stdout).toMatch(/merchant-2\s+already fine/);
    expect(stdout).toMatch(/us-east-1 \(usage plan plan-use1\): 0 added, 0 removed, 1 already fine, 0 refused/);
    expect(stdout).toMatch(/nothing to change: every usage plan already holds exactly the active merchants' usage keys$/);
    expect((await sync()).json.changed).toBe(false);
  });

  it("--region touches that region only: its usage plan, its API Gateway, its replica of the table", async () => {
    await created("merchant-1");
    emptyPlans(HOME, DR);
    gateway().calls.length = 0;
    keys().regions.length = 0;

    const { code, json } = await sync("--region", DR);
    expect(code).toBe(EXIT_CODES.ok);
    expect(plans()).toEqual({ [HOME]: [], [DR]: names("merchant-1")[DR] });
    expect(new Set(gateway().calls.map((c) => c.region))).toEqual(new Set([DR]));
    expect(new Set(keys().regions.map((r) => r.region))).toEqual(new Set([DR]));
    expect(json.regions.map((r) => r.region)).toEqual([DR]);
  });

  it("--dry-run changes nothing and reports what it would do", async () => {
    const revoked = await created("merchant-1");
    await created("merchant-2");
    await keys().run(["revoke", "--key-id", revoked]);
    emptyPlans(DR);
    gateway().keys[DR]!.splice(0); // merchant-2's usage key lost in DR
    const before = plans();
    gateway().calls.length = 0;

    const { code, stdout } = await keys().run(["sync", "--dry-run"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(writes()).toEqual([]);
    expect(plans()).toEqual(before);
    expect(stdout).toMatch(/us-east-1\s+plan-use1\s+merchant-1\s+would remove/);
    expect(stdout).toMatch(/us-east-2\s+plan-use2\s+merchant-2\s+would add\s+.*would be recreated/);
    expect(stdout).toMatch(/dry run: nothing was changed$/);
  });

  it("recreates a usage key missing in a region with the value the keys table and the other region hold", async () => {
    const keyId = await created("merchant-1");
    const value = gateway().keys[HOME]![0]!.value;
    gateway().keys[DR]!.splice(0);
    emptyPlans(DR);
    gateway().calls.length = 0;

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(gateway().called("CreateApiKey").map((c) => [c.region, c.input.name, c.input.value])).toEqual([[DR, usageKeyName(outputs.dr.apiName, "merchant-1"), value]]);
    expect((await keys().table.item(keyId))!.usageKey).toBe(value);
    expect(gateway().planKeysOf(DR).map((k) => k.value)).toEqual([value]);
    expect(json.regions[1]!.rows).toEqual([expect.objectContaining({ merchantId: "merchant-1", action: "added", recreated: true })]);
  });

  it("refuses (exit 2) a merchant whose active key stores no usage key value, without inventing one; the others are synced", async () => {
    await created("merchant-1");
    const { record } = newApiKey({ merchantId: "merchant-9" });
    await DynamoDBDocumentClient.from(keys().table.clientIn(HOME)).send(new PutCommand({ TableName: keys().table.name, Item: { ...record } }));
    emptyPlans(HOME, DR);
    gateway().calls.length = 0;

    const { code, stdout, stderr } = await keys().run(["sync"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stdout).toMatch(new RegExp(`merchant-9\\s+refused\\s+.*${record.keyId} store no usage key value`));
    expect(stderr).toMatch(/keys: sync refused merchant\(s\) merchant-9 \(see the table\); the others are synced/);
    expect(gateway().called("CreateApiKey")).toEqual([]);
    expect(plans()).toEqual(names("merchant-1"));
  });

  it("reads key id, merchant, status and usage key from the table, never the salt or hash, and prints no usage key value", async () => {
    await created("merchant-1");
    await created("merchant-2");
    emptyPlans(HOME);
    keys().table.scanned.length = 0;
    const { stdout, stderr } = await keys().run(["sync"]);
    const human = await keys().run(["sync", "--json"]);
    expect(keys().table.scanned.length).toBeGreaterThan(0);
    for (const item of keys().table.scanned) expect(Object.keys(item).sort()).toEqual(["keyId", "merchantId", "status", "usageKey"]);
    for (const key of gateway().keys[HOME]!) for (const text of [stdout, stderr, human.stdout, human.stderr]) expect(text).not.toContain(key.value);
  });

  it("a region whose API Gateway fails: exit 3 naming it, the other region still synced", async () => {
    await created("merchant-1");
    emptyPlans(HOME, DR);
    gateway().fail(HOME, "GetUsagePlanKeys", () => new Error("connect ETIMEDOUT"));

    const { code, stdout, stderr } = await keys().run(["sync"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toMatch(/us-east-1 \(usage plan plan-use1\): .*FAILED: GetUsagePlanKeys in us-east-1 \(usage plan plan-use1\) failed: connect ETIMEDOUT/);
    expect(stderr).toMatch(/keys: sync failed in us-east-1: re-run once the region answers$/);
    expect(plans()).toEqual({ [HOME]: [], [DR]: names("merchant-1")[DR] });
  });

  it("takes --dry-run only as sync's option", async () => {
    expect(await keys().run(["list", "--dry-run"])).toMatchObject({ code: EXIT_CODES.refused, stderr: "keys: list takes no --dry-run (keys list --help)" });
    expect((await keys().run(["sync", "--help"])).stdout).toMatch(/--dry-run/);
  });
});
