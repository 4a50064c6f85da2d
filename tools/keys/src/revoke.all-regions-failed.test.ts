import { parseApiKey } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, DR, HOME, useKeysHarness } from "./test-support";

const keys = useKeysHarness();

// A leaked key whose revocation reached no region must not read as "no such key; nothing to do" (exit 2).
it("a revocation that no region could write is exit 3 naming each region's error, not an unknown key", async () => {
  const created = await keys().run(["create", "--merchant", "merchant-1"]);
  const keyId = parseApiKey(apiKeysIn(created.stdout)[0]!)!.keyId;
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
