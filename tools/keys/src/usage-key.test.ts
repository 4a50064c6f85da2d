import { ConflictException } from "@aws-sdk/client-api-gateway";
import { reservationItemId } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { COMPLIANCE_TAGS, PROJECT_NAME } from "@payments-dr/conventions";
import { DR, HOME, KeysHarness, outputs, useKeysHarness } from "./test-support";
import { usageKeyName, usageKeyTags } from "./usage-key";

const keys = useKeysHarness();

const HOME_NAME = usageKeyName(outputs.primary.apiName, "merchant-1");
const DR_NAME = usageKeyName(outputs.dr.apiName, "merchant-1");
const gateway = () => keys().apiGateway;

/** merchant-1 has one usage key value, `value`: its usage key in each region, each of its keys, its reservation. */
async function expectOneValue(value: string | undefined): Promise<void> {
  expect(value).toBeDefined();
  expect([HOME, DR].map((region) => gateway().keys[region]!.map((k) => k.value))).toEqual([[value], [value]]);
  expect(new Set((await keys().table.keyItems()).map((item) => item.usageKey))).toEqual(new Set([value]));
  expect(await keys().table.reserved("merchant-1")).toBe(value);
}

describe("the merchant's usage key", () => {
  it("is created in both regions with one value, named after each region's API, tagged, and put in each usage plan", async () => {
    const { code, stdout } = await keys().run(["create", "--merchant", "merchant-1", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect([HOME_NAME, DR_NAME]).toEqual(["payments-dr-api-use1-dev-merchant-merchant-1", "payments-dr-api-use2-dev-merchant-merchant-1"]);
    const [home] = gateway().keys[HOME]!;
    const [dr] = gateway().keys[DR]!;
    expect(home).toMatchObject({ name: HOME_NAME, enabled: true, tags: usageKeyTags("merchant-1") });
    expect(dr).toMatchObject({ name: DR_NAME, enabled: true, value: home!.value });
    expect(home!.value).toMatch(/^[0-9a-f]{40}$/);
    expect(gateway().planKeys[HOME]).toEqual(new Set([`${outputs.primary.usagePlanId}/${home!.id}`]));
    expect(gateway().planKeys[DR]).toEqual(new Set([`${outputs.dr.usagePlanId}/${dr!.id}`]));

    const stored = (await keys().table.items())[0]!;
    expect(stored.usageKey).toBe(home!.value);
    expect(JSON.parse(stdout).usageKeys).toEqual([
      { region: HOME, name: HOME_NAME, apiKeyId: home!.id, created: true, usagePlanId: outputs.primary.usagePlanId, addedToPlan: true },
      { region: DR, name: DR_NAME, apiKeyId: dr!.id, created: true, usagePlanId: outputs.dr.usagePlanId, addedToPlan: true },
    ]);
    expect(stdout).not.toContain(home!.value);
  });

  it("is reused when it exists: found by exact name past a prefix match and a page break; the missing region gets its value", async () => {
    gateway().add(DR, { name: `${DR_NAME}0`, value: "a".repeat(40), enabled: true });
    gateway().add(DR, { name: `${DR_NAME}1`, value: "b".repeat(40), enabled: true });
    const existing = gateway().add(DR, { name: DR_NAME, value: "c".repeat(40), enabled: true });
    const { code } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(gateway().called("GetApiKeys", DR)).toHaveLength(2);
    expect(gateway().called("CreateApiKey", DR)).toEqual([]);
    expect(gateway().called("CreateApiKey", HOME).map((c) => c.input)).toEqual([expect.objectContaining({ name: HOME_NAME, value: existing.value })]);
    expect(gateway().planKeys[DR]).toEqual(new Set([`${outputs.dr.usagePlanId}/${existing.id}`]));
    expect((await keys().table.items())[0]!.usageKey).toBe(existing.value);
  });

  it("deleted in API Gateway in both regions: the next create brings it back with the value the merchant's active keys store, so they keep working", async () => {
    await keys().run(["create", "--merchant", "merchant-1"]);
    const stored = (await keys().table.items())[0]!.usageKey;
    for (const region of [HOME, DR]) {
      gateway().keys[region]!.splice(0);
      gateway().planKeys[region]!.clear();
    }
    const { code } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect([HOME, DR].map((region) => gateway().keys[region]!.map((k) => k.value))).toEqual([[stored], [stored]]);
    expect(new Set((await keys().table.items()).map((item) => item.usageKey))).toEqual(new Set([stored]));
    expect((await keys().run(["sync"])).code).toBe(EXIT_CODES.ok);
  });

  it("refuses (exit 2) a usage key in API Gateway whose value differs from the one the merchant's active keys store, or several stored values", async () => {
    await keys().run(["create", "--merchant", "merchant-1"]);
    for (const region of [HOME, DR]) gateway().keys[region]![0]!.value = "d".repeat(40);
    const mismatch = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(mismatch).toMatchObject({ code: EXIT_CODES.refused, stderr: expect.stringMatching(/usage key in API Gateway has another value than its active keys store/) });

    await keys().run(["create", "--merchant", "merchant-2"]);
    const [item] = (await keys().table.items()).filter((i) => i.merchantId === "merchant-2");
    await keys().table.put({ ...item!, keyId: "0123456789abcdef", usageKey: "e".repeat(40) });
    const several = await keys().run(["create", "--merchant", "merchant-2"]);
    expect(several).toMatchObject({ code: EXIT_CODES.refused, stderr: expect.stringMatching(/active keys store 2 different usage key values/) });
    expect((await keys().table.items()).filter((i) => i.merchantId === "merchant-2")).toHaveLength(2);
  });

  it("a merchant's second key reuses both usage keys, already in the plans (ConflictException tolerated)", async () => {
    await keys().run(["create", "--merchant", "merchant-1"]);
    const { code, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(gateway().called("CreateApiKey")).toHaveLength(2);
    expect(gateway().called("CreateUsagePlanKey")).toHaveLength(4);
    expect(stderr).toMatch(new RegExp(`usage key ${DR_NAME} in us-east-2: exists \\(id \\w+\\), already in usage plan plan-use2`));
    const items = await keys().table.keyItems();
    expect(items).toHaveLength(2);
    expect(items[0]!.usageKey).toBe(items[1]!.usageKey);
  });

  it("a ConflictException from CreateUsagePlanKey while the key is not in the plan (API Gateway documents it only as 'the request configuration has conflicts'): exit 3 naming it, not taken for 'already in the plan', no key stored", async () => {
    gateway().fail(DR, "CreateUsagePlanKey", () => new ConflictException({ message: "The request configuration has conflicts", $metadata: {} }));
    const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toBe("");
    expect(stderr.split("\n").at(-1)).toMatch(/^keys: CreateUsagePlanKey in us-east-2 \(.*\) failed: ConflictException: The request configuration has conflicts; no key was stored/);
    expect(gateway().planKeysOf(DR)).toEqual([]);
    expect(await keys().table.keyItems()).toEqual([]);
  });

  it.each([
    [DR, "GetApiKeys"],
    [DR, "CreateApiKey"],
    [HOME, "CreateUsagePlanKey"],
    [DR, "CreateUsagePlanKey"],
  ])("if %s fails %s: exit 3, one line naming both, no key stored, the usage key value not echoed", async (region, command) => {
    // An error that quotes the value, as some AWS messages quote their input.
    gateway().fail(region, command, (input) => Object.assign(new Error(`boom ${String(input.value ?? input.keyId ?? input.nameQuery)} ${gateway().keys[HOME]![0]?.value ?? ""}`), { name: "ServiceUnavailableException" }));
    const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toBe("");
    expect(stderr.split("\n").at(-1)).toMatch(new RegExp(`^keys: ${command} in ${region} \\(.*\\) failed: ServiceUnavailableException: boom .*; no key was stored \\(a re-run reuses the usage key value reserved`));
    expect(await keys().table.keyItems()).toEqual([]);
    for (const key of [...gateway().keys[HOME]!, ...gateway().keys[DR]!]) expect(stderr).not.toContain(key.value);
    if (command === "GetApiKeys") expect(gateway().called("CreateApiKey")).toEqual([]);
    else expect(stderr).toContain("[redacted]");
  });

  it("after a region failed, a re-run reuses what the first run made and completes", async () => {
    gateway().fail(DR, "CreateApiKey", () => new Error("connect ETIMEDOUT"));
    expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.failed);
    const made = gateway().keys[HOME]![0]!;
    const retry = new KeysHarness(keys().table);
    try {
      retry.apiGateway.keys[HOME]!.push(made);
      expect((await retry.run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.ok);
      expect(retry.apiGateway.called("CreateApiKey").map((c) => c.region)).toEqual([DR]);
      expect(retry.apiGateway.keys[DR]![0]!.value).toBe(made.value);
      expect((await keys().table.items())[0]!.usageKey).toBe(made.value);
    } finally {
      retry.restore();
    }
  });

  it("made meanwhile by another create (CreateApiKey: ConflictException, API Gateway's answer to a second key of one value): that key is taken", async () => {
    gateway().fail(HOME, "CreateApiKey", (input) => {
      gateway().add(HOME, { name: input.name as string, value: input.value as string, enabled: true });
      return new ConflictException({ message: "API Key already exists", $metadata: {} });
    });
    const { code, stdout } = await keys().run(["create", "--merchant", "merchant-1", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const [made] = gateway().keys[HOME]!;
    expect(gateway().keys[HOME]).toHaveLength(1);
    expect(JSON.parse(stdout).usageKeys[0]).toMatchObject({ region: HOME, apiKeyId: made!.id, created: false, addedToPlan: true });
    expect(new Set((await keys().table.items()).map((item) => item.usageKey))).toEqual(new Set([made!.value]));
  });

  it("with different values in the two regions: refused (exit 2), nothing created or written", async () => {
    gateway().add(HOME, { name: HOME_NAME, value: "a".repeat(40), enabled: true });
    gateway().add(DR, { name: DR_NAME, value: "b".repeat(40), enabled: true });
    const { code, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/^keys: merchant merchant-1 has usage keys with different values \(us-east-1: \w+; us-east-2: \w+\): delete all but one value/);
    expect(stderr).not.toMatch(/aaaa|bbbb/);
    expect(gateway().called("CreateApiKey")).toEqual([]);
    expect(gateway().called("CreateUsagePlanKey")).toEqual([]);
    expect(await keys().table.items()).toEqual([]);
  });

  it("disabled in a region: refused (exit 2), nothing written", async () => {
    gateway().add(DR, { name: DR_NAME, value: "a".repeat(40), enabled: false });
    const { code, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/in us-east-2 is disabled/);
    expect(await keys().table.items()).toEqual([]);
  });

  it("API Gateway is only ever called through a client of the region it acts on", async () => {
    await keys().run(["create", "--merchant", "merchant-1"]);
    for (const call of gateway().calls) {
      if (call.command === "CreateUsagePlanKey") expect(call.input.usagePlanId).toBe(call.region === HOME ? outputs.primary.usagePlanId : outputs.dr.usagePlanId);
      if (call.command !== "CreateUsagePlanKey") expect(call.input.name ?? call.input.nameQuery).toBe(call.region === HOME ? HOME_NAME : DR_NAME);
    }
    expect(new Set(keys().regions.filter((r) => r.service === "apigateway").map((r) => r.region))).toEqual(new Set([HOME, DR]));
  });

  it("two creates at once for a new merchant, the second run while the first is about to make its usage key: one usage key value", async () => {
    let second: ReturnType<KeysHarness["run"]> | undefined;
    gateway().before(HOME, "CreateApiKey", async () => {
      // The first create found no usage key and no stored value: the second runs now, start to end.
      if (second) return;
      second = keys().run(["create", "--merchant", "merchant-1"]);
      expect((await second).code).toBe(EXIT_CODES.ok);
    });
    const first = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(second).toBeDefined();
    expect(first.code).toBe(EXIT_CODES.ok);
    await expectOneValue(gateway().keys[HOME]![0]?.value);
    // The first finds the key the second made with the value both reserved (API Gateway refuses a second key of one value).
    expect(first.stderr).toMatch(new RegExp(`usage key ${HOME_NAME} in us-east-1: exists \\(id \\w+\\)`));
    expect((await keys().run(["sync"])).code).toBe(EXIT_CODES.ok);
  });

  it("two creates at once for a new merchant, the second run after the first read and before it reserved a value: one usage key value", async () => {
    const client = keys().table.clientIn(HOME);
    let second: ReturnType<KeysHarness["run"]> | undefined;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const item = (args.input as { Item?: Record<string, { S?: string }> }).Item;
        if (context.commandName === "PutItemCommand" && item?.keyId?.S === reservationItemId("merchant-1") && !second) {
          second = keys().run(["create", "--merchant", "merchant-1"]);
          expect((await second).code).toBe(EXIT_CODES.ok);
        }
        return next(args);
      },
      { step: "serialize", name: "keysTestSecondCreate" },
    );
    try {
      expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.ok);
    } finally {
      client.middlewareStack.remove("keysTestSecondCreate");
    }
    expect(second).toBeDefined();
    await expectOneValue(await keys().table.reserved("merchant-1"));
  });

  it("a create that stopped after reserving the value, before any usage key was made: a re-run makes them with that value (the merchant is not locked out)", async () => {
    gateway().fail(HOME, "CreateApiKey", () => Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" }));
    expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.failed);
    const reserved = await keys().table.reserved("merchant-1");
    expect(reserved).toMatch(/^[0-9a-f]{40}$/);
    expect([gateway().keys[HOME], gateway().keys[DR]]).toEqual([[], []]);
    expect(await keys().table.keyItems()).toEqual([]);

    gateway().fail(HOME, "CreateApiKey", () => undefined);
    expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.ok);
    await expectOneValue(reserved);
  });

  it("a merchant made before reservations (usage keys, no reservation): create reuses its value and writes it as the reservation", async () => {
    const home = gateway().add(HOME, { name: HOME_NAME, value: "c".repeat(40), enabled: true });
    gateway().add(DR, { name: DR_NAME, value: home.value, enabled: true });
    expect((await keys().run(["create", "--merchant", "merchant-1"])).code).toBe(EXIT_CODES.ok);
    await expectOneValue(home.value);
  });

  it("a reservation that holds another value than the usage key in use (a create in the other region's replica won it): set to the value in use, and said", async () => {
    await keys().run(["create", "--merchant", "merchant-1"]);
    const value = gateway().keys[HOME]![0]!.value;
    await keys().table.put({ keyId: reservationItemId("merchant-1"), usageKey: "f".repeat(40), reservedAt: "2026-11-25T11:00:00.000Z" });
    const { code, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stderr).toMatch(/the usage key reservation of merchant merchant-1 held another value than its usage key .*: set to the one in use/);
    expect(stderr).not.toContain("f".repeat(40));
    await expectOneValue(value);
  });

  it("carries the compliance tags of @payments-dr/conventions", () => {
    expect(usageKeyTags("merchant-1")).toEqual({ ...COMPLIANCE_TAGS, Project: PROJECT_NAME, ManagedBy: "tools/keys", Merchant: "merchant-1" });
  });
});
