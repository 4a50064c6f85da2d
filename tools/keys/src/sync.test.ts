import { randomBytes } from "node:crypto";
import { BadRequestException, ConflictException, NotFoundException, ServiceUnavailableException } from "@aws-sdk/client-api-gateway";
import { PutCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { newApiKey, parseApiKey, RESERVATION_ITEM_PREFIX, usageItemId } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { THROTTLE_WAITS_MS } from "./gateway";
import { apiKeysIn, CONTROL_PLANE_LIMITS, DR, HOME, outputs, useKeysHarness } from "./test-support";
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

/** A table item written as is, bypassing create's checks. */
async function put(item: Record<string, unknown>): Promise<void> {
  await DynamoDBDocumentClient.from(keys().table.clientIn(HOME)).send(new PutCommand({ TableName: keys().table.name, Item: item }));
}

const usageKeyIn = (region: string, merchant: string) => gateway().keys[region]!.find((k) => k.name === usageKeyName(region === HOME ? outputs.primary.apiName : outputs.dr.apiName, merchant))!;

interface SyncJson {
  regions: { region: string; error?: string; counts: Record<string, number>; rows: { merchantId: string; action: string; recreated?: boolean; apiKeyId?: string; detail: string }[] }[];
  changed: boolean;
  tableRegion: string;
  fallback?: string;
  skipped: { keyId?: string; merchantId?: string; problem: string }[];
}

const actions = (json: SyncJson) => json.regions.map((r) => r.rows.map((row) => [row.merchantId, row.action]));

async function sync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: SyncJson }> {
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
      [HOME, { added: 2, removed: 0, kept: 0, fine: 0, refused: 0 }],
      [DR, { added: 2, removed: 0, kept: 0, fine: 0, refused: 0 }],
    ]);
  });

  it("a replaced usage plan of more merchants than API Gateway's burst (10 requests/s, 40 at once) is restored in one run: throttled calls wait and are tried again", async () => {
    const merchants = Array.from({ length: CONTROL_PLANE_LIMITS.burst + 5 }, (_, i) => `merchant-${String(i).padStart(2, "0")}`);
    for (const merchantId of merchants) {
      const { record } = newApiKey({ merchantId, usageKey: randomBytes(20).toString("hex") });
      await put({ ...record });
      for (const region of [HOME, DR]) gateway().add(region, { name: usageKeyName(region === HOME ? outputs.primary.apiName : outputs.dr.apiName, merchantId), value: record.usageKey!, enabled: true });
    }

    const { code, json, stderr } = await sync();
    expect({ code, stderr }).toEqual({ code: EXIT_CODES.ok, stderr: expect.any(String) });
    expect(plans()).toEqual(names(...merchants));
    expect(json.regions.map((r) => [r.region, r.error, r.counts.added])).toEqual([
      [HOME, undefined, merchants.length],
      [DR, undefined, merchants.length],
    ]);
    // It was throttled, and waited (the fake's clock runs on the CLI's waits only).
    expect(keys().pauses.length).toBeGreaterThan(0);
    expect(Math.max(...keys().pauses)).toBeLessThanOrEqual(THROTTLE_WAITS_MS.at(-1)!);
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

  it("keeps a usage key that an active key uses by the time of the removal (a create during the sync, a key not replicated yet): read again, not removed", async () => {
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    const value = (await keys().table.item(gone))!.usageKey;
    // Right after sync's scan, a create of merchant-2 writes its new key, with the usage key value it found.
    const client = keys().table.clientIn(HOME);
    let scans = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "ScanCommand" && ++scans === 1) {
          await put({ keyId: "0123456789abcdef", merchantId: "merchant-2", status: "active", createdAt: "2026-11-25T12:00:00.000Z", salt: "s", secretHash: "h", usageKey: value });
        }
        return out;
      },
      { step: "deserialize", name: "keysTestCreateDuringSync" },
    );
    try {
      const { code, json } = await sync();
      expect(code).toBe(EXIT_CODES.ok);
      expect(plans()).toEqual(names("merchant-2"));
      expect(json.regions.map((r) => r.rows.map((row) => [row.merchantId, row.action]))).toEqual([[["merchant-2", "kept"]], [["merchant-2", "kept"]]]);
      expect(json.regions[0]!.rows[0]!.detail).toMatch(/active key 0123456789abcdef in us-east-1's copy of the table uses it \(read again before the removal/);
    } finally {
      client.middlewareStack.remove("keysTestCreateDuringSync");
    }
  });

  it("reads again before each removal, not once per region: a key created while an earlier removal waited keeps its usage key", async () => {
    const first = await created("merchant-1");
    const second = await created("merchant-2");
    await keys().run(["revoke", "--key-id", first]);
    await keys().run(["revoke", "--key-id", second]);
    const value = (await keys().table.item(second))!.usageKey;
    // While merchant-1's removal waits (a throttle), a create of merchant-2 writes its new key.
    gateway().before(HOME, "DeleteUsagePlanKey", async () => {
      await put({ keyId: "0123456789abcdef", merchantId: "merchant-2", status: "active", createdAt: "2026-11-25T12:00:00.000Z", salt: "s", secretHash: "h", usageKey: value });
    });
    const { code, json } = await sync("--region", HOME);
    expect(code).toBe(EXIT_CODES.ok);
    expect(json.regions[0]!.rows.map((row) => [row.merchantId, row.action])).toEqual([
      ["merchant-1", "removed"],
      ["merchant-2", "kept"],
    ]);
    expect(json.regions[0]!.rows[1]!.detail).toMatch(/active key 0123456789abcdef in us-east-1's copy of the table uses it/);
  });

  it("keeps a usage key that an active key in the DR copy uses (written there, not replicated to the primary's copy yet)", async () => {
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    const value = (await keys().table.item(gone))!.usageKey as string;
    // The DR copy holds a newer key of merchant-2 the primary's copy does not have yet.
    const client = keys().table.clientIn(DR);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "ScanCommand") {
          const output = out.output as { Items?: Record<string, unknown>[] };
          output.Items = [...(output.Items ?? []), { keyId: "fedcba9876543210", merchantId: "merchant-2", status: "active", usageKey: value }];
        }
        return out;
      },
      { step: "initialize", name: "keysTestDrCopyAhead" },
    );
    try {
      const { code, json } = await sync();
      expect(code).toBe(EXIT_CODES.ok);
      expect(plans()).toEqual(names("merchant-2"));
      expect(json.regions[0]!.rows[0]).toMatchObject({ action: "kept", detail: expect.stringMatching(/active key fedcba9876543210 in us-east-2's copy of the table uses it/) });
    } finally {
      client.middlewareStack.remove("keysTestDrCopyAhead");
    }
  });

  it("holds a removal when a replica cannot be read again before it, and says why", async () => {
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    const client = keys().table.clientIn(DR);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "ScanCommand") throw Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError", $metadata: {} });
        return next(args);
      },
      { step: "initialize", name: "keysTestDrCopyDown" },
    );
    try {
      const { code, json } = await sync();
      expect(code).toBe(EXIT_CODES.ok);
      expect(plans()).toEqual(names("merchant-2"));
      expect(json.regions[0]!.rows[0]).toMatchObject({ action: "kept", detail: expect.stringMatching(/us-east-2's copy of the table could not be read again before the removal .*re-run once it answers/) });
    } finally {
      client.middlewareStack.remove("keysTestDrCopyDown");
    }
  });

  it("usage items (a key's last use in one region) are no keys: neither synced nor reported as invalid", async () => {
    const keyId = await created("merchant-1");
    await put({ keyId: usageItemId(DR, keyId), lastUsedAt: "2026-11-25T11:30:00.000Z" });
    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(json.skipped).toEqual([]);
    expect(json.regions.flatMap((r) => r.rows.map((row) => row.merchantId))).toEqual(["merchant-1", "merchant-1"]);
  });

  it("a merchant's usage key reservation is no key: neither synced nor reported as invalid, and it holds no removal", async () => {
    const keyId = await created("merchant-1");
    await keys().run(["revoke", "--key-id", keyId]);
    expect(await keys().table.reserved("merchant-1")).toBeDefined();
    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(json.skipped).toEqual([]);
    expect(actions(json)).toEqual([[["merchant-1", "removed"]], [["merchant-1", "removed"]]]);
  });

  it("refuses (exit 2) a merchant whose active keys hold two usage key values (two creates at once in different regions' replicas), changing nothing for it", async () => {
    await created("merchant-1");
    // What a create in the DR replica, within the replication lag of one in the primary's, leaves: its own value, its own usage keys.
    const other = "e".repeat(40);
    const { record } = newApiKey({ merchantId: "merchant-1", usageKey: other });
    await put({ ...record });
    for (const [region, { apiName, usagePlanId }] of [[HOME, outputs.primary], [DR, outputs.dr]] as const) {
      const key = gateway().add(region, { name: usageKeyName(apiName, "merchant-1"), value: other, enabled: true });
      gateway().planKeys[region]!.add(`${usagePlanId}/${key.id}`);
    }
    gateway().calls.length = 0;
    const { code, json, stdout } = await sync();
    expect(code).toBe(EXIT_CODES.refused);
    expect(actions(json)).toEqual([[["merchant-1", "refused"]], [["merchant-1", "refused"]]]);
    expect(json.regions[0]!.rows[0]!.detail).toMatch(/its active keys store 2 different usage key values .*revoke the keys of all but one value/);
    expect(stdout).not.toContain(other);
    expect(writes()).toEqual([]);
    expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.refused);
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
    expect(stdout).toMatch(/nothing to change: every usage plan already holds the usage key of every merchant with an active key, and none that only revoked keys use$/);
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

  it("--region dr reads the DR replica, possibly behind the primary's: it adds usage keys, never removes one", async () => {
    await created("merchant-1");
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    gateway().calls.length = 0;

    const { code, json } = await sync("--region", DR);
    expect(code).toBe(EXIT_CODES.ok);
    expect(json.regions[0]!.rows.find((row) => row.merchantId === "merchant-2")).toMatchObject({ action: "kept", detail: expect.stringMatching(/read the DR replica \(us-east-2\), possibly behind the primary's: nothing is removed/) });
    expect(plans()[DR]).toEqual(names("merchant-1", "merchant-2")[DR]);
    expect(gateway().called("DeleteUsagePlanKey")).toEqual([]);

    // Without --region the primary's replica decides, and the usage key goes.
    const again = await sync();
    expect(actions(again.json)[1]).toEqual([["merchant-1", "fine"], ["merchant-2", "removed"]]);
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
    const human = await keys().run(["sync"]);
    const json = await keys().run(["sync", "--json"]);
    expect(keys().table.scanned.length).toBeGreaterThan(0);
    for (const item of keys().table.scanned) {
      // A merchant's usage key reservation holds its id and the value only.
      const reservation = String(item.keyId).startsWith(RESERVATION_ITEM_PREFIX);
      expect(Object.keys(item).sort()).toEqual(reservation ? ["keyId", "usageKey"] : ["keyId", "merchantId", "status", "usageKey"]);
    }
    for (const key of gateway().keys[HOME]!) for (const text of [human.stdout, human.stderr, json.stdout, json.stderr]) expect(text).not.toContain(key.value);
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

  it("refuses (exit 2) a merchant whose usage key is in the plan but disabled, writing nothing, from one paged GetApiKeys per region", async () => {
    await created("merchant-1");
    await created("merchant-2");
    await created("merchant-3");
    for (const region of [HOME, DR]) usageKeyIn(region, "merchant-2").enabled = false;
    gateway().calls.length = 0;

    const { code, stderr, json } = await sync();
    expect(code).toBe(EXIT_CODES.refused);
    expect(writes()).toEqual([]);
    expect(plans()).toEqual(names("merchant-1", "merchant-2", "merchant-3"));
    expect(actions(json)).toEqual([
      [["merchant-1", "fine"], ["merchant-2", "refused"], ["merchant-3", "fine"]],
      [["merchant-1", "fine"], ["merchant-2", "refused"], ["merchant-3", "fine"]],
    ]);
    expect(json.regions[0]!.rows[1]).toMatchObject({ apiKeyId: usageKeyIn(HOME, "merchant-2").id, detail: expect.stringMatching(/is in the usage plan but disabled .*: enable or delete it, then re-run/) });
    expect(stderr).toMatch(/keys: sync refused merchant\(s\) merchant-2 \(see the table\)/);
    // Three keys, two a page: two pages per region, all with the region's prefix, none per merchant.
    expect(gateway().called("GetApiKeys").map((c) => [c.region, c.input.nameQuery, c.input.includeValues])).toEqual([
      [HOME, `${outputs.primary.apiName}-merchant-`, true],
      [HOME, `${outputs.primary.apiName}-merchant-`, true],
      [DR, `${outputs.dr.apiName}-merchant-`, true],
      [DR, `${outputs.dr.apiName}-merchant-`, true],
    ]);
  });

  it("does not end with 'nothing to change' when it refused a merchant", async () => {
    await created("merchant-1");
    for (const region of [HOME, DR]) usageKeyIn(region, "merchant-1").enabled = false;
    const { code, stdout } = await keys().run(["sync"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stdout.split("\n").at(-1)).toBe("nothing changed; 2 merchant rows were refused (see the table): their usage plans are not as they should be");
  });

  it("a hand-edited usage key too short to be one (\"0\") is no secret: it does not blank every 0 of the output", async () => {
    await created("merchant-1");
    await put({ keyId: "0123456789abcdef", merchantId: "merchant-2", status: "revoked", createdAt: "2026-01-01T00:00:00.000Z", salt: "s", secretHash: "h", usageKey: "0" });
    const { json } = await sync();
    expect(JSON.stringify(json)).not.toContain("[redacted]");
  });

  it("one merchant's AWS error (BadRequest, Conflict) refuses that merchant only, naming the error; the region goes on and is not failed", async () => {
    await created("merchant-1");
    await created("merchant-2");
    await created("merchant-3");
    emptyPlans(HOME, DR);
    gateway().keys[DR]!.splice(0);
    const m1 = usageKeyIn(HOME, "merchant-1").id;
    gateway().fail(HOME, "CreateUsagePlanKey", (input) => (input.keyId === m1 ? new BadRequestException({ message: "Invalid API Key identifier", $metadata: {} }) : undefined));
    const m2 = usageKeyName(outputs.dr.apiName, "merchant-2");
    gateway().fail(DR, "CreateApiKey", (input) => (input.name === m2 ? new ConflictException({ message: "API Key already exists", $metadata: {} }) : undefined));

    const { code, stderr, json } = await sync();
    expect(code).toBe(EXIT_CODES.refused);
    expect(json.regions.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(actions(json)).toEqual([
      [["merchant-1", "refused"], ["merchant-2", "added"], ["merchant-3", "added"]],
      [["merchant-1", "added"], ["merchant-2", "refused"], ["merchant-3", "added"]],
    ]);
    expect(json.regions[0]!.rows[0]!.detail).toMatch(/^CreateUsagePlanKey in us-east-1 \(.*\) failed: BadRequestException: Invalid API Key identifier: fix it in API Gateway, then re-run$/);
    expect(json.regions[1]!.rows[1]!.detail).toMatch(/^CreateApiKey in us-east-2 \(.*\) failed: ConflictException: API Key already exists/);
    expect(plans()).toEqual({ [HOME]: names("merchant-2", "merchant-3")[HOME], [DR]: names("merchant-1", "merchant-3")[DR] });
    expect(stderr).toMatch(/keys: sync refused merchant\(s\) merchant-1, merchant-2 \(see the table\); the others are synced/);
  });

  it("a ConflictException from CreateUsagePlanKey while the key is not in the plan refuses that merchant, naming it: not reported fine (in the usage plan) when it is not", async () => {
    await created("merchant-1");
    await created("merchant-2");
    emptyPlans(HOME);
    const other = usageKeyIn(HOME, "merchant-1").id;
    gateway().fail(HOME, "CreateUsagePlanKey", (input) => (input.keyId === other ? new ConflictException({ message: "The request configuration has conflicts", $metadata: {} }) : undefined));

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.refused);
    const home = json.regions.find((r) => r.region === HOME)!;
    expect(home.rows.map((r) => [r.merchantId, r.action])).toEqual([
      ["merchant-1", "refused"],
      ["merchant-2", "added"],
    ]);
    expect(home.rows[0]!.detail).toMatch(/CreateUsagePlanKey in us-east-1 .* failed: ConflictException: The request configuration has conflicts/);
    expect(plans()[HOME]).toEqual(names("merchant-2")[HOME]);
  });

  it("one merchant's NotFoundException refuses that merchant only; the region goes on and is not failed", async () => {
    await created("merchant-1");
    await created("merchant-2");
    emptyPlans(DR);
    const m1 = usageKeyIn(DR, "merchant-1").id;
    gateway().fail(DR, "CreateUsagePlanKey", (input) => (input.keyId === m1 ? new NotFoundException({ message: "Invalid API Key identifier specified", $metadata: {} }) : undefined));

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.refused);
    expect(json.regions.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(actions(json)[1]).toEqual([["merchant-1", "refused"], ["merchant-2", "added"]]);
    expect(json.regions[1]!.rows[0]!.detail).toMatch(/^CreateUsagePlanKey in us-east-2 \(.*\) failed: NotFoundException: Invalid API Key identifier specified: fix it in API Gateway, then re-run$/);
  });

  it("a usage key removed from the plan meanwhile (DeleteUsagePlanKey: NotFound) counts as removed, exit 0", async () => {
    await created("merchant-1");
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    gateway().fail(DR, "DeleteUsagePlanKey", () => new NotFoundException({ message: "Invalid Usage Plan Key identifier specified", $metadata: {} }));

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(actions(json)).toEqual([
      [["merchant-1", "fine"], ["merchant-2", "removed"]],
      [["merchant-1", "fine"], ["merchant-2", "removed"]],
    ]);
  });

  it("an AWS error that echoes the usage key value read from the table prints it redacted", async () => {
    await created("merchant-1");
    const value = usageKeyIn(HOME, "merchant-1").value;
    for (const region of [HOME, DR]) gateway().keys[region]!.splice(0);
    emptyPlans(HOME, DR);
    gateway().fail(HOME, "CreateApiKey", (input) => new ServiceUnavailableException({ message: `could not store key value ${String(input.value)}`, $metadata: {} }));

    for (const args of [[], ["--json"]]) {
      const { code, stdout, stderr } = await keys().run(["sync", ...args]);
      expect(code).toBe(EXIT_CODES.failed);
      expect(stdout).toMatch(/CreateApiKey in us-east-1 .* failed: ServiceUnavailableException: could not store key value \[redacted\]/);
      expect(stdout + stderr).not.toContain(value);
    }
  });

  it("a table item whose merchant id is an API key is skipped without echoing it, and nothing is named after it", async () => {
    const apiKey = `pdr_0123456789abcdef_${"s".repeat(43)}`;
    await put({ keyId: "0123456789abcdef", merchantId: apiKey, status: "active", usageKey: "y".repeat(40) });
    gateway().calls.length = 0;

    const { code, stdout, stderr, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(json.skipped).toEqual([{ keyId: "0123456789abcdef", problem: "missing or invalid merchant id" }]);
    expect(writes()).toEqual([]);
    expect(apiKeysIn(stdout + stderr)).toEqual([]);
  });

  it("a merchant's error that is the region not answering, or a failed region-wide read, still fails the region (exit 3)", async () => {
    await created("merchant-1");
    await created("merchant-2");
    emptyPlans(HOME, DR);
    gateway().fail(HOME, "CreateUsagePlanKey", () => new ServiceUnavailableException({ message: "boom", $metadata: {} }));
    gateway().fail(DR, "GetApiKeys", () => new Error("connect ETIMEDOUT"));
    gateway().calls.length = 0;

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.failed);
    expect(json.regions.map((r) => [r.error, r.rows.length])).toEqual([
      [expect.stringMatching(/^CreateUsagePlanKey in us-east-1 .* failed: ServiceUnavailableException: boom$/), 0],
      [expect.stringMatching(/^GetApiKeys in us-east-2 \(usage keys payments-dr-api-use2-dev-merchant-\*\) failed: connect ETIMEDOUT$/), 0],
    ]);
    expect(gateway().called("CreateUsagePlanKey", DR)).toEqual([]);
  });

  it("skips table items with an invalid key id, merchant id or status: reported, never acted on, and nothing removed for their merchant", async () => {
    await created("merchant-1");
    const revoked = await created("merchant-2");
    await keys().run(["revoke", "--key-id", revoked]);
    const value = usageKeyIn(HOME, "merchant-2").value;
    await put({ keyId: "0123456789abcdef", merchantId: "merchant-2", status: "suspended", usageKey: value });
    await put({ keyId: "not-a-key-id", merchantId: "merchant-3", status: "active", usageKey: "x".repeat(40) });
    await put({ keyId: "fedcba9876543210", status: "active" });
    gateway().calls.length = 0;

    const { code, json } = await sync();
    expect(code).toBe(EXIT_CODES.ok);
    expect(writes()).toEqual([]);
    expect(plans()).toEqual(names("merchant-1", "merchant-2"));
    expect(actions(json)).toEqual([
      [["merchant-1", "fine"], ["merchant-2", "kept"]],
      [["merchant-1", "fine"], ["merchant-2", "kept"]],
    ]);
    expect(json.regions[0]!.rows[1]!.detail).toMatch(/^no active key, but kept in the usage plan: its table item\(s\) 0123456789abcdef are invalid \(skipped\)/);
    expect([...json.skipped].sort((a, b) => a.problem.localeCompare(b.problem))).toEqual([
      { merchantId: "merchant-3", problem: "missing or invalid key id" },
      { keyId: "fedcba9876543210", problem: "missing or invalid merchant id" },
      { keyId: "0123456789abcdef", merchantId: "merchant-2", problem: "missing or invalid status (neither active nor revoked)" },
    ]);

    const { stdout } = await keys().run(["sync"]);
    expect(stdout).toMatch(/^3 table items skipped \(invalid, never acted on\):$/m);
    expect(stdout).toMatch(/^ {2}\(no valid key id\) \(merchant merchant-3\): missing or invalid key id$/m);
    expect(stdout).not.toContain("not-a-key-id");
    expect(stdout).not.toMatch(/\?/);
    expect(stdout).toMatch(/nothing changed; 2 usage keys that would be removed were kept \(see the table\)$/);
  });

  it("scans the table strongly consistently; when the primary's replica does not answer, reads the DR one and only adds usage keys, never removes", async () => {
    await created("merchant-1");
    const gone = await created("merchant-2");
    await keys().run(["revoke", "--key-id", gone]);
    emptyPlans(DR);
    keys().table.scans.length = 0;
    keys().table.unreachable.add(HOME);

    const { code, stdout, stderr } = await keys().run(["sync"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stderr).toMatch(/Scan in us-east-1 .* failed: .*; reading the replica in us-east-2 instead, and removing nothing from the usage plans/);
    expect(stdout).toMatch(/us-east-1\s+plan-use1\s+merchant-2\s+not removed\s+.*kept in the usage plan: the primary's replica of the table did not answer/);
    expect(stdout).toMatch(/us-east-2\s+plan-use2\s+merchant-1\s+added/);
    expect(stdout).toMatch(/keys read from payments-dr-api-keys-dev \(us-east-2\)\n {2}the primary's replica did not answer \(.*\): read the DR replica instead, so usage keys are only added, never removed; re-run once the primary answers/);
    expect(plans()).toEqual({ [HOME]: names("merchant-1", "merchant-2")[HOME], [DR]: names("merchant-1")[DR] });
    expect(gateway().called("DeleteUsagePlanKey")).toEqual([]);

    keys().table.unreachable.clear();
    const again = await sync();
    expect(again.json.fallback).toBeUndefined();
    expect(actions(again.json)[0]).toEqual([["merchant-1", "fine"], ["merchant-2", "removed"]]);
    expect(new Set(keys().table.scans.map((s) => s.region))).toEqual(new Set([HOME, DR]));
    expect(keys().table.scans.every((s) => s.consistent)).toBe(true);
  });

  it("takes --dry-run only as sync's option", async () => {
    expect(await keys().run(["list", "--dry-run"])).toMatchObject({ code: EXIT_CODES.refused, stderr: "keys: list takes no --dry-run (keys list --help)" });
    expect((await keys().run(["sync", "--help"])).stdout).toMatch(/--dry-run/);
  });

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

  // After a deploy replaced a usage plan, sync puts each merchant's usage key back in it. A usage key
  // outside the plan that sync cannot take as the merchant's (disabled, or another value) is refused
  // for that merchant, not re-enabled, overwritten or doubled.
  describe("a usage key outside the plan that is not the merchant's", () => {
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
  });
});
