import * as v from "valibot";
import { hashSecret, newSalt, secretMatches } from "./hashing";
import { generateApiKey, KEY_ID_PATTERN, type ApiKeyParts } from "./key-format";

/** Merchant ids: what the authorizer passes on and what payments are scoped by. */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** Why a merchant id is refused, or undefined when it is fine. */
export function merchantIdProblem(merchantId: string): string | undefined {
  return MERCHANT_ID_PATTERN.test(merchantId) ? undefined : "must be 3-64 characters: letters, digits, '_' or '-', starting with a letter or digit";
}

/** The partition key of the API keys table. */
export const API_KEYS_TABLE_KEY = "keyId";

type ApiKeyStatus = "active" | "revoked";

/** One API key as the keys table stores it: never the secret, only its salted hash. */
export interface ApiKeyRecord {
  keyId: string;
  merchantId: string;
  /** base64, 16 random bytes. */
  salt: string;
  /** hex SHA-256 of salt ‖ secret. */
  secretHash: string;
  status: ApiKeyStatus;
  /** ISO 8601. */
  createdAt: string;
  revokedAt?: string;
  /** A human note, e.g. "checkout backend". */
  label?: string;
  /** The merchant's API Gateway usage-plan key value (not a credential): its per-merchant limits. */
  usageKey?: string;
}

const recordSchema = v.object({
  keyId: v.pipe(v.string(), v.regex(KEY_ID_PATTERN)),
  merchantId: v.pipe(v.string(), v.regex(MERCHANT_ID_PATTERN)),
  salt: v.pipe(v.string(), v.minLength(1)),
  secretHash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  status: v.picklist(["active", "revoked"]),
  createdAt: v.string(),
  revokedAt: v.optional(v.string()),
  label: v.optional(v.string()),
  usageKey: v.optional(v.string()),
});

/** A table item as a record, or undefined when it is missing or malformed (treated as no key). */
export function parseApiKeyRecord(item: unknown): ApiKeyRecord | undefined {
  const parsed = v.safeParse(recordSchema, item);
  return parsed.success ? parsed.output : undefined;
}

/** Input of {@link newApiKey}. */
export interface NewApiKeyInput {
  merchantId: string;
  label?: string;
  usageKey?: string;
  now?: Date;
}

/** A new key: the API key to show once, and the record to store. @throws for a bad merchant id. */
export function newApiKey(input: NewApiKeyInput): { apiKey: string; record: ApiKeyRecord } {
  const problem = merchantIdProblem(input.merchantId);
  if (problem) throw new Error(`merchant id "${input.merchantId}" ${problem}`);
  const { keyId, secret, apiKey } = generateApiKey();
  const salt = newSalt();
  const record: ApiKeyRecord = {
    keyId,
    merchantId: input.merchantId,
    salt,
    secretHash: hashSecret(secret, salt),
    status: "active",
    createdAt: (input.now ?? new Date()).toISOString(),
    ...(input.label ? { label: input.label } : {}),
    ...(input.usageKey ? { usageKey: input.usageKey } : {}),
  };
  return { apiKey, record };
}

// Compared against when the key id is unknown, so an unknown id costs the same hash and
// comparison as a known one with a wrong secret.
const UNKNOWN_KEY = { salt: newSalt(), secretHash: "0".repeat(64) };

/**
 * The record `parts` authenticate as: found, active and with a matching secret. Undefined
 * otherwise, and every "no" takes the same work: one hash, one constant-time comparison.
 */
export function verifyApiKey(parts: ApiKeyParts, record: ApiKeyRecord | undefined): ApiKeyRecord | undefined {
  const against = record && record.keyId === parts.keyId ? record : UNKNOWN_KEY;
  const matches = secretMatches(parts.secret, against.salt, against.secretHash);
  return matches && record && record.status === "active" ? record : undefined;
}
