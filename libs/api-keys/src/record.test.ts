import { timingSafeEqual } from "node:crypto";
import { hashSecret, secretMatches } from "./hashing";
import { parseApiKey } from "./key-format";
import { newApiKey, parseApiKeyRecord, verifyApiKey, type ApiKeyRecord } from "./record";

// The real comparison, observed: how many constant-time comparisons each answer costs.
jest.mock("node:crypto", () => {
  const actual = jest.requireActual<typeof import("node:crypto")>("node:crypto");
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

describe("API key records", () => {
  const created = newApiKey({ merchantId: "merchant-1", label: "checkout", now: new Date("2026-11-25T12:00:00Z") });
  const parts = parseApiKey(created.apiKey)!;

  it("stores a salted hash, never the secret", () => {
    const { record } = created;
    expect(record).toMatchObject({ keyId: parts.keyId, merchantId: "merchant-1", status: "active", createdAt: "2026-11-25T12:00:00.000Z", label: "checkout" });
    expect(JSON.stringify(record)).not.toContain(parts.secret);
    expect(record.secretHash).toBe(hashSecret(parts.secret, record.salt));
  });

  it("salts every key differently", () => {
    const other = newApiKey({ merchantId: "merchant-1" }).record;
    expect(other.salt).not.toBe(created.record.salt);
    expect(hashSecret(parts.secret, other.salt)).not.toBe(created.record.secretHash);
  });

  it("refuses a bad merchant id, naming it", () => {
    expect(() => newApiKey({ merchantId: "a b" })).toThrow('merchant id "a b" must be 3-64 characters');
  });

  // The authorizer answers it as usageIdentifierKey: without it the merchant's usage plan (its limits) does not apply.
  it("stores the merchant's usage-plan key when given one, and reads it back", () => {
    const { record } = newApiKey({ merchantId: "merchant-1", usageKey: "usage-merchant-1-0123456789" });
    expect(record.usageKey).toBe("usage-merchant-1-0123456789");
    expect(parseApiKeyRecord(JSON.parse(JSON.stringify(record)))?.usageKey).toBe("usage-merchant-1-0123456789");
    expect(created.record).not.toHaveProperty("usageKey");
  });

  it("round-trips a record through the table's item shape", () => {
    expect(parseApiKeyRecord(JSON.parse(JSON.stringify(created.record)))).toEqual(created.record);
  });

  it.each([
    ["missing", undefined],
    ["no hash", { ...created.record, secretHash: undefined }],
    ["unknown status", { ...created.record, status: "paused" }],
    ["bad merchant id", { ...created.record, merchantId: "" }],
  ])("treats a malformed item as no key (%s)", (_, item) => {
    expect(parseApiKeyRecord(item)).toBeUndefined();
  });

  it("authenticates the right secret of an active key", () => {
    expect(verifyApiKey(parts, created.record)).toBe(created.record);
  });

  it("refuses a wrong secret, an unknown key and a revoked key", () => {
    const wrongSecret = { ...parts, secret: parts.secret.replace(/^./, (c) => (c === "A" ? "B" : "A")) };
    const revoked: ApiKeyRecord = { ...created.record, status: "revoked", revokedAt: "2026-11-25T13:00:00Z" };
    expect(verifyApiKey(wrongSecret, created.record)).toBeUndefined();
    expect(verifyApiKey(parts, undefined)).toBeUndefined();
    expect(verifyApiKey(parts, revoked)).toBeUndefined();
    expect(verifyApiKey({ ...parts, keyId: "0".repeat(16) }, created.record)).toBeUndefined();
  });

  it("does the same constant-time work for every answer (unknown, wrong, revoked, right)", () => {
    const compare = jest.mocked(timingSafeEqual);
    const revoked: ApiKeyRecord = { ...created.record, status: "revoked" };
    const cases: [typeof parts, ApiKeyRecord | undefined][] = [
      [parts, undefined],
      [{ ...parts, secret: "x".repeat(43) }, created.record],
      [parts, revoked],
      [parts, created.record],
    ];
    for (const [presented, record] of cases) {
      compare.mockClear();
      verifyApiKey(presented, record);
      expect(compare).toHaveBeenCalledTimes(1);
      const [a, b] = compare.mock.calls[0]!;
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it("never throws on a corrupt stored hash", () => {
    expect(secretMatches(parts.secret, created.record.salt, "abc")).toBe(false);
  });
});
