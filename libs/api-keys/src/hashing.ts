import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const SALT_BYTES = 16;

/** A new per-key salt, base64. */
export function newSalt(): string {
  return randomBytes(SALT_BYTES).toString("base64");
}

/**
 * SHA-256 of salt ‖ secret, hex. A fast hash is enough here: the secret is 256 random bits,
 * so there is nothing to brute-force that a slow KDF would protect; the salt keeps equal
 * secrets (there are none) and precomputed tables from mattering.
 */
export function hashSecret(secret: string, salt: string): string {
  return createHash("sha256").update(Buffer.from(salt, "base64")).update(secret, "utf8").digest("hex");
}

/** Whether `secret` hashes to `expectedHash`, compared in constant time. */
export function secretMatches(secret: string, salt: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret, salt), "hex");
  const expected = Buffer.from(expectedHash, "hex");
  // A stored hash of the wrong length is corrupt; its length is not a secret of the caller's.
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(actual, expected);
}
