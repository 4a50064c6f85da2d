// Merchant API keys: their format, hashing and stored record, shared by the authorizer (in
// libs/payment-lambda) and the key management CLI (tools/keys). Only node:crypto and valibot.
export { AUTHORIZER_CONTEXT, AUTHORIZER_TIMEOUT_SECONDS } from "./authorizer-context";
export { apiKeysIn, bearerToken, KEY_ID_PATTERN, parseApiKey, type ApiKeyParts } from "./key-format";
export {
  API_KEYS_TABLE_KEY,
  MERCHANT_ID_PATTERN,
  merchantIdProblem,
  newApiKey,
  parseApiKeyRecord,
  verifyApiKey,
  type ApiKeyRecord,
} from "./record";
export { RESERVATION_ITEM_PREFIX, reservationItemId } from "./reservation-item";
export { LAST_USED_AT_ATTRIBUTE, parseUsageItemId, usageItemId, USAGE_ITEM_PREFIX } from "./usage-item";
