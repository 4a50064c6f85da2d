import { parseApiKey, parseApiKeyRecord, verifyApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, HOME, useKeysHarness } from "./test-support";

const keys = useKeysHarness();

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
