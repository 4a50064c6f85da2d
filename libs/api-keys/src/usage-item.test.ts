import { parseApiKeyRecord } from "./record";
import { KEY_ID_PATTERN } from "./key-format";
import { parseUsageItemId, usageItemId, USAGE_ITEM_PREFIX } from "./usage-item";

describe("usage items", () => {
  const keyId = "0123456789abcdef";

  it("name the region and the key, and read back", () => {
    expect(usageItemId("us-east-2", keyId)).toBe(`${USAGE_ITEM_PREFIX}us-east-2#${keyId}`);
    expect(parseUsageItemId(usageItemId("us-east-2", keyId))).toEqual({ region: "us-east-2", keyId });
  });

  it("are never a key id: the authorizer cannot take one for a key, nor a usage write reach a key's item", () => {
    expect(KEY_ID_PATTERN.test(usageItemId("us-east-1", keyId))).toBe(false);
    expect(parseApiKeyRecord({ keyId: usageItemId("us-east-1", keyId), lastUsedAt: "2026-01-01T00:00:00.000Z" })).toBeUndefined();
  });

  it("are told apart from key items and from anything malformed", () => {
    expect(parseUsageItemId(keyId)).toBeUndefined();
    expect(parseUsageItemId(`${USAGE_ITEM_PREFIX}us-east-1#not-a-key`)).toBeUndefined();
    expect(parseUsageItemId(`${USAGE_ITEM_PREFIX}#${keyId}`)).toBeUndefined();
  });
});
