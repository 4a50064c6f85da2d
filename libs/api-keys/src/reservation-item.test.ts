import { KEY_ID_PATTERN } from "./key-format";
import { parseApiKeyRecord } from "./record";
import { reservationItemId, RESERVATION_ITEM_PREFIX } from "./reservation-item";
import { USAGE_ITEM_PREFIX } from "./usage-item";

describe("usage key reservations", () => {
  it("name the merchant", () => {
    expect(reservationItemId("merchant-1")).toBe(`${RESERVATION_ITEM_PREFIX}merchant-1`);
  });

  it("are never a key: no key id, so the authorizer cannot look one up, nor take one for a record", () => {
    // A merchant id of 16 hex characters is a valid merchant id: its reservation is still no key id.
    for (const merchantId of ["merchant-1", "0123456789abcdef"]) {
      const id = reservationItemId(merchantId);
      expect(KEY_ID_PATTERN.test(id)).toBe(false);
      expect(parseApiKeyRecord({ keyId: id, usageKey: "a".repeat(40), reservedAt: "2026-01-01T00:00:00.000Z" })).toBeUndefined();
    }
  });

  it("are no usage items either", () => {
    expect(RESERVATION_ITEM_PREFIX.startsWith(USAGE_ITEM_PREFIX) || USAGE_ITEM_PREFIX.startsWith(RESERVATION_ITEM_PREFIX)).toBe(false);
  });
});
