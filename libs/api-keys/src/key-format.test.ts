import crypto from "node:crypto";
import { API_KEY_PREFIX, apiKeysIn, bearerToken, generateApiKey, parseApiKey } from "./key-format";

describe("API key format", () => {
  it("generates keys that parse back into their parts", () => {
    for (let i = 0; i < 200; i++) {
      const { keyId, secret, apiKey } = generateApiKey();
      expect(apiKey.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(parseApiKey(apiKey)).toEqual({ keyId, secret });
    }
  });

  it("draws the key id and the secret separately (8 and 32 random bytes): the id, shown and logged, tells nothing of the secret", () => {
    const draws: Buffer[] = [];
    const spy = jest.spyOn(crypto, "randomBytes").mockImplementation(((size: number) => {
      const bytes = Buffer.alloc(size, draws.length + 1);
      draws.push(bytes);
      return bytes;
    }) as typeof crypto.randomBytes);
    try {
      const { keyId, secret } = generateApiKey();
      expect(draws.map((d) => d.length)).toEqual([8, 32]);
      expect(keyId).toBe(draws[0]!.toString("hex"));
      expect(Buffer.from(secret, "base64url")).toEqual(draws[1]);
    } finally {
      spy.mockRestore();
    }
  });

  it("generates a different key every time", () => {
    const keys = new Set(Array.from({ length: 500 }, () => generateApiKey().apiKey));
    expect(keys.size).toBe(500);
  });

  it.each([
    ["empty", ""],
    ["no prefix", `${"a".repeat(16)}_${"b".repeat(43)}`],
    ["other prefix", `sk_${"a".repeat(16)}_${"b".repeat(43)}`],
    ["short key id", `pdr_${"a".repeat(15)}_${"b".repeat(43)}`],
    ["upper-case key id", `pdr_${"A".repeat(16)}_${"b".repeat(43)}`],
    ["short secret", `pdr_${"a".repeat(16)}_${"b".repeat(42)}`],
    ["long secret", `pdr_${"a".repeat(16)}_${"b".repeat(44)}`],
    ["padding in the secret", `pdr_${"a".repeat(16)}_${"b".repeat(42)}=`],
    ["trailing newline", `pdr_${"a".repeat(16)}_${"b".repeat(43)}\n`],
  ])("refuses a malformed key (%s)", (_, value) => {
    expect(parseApiKey(value)).toBeUndefined();
  });

  it("reads the token of a Bearer header, whatever the scheme's case", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("BEARER  abc ")).toBe("abc");
  });

  it.each([[undefined], [null], [""], ["Bearer"], ["Bearer "], ["Basic abc"], ["Bearer a b"], ["abc"]])("finds no token in %p", (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  it("finds every key of this format inside a text, with its key id (what the keys CLI redacts), and nothing shorter", () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const text = `label "${a.apiKey}" and ${b.apiKey}, then pdr_${a.keyId}_short`;
    expect([...text.matchAll(apiKeysIn())].map((match) => match[1])).toEqual([a.keyId, b.keyId]);
    expect(text.replace(apiKeysIn(), "[key]")).toBe(`label "[key]" and [key], then pdr_${a.keyId}_short`);
  });
});
