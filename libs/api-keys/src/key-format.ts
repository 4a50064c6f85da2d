import { randomBytes } from "node:crypto";

/** Every API key starts with this, so secret scanners and humans can tell what leaked. */
export const API_KEY_PREFIX = "pdr_";

/**
 * `pdr_<keyId>_<secret>`: the key id (8 random bytes, hex) is the table's partition key and may
 * be shown and logged; the secret (32 random bytes, base64url) is shown once and never stored.
 * Both parts have fixed lengths, so the `_` inside base64url cannot make the split ambiguous.
 */
const API_KEY_SHAPE = `${API_KEY_PREFIX}([0-9a-f]{16})_([A-Za-z0-9_-]{43})`;
const API_KEY_PATTERN = new RegExp(`^${API_KEY_SHAPE}$`);

/**
 * Every API key anywhere in a text (group 1: its key id), for redaction: a new RegExp each call,
 * since a global one carries its position from one search to the next.
 */
export function apiKeysIn(): RegExp {
  return new RegExp(API_KEY_SHAPE, "g");
}
const KEY_ID_BYTES = 8;
const SECRET_BYTES = 32;

/** A key id alone (the table's partition key), as `keys revoke --key-id` takes it. */
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/** The two halves of an API key. */
export interface ApiKeyParts {
  keyId: string;
  secret: string;
}

/** A new random API key and its parts. */
export function generateApiKey(): ApiKeyParts & { apiKey: string } {
  const keyId = randomBytes(KEY_ID_BYTES).toString("hex");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { keyId, secret, apiKey: `${API_KEY_PREFIX}${keyId}_${secret}` };
}

/** The parts of a well-formed API key, or undefined for anything else. */
export function parseApiKey(value: string): ApiKeyParts | undefined {
  const match = API_KEY_PATTERN.exec(value);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110 §11.1), or undefined. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (typeof header !== "string") return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1];
}
