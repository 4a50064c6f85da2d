import crypto from "node:crypto";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { AUTHORIZER_TIMEOUT_SECONDS, parseApiKey, parseApiKeyRecord, reservationItemId, usageItemId, verifyApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { REVOCATION_SETTLE_MS } from "./commands";
import { run } from "./run";
import { apiKeysIn, DR, HOME, NOW, outputs, outputsDir, testClients, useKeysHarness } from "./test-support";

const keys = useKeysHarness();

/**
 * Runs `act` with a middleware on the local table's client of `region` that sees each request of
 * a DynamoDB command (`GetItem`, `PutItem`, …) before it is sent: `spy` may record it, or throw
 * to stand for an AWS error.
 */
async function intercepting<T>(region: string, command: string, spy: (input: Record<string, unknown>) => void, act: () => Promise<T>): Promise<T> {
  const client = keys().table.clientIn(region);
  const name = `keysTestIntercept${command}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === `${command}Command`) spy(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: "serialize", name },
  );
  try {
    return await act();
  } finally {
    client.middlewareStack.remove(name);
  }
}

/**
 * Runs `act` while `region`'s copy of the table behaves as if `keyId` had not replicated to it
 * (until `arrived()`): its conditional update fails and its read finds nothing.
 */
async function notReplicatedIn<T>(region: string, keyId: string, arrived: () => boolean, act: () => Promise<T>): Promise<T> {
  const client = keys().table.clientIn(region);
  const name = "keysTestNotReplicated";
  const names = (args: { input: unknown }) => JSON.stringify(args.input).includes(keyId);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!arrived() && names(args)) {
        if (context.commandName === "UpdateItemCommand") throw Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
        if (context.commandName === "GetItemCommand") return { output: { $metadata: {} }, response: {} } as never;
      }
      return next(args);
    },
    { step: "initialize", name },
  );
  try {
    return await act();
  } finally {
    client.middlewareStack.remove(name);
  }
}

/** Creates a key and returns it with its id. */
async function created(merchant: string, ...extra: string[]): Promise<{ apiKey: string; keyId: string }> {
  const { code, stdout, stderr } = await keys().run(["create", "--merchant", merchant, ...extra]);
  expect({ code, stderr }).toMatchObject({ code: EXIT_CODES.ok });
  const [apiKey] = apiKeysIn(stdout);
  return { apiKey: apiKey!, keyId: parseApiKey(apiKey!)!.keyId };
}

describe("create", () => {
  it("refuses to run as an Nx task, where the printed key could be kept on disk, and creates nothing", async () => {
    const { code, stderr } = await keys().run(["create", "--merchant", "merchant-1"], { underNx: true });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/Nx may keep a task's output on disk .*node dist\/tools\/keys\/cli\.js create --merchant <id>/);
    expect(await keys().table.items()).toEqual([]);
    expect(keys().apiGateway.calls).toEqual([]);
  });

  it("stores a record that verifies against the printed key with real hashing, and holds no secret", async () => {
    const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1", "--label", "checkout backend"]);
    expect(code).toBe(EXIT_CODES.ok);
    const printed = apiKeysIn(stdout);
    expect(printed).toHaveLength(1);
    expect(stdout.split(printed[0]!)).toHaveLength(2);
    expect(apiKeysIn(stderr)).toEqual([]);
    expect(stdout).toMatch(/cannot be shown again/);

    const parts = parseApiKey(printed[0]!)!;
    expect(stdout).toContain(`key id    ${parts.keyId}`);
    expect(stdout).toContain("merchant  merchant-1");
    const item = await keys().table.item(parts.keyId);
    const record = parseApiKeyRecord(item);
    expect(record).toMatchObject({ merchantId: "merchant-1", status: "active", label: "checkout backend", createdAt: NOW.toISOString() });
    expect(verifyApiKey(parts, record)).toEqual(record);
    expect(JSON.stringify(item)).not.toContain(parts.secret);
    expect(Object.keys(item!).sort()).toEqual(["createdAt", "keyId", "label", "merchantId", "salt", "secretHash", "status", "usageKey"]);
  });

  it("--json prints the key once with its id and merchant, and never the salt, hash or usage key value", async () => {
    const { code, stdout } = await keys().run(["create", "--merchant", "merchant-1", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const result = JSON.parse(stdout);
    expect(apiKeysIn(stdout)).toEqual([result.apiKey]);
    expect(result).toMatchObject({ merchantId: "merchant-1", keyId: parseApiKey(result.apiKey)!.keyId, region: HOME, table: keys().table.name });
    expect(result.note).toMatch(/cannot be shown again/);
    const item = (await keys().table.item(result.keyId))!;
    for (const secret of [item.salt, item.secretHash, item.usageKey] as string[]) expect(stdout).not.toContain(secret);
  });

  it("a write whose answer was lost and that the SDK retried: the retry finds our own item, and the key is shown (exit 0), not reported taken", async () => {
    const client = keys().table.clientIn(HOME);
    let lost = false;
    // Below the SDK's retries: the first PutItem reaches the table, then its answer is lost.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "PutItemCommand" && !lost) {
          lost = true;
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", $metadata: {} });
        }
        return out;
      },
      { step: "deserialize", name: "keysTestLoseAnswer" },
    );
    try {
      const { code, stdout } = await keys().run(["create", "--merchant", "merchant-1"]);
      expect(lost).toBe(true);
      expect(code).toBe(EXIT_CODES.ok);
      const [apiKey] = apiKeysIn(stdout);
      expect(verifyApiKey(parseApiKey(apiKey!)!, parseApiKeyRecord(await keys().table.item(parseApiKey(apiKey!)!.keyId)))).toBeDefined();
    } finally {
      client.middlewareStack.remove("keysTestLoseAnswer");
    }
  });

  it("never overwrites a key whose id is taken (2⁻⁶⁴ odds): fails, and the first key's record stays as it was", async () => {
    const first = await created("merchant-1");
    const before = await keys().table.item(first.keyId);
    const real = crypto.randomBytes;
    const spy = jest.spyOn(crypto, "randomBytes").mockImplementation(((size: number) => (size === 8 ? Buffer.from(first.keyId, "hex") : real(size))) as typeof crypto.randomBytes);
    try {
      const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-2"]);
      expect(code).toBe(EXIT_CODES.failed);
      expect(stderr).toMatch(new RegExp(`key id ${first.keyId} is already taken`));
      expect(apiKeysIn(stdout)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    expect(await keys().table.item(first.keyId)).toEqual(before);
  });

  it("a failed PutItem whose error echoes the item: exit 3, and neither the key nor its salt or hash is printed", async () => {
    let item: Record<string, { S?: string }> = {};
    const { code, stdout, stderr } = await intercepting(
      HOME,
      "PutItem",
      (input) => {
        // The key's record, not the merchant's usage key reservation written before it.
        if (!(input.Item as typeof item).salt) return;
        item = input.Item as typeof item;
        throw Object.assign(new Error(`One or more parameter values were invalid: ${JSON.stringify(input.Item)}`), { name: "ValidationException" });
      },
      () => keys().run(["create", "--merchant", "merchant-1"]),
    );
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^keys: PutItem in us-east-1 \(table payments-dr-api-keys-dev\) failed: ValidationException: .*\[redacted\]/m);
    expect(item.salt?.S).toBeDefined();
    for (const secret of [item.salt!.S!, item.secretHash!.S!, item.usageKey!.S!]) expect(stderr).not.toContain(secret);
    expect(apiKeysIn(stderr)).toEqual([]);
    expect(await keys().table.keyItems()).toEqual([]);
  });

  it("a failed reservation PutItem whose error echoes the item: exit 3, the usage key value redacted, no usage key made", async () => {
    let value: string | undefined;
    const { code, stdout, stderr } = await intercepting(
      HOME,
      "PutItem",
      (input) => {
        value = (input.Item as Record<string, { S?: string }>).usageKey?.S;
        throw Object.assign(new Error(`One or more parameter values were invalid: ${JSON.stringify(input.Item)}`), { name: "ValidationException" });
      },
      () => keys().run(["create", "--merchant", "merchant-1"]),
    );
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^keys: PutItem in us-east-1 \(usage key reservation of merchant merchant-1 in payments-dr-api-keys-dev\) failed: ValidationException: .*\[redacted\]/m);
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    expect(stderr).not.toContain(value);
    expect(keys().apiGateway.called("CreateApiKey")).toEqual([]);
    expect(await keys().table.items()).toEqual([]);
  });

  it("writes the chosen region's replica: --region dr uses a DynamoDB client of the DR region only", async () => {
    const { code, stdout } = await keys().run(["create", "--merchant", "merchant-1", "--region", "dr", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout).region).toBe(DR);
    expect(keys().regions.filter((r) => r.service === "dynamodb").map((r) => r.region)).toEqual([DR]);
  });

  it.each([
    ["a bad merchant id", ["--merchant", "a b"], /--merchant "a b" must be 3-64 characters/],
    ["no merchant id", [], /--merchant <id> is required/],
    ["an API key as merchant id", ["--merchant", `pdr_${"0".repeat(16)}_${"s".repeat(43)}`], /^keys: --merchant got an API key, not a merchant id$/],
    ["an empty label", ["--merchant", "merchant-1", "--label", " "], /--label must be 1-128 characters/],
    ["a label over 128 characters", ["--merchant", "merchant-1", "--label", "x".repeat(129)], /--label must be 1-128 characters/],
    ["a label with a line break, which would forge rows of list's table", ["--merchant", "merchant-1", "--label", "ok\nfake row"], /--label must be 1-128 characters of printable text/],
    ["a label with a terminal escape", ["--merchant", "merchant-1", "--label", "\u001b[2Jcleared"], /--label must be 1-128 characters of printable text/],
    // The label is stored in clear in the keys table, where a key must never be.
    ["a label holding an API key", ["--merchant", "merchant-1", "--label", `replaces pdr_${"0".repeat(16)}_${"s".repeat(43)}`], /^keys: --label holds an API key: keys are never stored; name the old key by its key id, 0{16}$/],
    ["an unknown region", ["--merchant", "merchant-1", "--region", "eu-west-1"], /--region eu-west-1 is not one of this deployment's regions \(us-east-1, us-east-2\)/],
  ])("refuses %s: exit 2, one line, nothing written, no usage key made", async (_, args, message) => {
    const { code, stdout, stderr } = await keys().run(["create", ...args]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(message);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stdout).toBe("");
    expect(await keys().table.items()).toEqual([]);
    expect(keys().apiGateway.called("CreateApiKey")).toEqual([]);
  });

  it("a merchant's usage key reservation holding no valid value (a hand edit) fails create (exit 3) naming the item to delete, and prints no key", async () => {
    await keys().table.put({ keyId: reservationItemId("merchant-1"), usageKey: 42 });
    const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr).toMatch(new RegExp(`usage key reservation of merchant merchant-1 in \\S+ \\(us-east-1\\) holds no valid usage key value: delete the item ${reservationItemId("merchant-1")}, then re-run`));
    expect(apiKeysIn(stdout)).toEqual([]);
  });

  // The key record's own PutItem (not the usage key reservation's): its first attempt reaches the
  // table, its answer is lost, and the SDK's retry finds the id taken. Taken by our own record, the
  // key must be shown once (it cannot be shown again), not reported as a collision.
  it("a key record write whose answer was lost and that was retried: the retry finds our own record, the key is shown (exit 0)", async () => {
    const client = keys().table.clientIn(HOME);
    let lost = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const item = (args.input as { Item?: Record<string, unknown> }).Item;
        if (context.commandName === "PutItemCommand" && item?.secretHash !== undefined && !lost) {
          lost = true;
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", $metadata: {} });
        }
        return out;
      },
      { step: "deserialize", name: "keysTestLoseRecordAnswer" },
    );
    try {
      const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
      expect(lost).toBe(true);
      expect({ code, stderr }).toMatchObject({ code: EXIT_CODES.ok });
      const [apiKey] = apiKeysIn(stdout);
      const parts = parseApiKey(apiKey!)!;
      expect(verifyApiKey(parts, parseApiKeyRecord(await keys().table.item(parts.keyId)))).toBeDefined();
    } finally {
      client.middlewareStack.remove("keysTestLoseRecordAnswer");
    }
  });
});

describe("list", () => {
  it("escapes control characters of a hand-edited item: no forged row, no terminal escape sequence", async () => {
    const item = { keyId: "0123456789abcdef", merchantId: "merchant-1", status: "active", createdAt: "2026-01-01T00:00:00.000Z", salt: "s", secretHash: "h", label: "ok\n0000000000000000  merchant-1  revoked  \u001b[2J" };
    await DynamoDBDocumentClient.from(keys().table.clientIn(HOME)).send(new PutCommand({ TableName: keys().table.name, Item: item }));
    const { code, stdout } = await keys().run(["list"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).not.toContain("\u001b");
    expect(stdout).toContain("ok\\u000a0000000000000000  merchant-1  revoked  \\u001b[2J");
    expect(stdout.split("\n").filter((line) => line.startsWith("0000000000000000"))).toEqual([]);
  });

  it("shows id, merchant, status, label and times of every key, never the salt, hash or usage key", async () => {
    const first = await created("merchant-1", "--label", "checkout");
    keys().now = new Date("2026-11-25T13:00:00.000Z");
    const second = await created("merchant-1");
    const other = await created("merchant-2");
    await keys().run(["revoke", "--key-id", second.keyId]);

    keys().table.scanned.length = 0;
    const { code, stdout } = await keys().run(["list", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    // Two items a page: every page was read (three keys, two merchants' usage key reservations), and the projection kept
    // the secret material in the table.
    expect(keys().table.scanned).toHaveLength(5);
    for (const item of keys().table.scanned) expect(Object.keys(item).filter((a) => ["salt", "secretHash", "usageKey"].includes(a))).toEqual([]);
    const listed = JSON.parse(stdout);
    expect(listed).toEqual([
      { keyId: first.keyId, merchantId: "merchant-1", status: "active", label: "checkout", createdAt: NOW.toISOString() },
      { keyId: second.keyId, merchantId: "merchant-1", status: "revoked", createdAt: "2026-11-25T13:00:00.000Z", revokedAt: "2026-11-25T13:00:00.000Z" },
      { keyId: other.keyId, merchantId: "merchant-2", status: "active", createdAt: "2026-11-25T13:00:00.000Z" },
    ]);
    const human = (await keys().run(["list"])).stdout;
    expect(human).toMatch(new RegExp(`${first.keyId}\\s+merchant-1\\s+active\\s+checkout\\s+${NOW.toISOString()}\\s+-\\s+-`));
    expect(human).toMatch(/3 keys in payments-dr-api-keys-dev \(us-east-1\)/);
    for (const item of await keys().table.keyItems()) {
      for (const secret of [item.salt, item.secretHash, item.usageKey] as string[]) {
        expect(stdout).not.toContain(secret);
        expect(human).not.toContain(secret);
      }
    }
  });

  it("shows a key's last use as the latest its usage items hold (one per region), and never a usage item as a key", async () => {
    const key = await created("merchant-1");
    const table = DynamoDBDocumentClient.from(keys().table.clientIn(HOME));
    for (const [region, at] of [[HOME, "2026-11-25T10:00:00.000Z"], [DR, "2026-11-25T11:30:00.000Z"]] as const) {
      await table.send(new PutCommand({ TableName: keys().table.name, Item: { keyId: usageItemId(region, key.keyId), lastUsedAt: at } }));
    }
    const listed = JSON.parse((await keys().run(["list", "--json"])).stdout);
    expect(listed).toEqual([expect.objectContaining({ keyId: key.keyId, lastUsedAt: "2026-11-25T11:30:00.000Z" })]);
    const mine = JSON.parse((await keys().run(["list", "--merchant", "merchant-1", "--json"])).stdout);
    expect(mine).toEqual([expect.objectContaining({ keyId: key.keyId, lastUsedAt: "2026-11-25T11:30:00.000Z" })]);
  });

  it("never shows a merchant's usage key reservation as a key, with or without --merchant", async () => {
    const key = await created("merchant-1");
    expect(await keys().table.reserved("merchant-1")).toBeDefined();
    for (const args of [[], ["--merchant", "merchant-1"]]) {
      const { code, stdout } = await keys().run(["list", ...args, "--json"]);
      expect(code).toBe(EXIT_CODES.ok);
      expect(JSON.parse(stdout).map((k: { keyId: string }) => k.keyId)).toEqual([key.keyId]);
    }
  });

  it("--merchant shows that merchant's keys only; --region dr reads the DR replica", async () => {
    const mine = await created("merchant-1");
    await created("merchant-2");
    const { code, stdout } = await keys().run(["list", "--merchant", "merchant-1", "--region", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout).map((k: { keyId: string }) => k.keyId)).toEqual([mine.keyId]);
    expect(keys().regions.filter((r) => r.service === "dynamodb").at(-1)).toEqual({ service: "dynamodb", region: DR });
  });
});

describe("revoke", () => {
  it("marks the key revoked at now, after which verifyApiKey refuses it, and says when it takes effect", async () => {
    const { apiKey, keyId } = await created("merchant-1");
    keys().now = new Date("2026-11-25T14:00:00.000Z");
    const { code, stdout } = await keys().run(["revoke", "--key-id", keyId]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toContain(`revoked API key ${keyId} of merchant merchant-1 at 2026-11-25T14:00:00.000Z`);
    expect(stdout).toMatch(/authorizer cache TTL \(payments-dr:authorizerCacheTtlSeconds, default 60 s\) plus global-table replication lag \(typically ~1 s\)/);
    const record = parseApiKeyRecord(await keys().table.item(keyId));
    expect(record).toMatchObject({ status: "revoked", revokedAt: "2026-11-25T14:00:00.000Z" });
    expect(verifyApiKey(parseApiKey(apiKey)!, record)).toBeUndefined();
  });

  it("writes both regions' copies (a stalled replication must not leave the key valid where traffic goes), and says what each did", async () => {
    const { keyId } = await created("merchant-1");
    keys().regions.length = 0;
    const { code, stdout } = await keys().run(["revoke", "--key-id", keyId]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(new Set(keys().regions.filter((r) => r.service === "dynamodb").map((r) => r.region))).toEqual(new Set([HOME, DR]));
    // The two regions share one table here: the second write finds it revoked already.
    expect(stdout).toMatch(new RegExp(`  ${HOME}: (revoked|already revoked), authorizer cache flushed\\n  ${DR}: (revoked|already revoked), authorizer cache flushed`));
  });

  it("a region that cannot be written: the other is revoked, exit 3, and the message says where the key is still valid", async () => {
    const { keyId } = await created("merchant-1");
    const unreachable = () => {
      throw Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" });
    };
    const { code, stdout, stderr } = await intercepting(DR, "UpdateItem", unreachable, () => keys().run(["revoke", "--key-id", keyId]));
    expect(code).toBe(EXIT_CODES.failed);
    // The region that was not written keeps its cache: a flush there would only re-cache the key as valid.
    expect(stdout).toMatch(new RegExp(`  ${HOME}: revoked, authorizer cache flushed\\n  ${DR}: failed \\(`));
    expect(keys().apiGateway.called("FlushStageAuthorizersCache").map((c) => c.region)).toEqual([HOME]);
    expect(stderr).toMatch(new RegExp(`keys: the key is still valid in ${DR} until replication delivers the revocation .* re-run with --region ${DR} once it answers`));
    expect((await keys().table.item(keyId))!.status).toBe("revoked");
  });

  it("a key that had not reached a region's copy: written again there once the writes have settled, and that cache flushed too (it arrives active, its revocation after it)", async () => {
    const { keyId } = await created("merchant-1");
    let arrived = false;
    keys().onPause = async () => {
      arrived = true;
    };
    const { code, stdout } = await notReplicatedIn(DR, keyId, () => arrived, () => keys().run(["revoke", "--key-id", keyId]));
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(new RegExp(`  ${HOME}: revoked, authorizer cache flushed\n  ${DR}: (already )?revoked, authorizer cache flushed`));
    expect(keys().apiGateway.called("FlushStageAuthorizersCache").map((c) => c.region).sort()).toEqual([HOME, DR].sort());
  });

  it("a key still not in a region's copy after the writes have settled: exit 3, and stderr says it will work there when it arrives and to re-run", async () => {
    const { keyId } = await created("merchant-1");
    const { code, stdout, stderr } = await notReplicatedIn(DR, keyId, () => false, () => keys().run(["revoke", "--key-id", keyId]));
    expect(code).toBe(EXIT_CODES.failed);
    expect(stdout).toMatch(new RegExp(`  ${HOME}: revoked, authorizer cache flushed\n  ${DR}: not there yet`));
    expect(stderr).toMatch(new RegExp(`keys: the key has not reached ${DR}'s copy of the table yet .* when it arrives, it works there until its revocation follows it, .* Re-run revoke once it has arrived`));
  });

  it("ends a cached key at once: once the writes have settled, flushes each region's stage authorizer cache (API Gateway kept serving a leaked key's cached Allow for the whole TTL)", async () => {
    const { keyId } = await created("merchant-1");
    let atPause: { status: unknown; flushes: number } | undefined;
    keys().onPause = async () => {
      atPause = { status: (await keys().table.item(keyId))!.status, flushes: keys().apiGateway.called("FlushStageAuthorizersCache").length };
    };
    const { code, stdout } = await keys().run(["revoke", "--key-id", keyId]);
    expect(code).toBe(EXIT_CODES.ok);
    // Flushed after the revocation is written and an eventually consistent read has had time to see it:
    // a flush before that would let the authorizer cache the key's old Allow again.
    // Past the authorizer's timeout: an Allow computed from a read before the writes has reached the cache by then.
    expect(keys().pauses).toEqual([REVOCATION_SETTLE_MS]);
    expect(REVOCATION_SETTLE_MS).toBeGreaterThan(AUTHORIZER_TIMEOUT_SECONDS * 1000);
    expect(atPause).toEqual({ status: "revoked", flushes: 0 });
    const flushes = keys().apiGateway.called("FlushStageAuthorizersCache").map((c) => ({ region: c.region, ...c.input }));
    expect(flushes).toEqual(
      expect.arrayContaining([
        { region: HOME, restApiId: outputs.primary.apiId, stageName: outputs.primary.apiStage },
        { region: DR, restApiId: outputs.dr.apiId, stageName: outputs.dr.apiStage },
      ]),
    );
    expect(flushes).toHaveLength(2);
    expect(stdout).toMatch(new RegExp(`  ${HOME}: (already )?revoked, authorizer cache flushed\n  ${DR}: (already )?revoked, authorizer cache flushed`));
  });

  it("--region flushes that region's cache only: the other gets the revocation by replication, later, and a flush now would change nothing", async () => {
    const { keyId } = await created("merchant-1");
    const { code } = await keys().run(["revoke", "--key-id", keyId, "--region", "dr"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(keys().apiGateway.called("FlushStageAuthorizersCache").map((c) => c.region)).toEqual([DR]);
  });

  it("a cache that cannot be flushed: the key is revoked, exit 3, and stderr says where it still works and until when", async () => {
    const { keyId } = await created("merchant-1");
    keys().apiGateway.fail(DR, "FlushStageAuthorizersCache", () => Object.assign(new Error("User is not authorized to perform: apigateway:DELETE"), { name: "AccessDeniedException" }));
    const { code, stdout, stderr } = await keys().run(["revoke", "--key-id", keyId]);
    expect(code).toBe(EXIT_CODES.failed);
    expect((await keys().table.item(keyId))!.status).toBe("revoked");
    expect(stdout).toMatch(new RegExp(`  ${HOME}: revoked, authorizer cache flushed\\n  ${DR}: (already )?revoked, authorizer cache NOT flushed \\(FlushStageAuthorizersCache in ${DR} .*not authorized`));
    expect(stderr).toMatch(new RegExp(`keys: the key may keep working in ${DR} for up to the authorizer cache TTL .*flush-stage-authorizers-cache --rest-api-id ${outputs.dr.apiId} --stage-name ${outputs.dr.apiStage} --region ${DR}`));
  });

  it("a re-run after a failed flush flushes again, though the key is already revoked everywhere (the stderr advice: re-run revoke)", async () => {
    const { keyId } = await created("merchant-1");
    keys().apiGateway.fail(DR, "FlushStageAuthorizersCache", () => Object.assign(new Error("User is not authorized to perform: apigateway:DELETE"), { name: "AccessDeniedException" }));
    expect((await keys().run(["revoke", "--key-id", keyId])).code).toBe(EXIT_CODES.failed);
    keys().apiGateway.fail(DR, "FlushStageAuthorizersCache", () => undefined);
    keys().now = new Date(keys().now.getTime() + 60_000);
    const flushedBefore = keys().apiGateway.called("FlushStageAuthorizersCache").filter((c) => c.region === DR).length;
    const { code, stdout } = await keys().run(["revoke", "--key-id", keyId]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(new RegExp(`  ${DR}: already revoked, authorizer cache flushed`));
    expect(keys().apiGateway.called("FlushStageAuthorizersCache").filter((c) => c.region === DR)).toHaveLength(flushedBefore + 1);
  });

  it("does not flush when no region holds the key (nothing was revoked)", async () => {
    const { code } = await keys().run(["revoke", "--key-id", "0123456789abcdef"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(keys().apiGateway.called("FlushStageAuthorizersCache")).toEqual([]);
  });

  it("writes the chosen region's replica: --region dr uses a DynamoDB client of the DR region only", async () => {
    const { keyId } = await created("merchant-1");
    keys().regions.length = 0;
    const { code } = await keys().run(["revoke", "--key-id", keyId, "--region", "dr"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(keys().regions.filter((r) => r.service === "dynamodb").map((r) => r.region)).toEqual([DR]);
  });

  it("an already revoked key: says so, exit 0, the first revocation time is kept", async () => {
    const { keyId } = await created("merchant-1");
    await keys().run(["revoke", "--key-id", keyId]);
    keys().now = new Date("2026-11-26T09:00:00.000Z");
    // After the conditional update fails, the key is read strongly consistently: a stale read could take a key
    // revoked a moment ago for an unknown one, or for one that changed meanwhile.
    const reads: Record<string, unknown>[] = [];
    const { code, stdout } = await intercepting(HOME, "GetItem", (input) => reads.push(input), () => keys().run(["revoke", "--key-id", keyId, "--json"]));
    expect(reads).toEqual([expect.objectContaining({ ConsistentRead: true })]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout)).toMatchObject({ alreadyRevoked: true, key: { keyId, status: "revoked", revokedAt: NOW.toISOString() } });
    expect((await keys().table.item(keyId))!.revokedAt).toBe(NOW.toISOString());
  });

  it("a revocation whose answer was lost and that the SDK retried: the retry finds our own revocation, reported as revoked, not 'already revoked; nothing changed'", async () => {
    const { keyId } = await created("merchant-1");
    keys().now = new Date("2026-11-25T14:00:00.000Z");
    const client = keys().table.clientIn(HOME);
    let lost = false;
    // Below the SDK's retries: the first UpdateItem reaches the table, then its answer is lost.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "UpdateItemCommand" && !lost) {
          lost = true;
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", $metadata: {} });
        }
        return out;
      },
      { step: "deserialize", name: "keysTestLoseAnswer" },
    );
    try {
      const { code, stdout } = await keys().run(["revoke", "--key-id", keyId, "--region", "primary"]);
      expect(lost).toBe(true);
      expect(code).toBe(EXIT_CODES.ok);
      expect(stdout).toContain(`revoked API key ${keyId} of merchant merchant-1 at 2026-11-25T14:00:00.000Z`);
      expect(stdout).toMatch(new RegExp(`  ${HOME}: revoked, authorizer cache flushed`));
      expect(stdout).not.toMatch(/already revoked|nothing changed/);
    } finally {
      client.middlewareStack.remove("keysTestLoseAnswer");
    }
  });

  it("an unknown key: exit 2 with a clear message, nothing written", async () => {
    await created("merchant-1");
    const before = await keys().table.items();
    const { code, stderr } = await keys().run(["revoke", "--key-id", "0123456789abcdef"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toBe("keys: no API key 0123456789abcdef in payments-dr-api-keys-dev (us-east-1, us-east-2); nothing changed");
    expect(await keys().table.items()).toEqual(before);
  });

  it("a key pasted into another option (a stray space, a Bearer prefix, quotes): refused without echoing its secret", async () => {
    const { apiKey } = await created("merchant-1");
    const secret = parseApiKey(apiKey)!.secret;
    for (const value of [` ${apiKey}`, `${apiKey}\n`, `Bearer ${apiKey}`, `"${apiKey}"`]) {
      for (const args of [["list", "--merchant", value], ["create", "--merchant", value], ["list", "--region", value]]) {
        const { code, stdout, stderr } = await keys().run(args);
        expect(code).toBe(EXIT_CODES.refused);
        expect(stdout + stderr).not.toContain(secret);
      }
    }
  });

  it("a whole key passed as --key-id: refused without echoing its secret, the key id named", async () => {
    const { apiKey, keyId } = await created("merchant-1");
    const { code, stdout, stderr } = await keys().run(["revoke", "--key-id", apiKey]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toBe(`keys: --key-id got a whole API key: pass only its key id, ${keyId}`);
    expect(stdout + stderr).not.toContain(parseApiKey(apiKey)!.secret);
    expect((await keys().table.item(keyId))!.status).toBe("active");
  });

  // A leaked key whose revocation reached no region must not read as "no such key; nothing to do" (exit 2).
  it("a revocation that no region could write is exit 3 naming each region's error, not an unknown key", async () => {
    const { keyId } = await created("merchant-1");
    for (const region of [HOME, DR]) {
      keys().table.clientIn(region).middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "UpdateItemCommand") throw Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" });
          return next(args);
        },
        { step: "serialize", name: "keysTestUnreachable" },
      );
    }
    try {
      const { code, stderr } = await keys().run(["revoke", "--key-id", keyId]);
      expect(code).toBe(EXIT_CODES.failed);
      expect(stderr).toMatch(new RegExp(`^keys: could not revoke ${keyId}: .*${HOME}.*ETIMEDOUT.*; .*${DR}.*ETIMEDOUT`));
      expect(keys().apiGateway.called("FlushStageAuthorizersCache")).toEqual([]);
    } finally {
      for (const region of [HOME, DR]) keys().table.clientIn(region).middlewareStack.remove("keysTestUnreachable");
    }
    expect((await keys().table.item(keyId))!.status).toBe("active");
  });
});

describe("cli", () => {
  it("--help of every command lists the exit codes; revoke's states the revocation delay", async () => {
    for (const command of [[], ["create"], ["list"], ["revoke"]]) {
      const { code, stdout } = await keys().run([...command, "--help"]);
      expect(code).toBe(EXIT_CODES.ok);
      expect(stdout).toMatch(/2 {2}refused/);
    }
    expect((await keys().run(["revoke", "--help"])).stdout).toMatch(/authorizerCacheTtlSeconds/);
  });

  it("refuses an option of another command and stray arguments, echoing neither value", async () => {
    expect(await keys().run(["list", "--key-id", "0123456789abcdef"])).toMatchObject({ code: EXIT_CODES.refused, stderr: "keys: list takes no --key-id (keys list --help)" });
    const stray = await keys().run(["revoke", "pdr_0123456789abcdef_secretsecretsecretsecretsecretsecretsecret1"]);
    expect(stray).toMatchObject({ code: EXIT_CODES.refused, stderr: "keys: unexpected arguments after revoke (keys --help)" });
  });

  it("an unknown command is refused without echoing it when it could be a pasted API key", async () => {
    const apiKey = `pdr_0123456789abcdef_${"s".repeat(43)}`;
    expect(await keys().run([apiKey])).toMatchObject({ code: EXIT_CODES.refused, stdout: "", stderr: "keys: unknown command (keys --help)" });
    expect(await keys().run(["rotate"])).toMatchObject({ code: EXIT_CODES.refused, stderr: "keys: unknown command rotate (keys --help)" });
  });

  it("an unexpected error (not an AWS answer) still ends with exit 3 and one line, never 0", async () => {
    const stderr: string[] = [];
    const clients = testClients(keys().table, []);
    const code = await run(["list", "--outputs", outputsDir()], {
      workspace: "/nonexistent",
      stdout: () => undefined,
      stderr: (t) => stderr.push(t),
      clients: {
        ...clients,
        dynamodb: () => {
          throw new TypeError("Could not load credentials from any providers");
        },
      },
    });
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr).toEqual(["keys: TypeError: Could not load credentials from any providers"]);
  });

  it("refuses outputs of the DR stack that lack its API's id and stage or its usage plan, before any AWS call", async () => {
    const dir = stackOutputsDir({ "primary-region": outputs.primary, "dr-region": { region: DR, apiName: outputs.dr.apiName } });
    const stderr: string[] = [];
    const regions: { service: string; region: string }[] = [];
    const code = await run(["sync", "--outputs", dir], { workspace: "/nonexistent", stdout: () => undefined, stderr: (t) => stderr.push(t), clients: testClients(keys().table, regions) });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toEqual(["keys: the apps/dr-region outputs lack apiId, apiStage, usagePlanId: deploy that stack first"]);
    expect(regions).toEqual([]);
  });

  it("without --outputs and without the Pulumi CLI, says in one line to use --outputs", async () => {
    const path0 = process.env.PATH;
    process.env.PATH = "";
    const stderr: string[] = [];
    try {
      const code = await run(["list"], { workspace: outputsDir(), stdout: () => undefined, stderr: (t) => stderr.push(t) });
      expect(code).toBe(EXIT_CODES.refused);
    } finally {
      process.env.PATH = path0;
    }
    expect(stderr).toEqual(["keys: the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json and dr-region.json"]);
  });

  it("reads the two regional stacks' outputs with `pulumi stack output --json` and refuses missing fields", async () => {
    const asked: { args: readonly string[]; cwd: string }[] = [];
    const stderr: string[] = [];
    const code = await run(["list", "--stack", "prod"], {
      workspace: "/ws",
      stdout: () => undefined,
      stderr: (t) => stderr.push(t),
      runPulumi: async (args, cwd) => {
        asked.push({ args, cwd });
        return JSON.stringify({ region: HOME, apiName: "api" });
      },
    });
    expect(code).toBe(EXIT_CODES.refused);
    expect(asked).toEqual([
      { args: ["stack", "output", "--json", "--stack", "prod"], cwd: "/ws/apps/primary-region" },
      { args: ["stack", "output", "--json", "--stack", "prod"], cwd: "/ws/apps/dr-region" },
    ]);
    expect(stderr).toEqual(["keys: the apps/primary-region outputs lack apiId, apiStage, usagePlanId, apiKeysTableName: deploy that stack first"]);
  });
});
