import { reservationItemId } from "@payments-dr/api-keys";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { apiKeysIn, useKeysHarness } from "./test-support";

const keys = useKeysHarness();

it("a merchant's usage key reservation holding no valid value (a hand edit) fails create (exit 3) naming the item to delete, and prints no key", async () => {
  await keys().table.put({ keyId: reservationItemId("merchant-1"), usageKey: 42 });
  const { code, stdout, stderr } = await keys().run(["create", "--merchant", "merchant-1"]);
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr).toMatch(new RegExp(`usage key reservation of merchant merchant-1 in \\S+ \\(us-east-1\\) holds no valid usage key value: delete the item ${reservationItemId("merchant-1")}, then re-run`));
  expect(apiKeysIn(stdout)).toEqual([]);
});
