import { orDash, table } from "@payments-dr/cli-support";
import { REVOCATION_DELAY } from "./args";
import type { CreatedKey, KeyList, Revocation } from "./commands";

export const SHOWN_ONCE = "Store it now: it cannot be shown again (only a salted hash of its secret is kept).";

/** The one place the API key is printed. */
export function formatCreated(created: CreatedKey): string {
  return [
    `merchant  ${created.merchantId}`,
    `key id    ${created.keyId}`,
    ...(created.label === undefined ? [] : [`label     ${created.label}`]),
    `created   ${created.createdAt} in ${created.table} (${created.region})`,
    `usage     ${created.usageKeys.map((u) => `${u.name} (${u.region})`).join(", ")}`,
    "",
    "API key:",
    "",
    `  ${created.apiKey}`,
    "",
    SHOWN_ONCE,
    "Callers send it as: Authorization: Bearer <key>",
  ].join("\n");
}

/** `--json` of create: the key once, with what it is for. */
export function createdJson(created: CreatedKey): Record<string, unknown> {
  return { ...created, note: SHOWN_ONCE };
}

export function formatList(list: KeyList): string {
  const rows = list.keys.map((k) => [k.keyId, k.merchantId, k.status, orDash(k.label), k.createdAt, orDash(k.lastUsedAt), orDash(k.revokedAt)]);
  return [
    table(["key id", "merchant", "status", "label", "created", "last used", "revoked"], rows),
    "",
    `${list.keys.length} key${list.keys.length === 1 ? "" : "s"} in ${list.table} (${list.region}); last used is approximate (written at most every 5 minutes per key)`,
  ].join("\n");
}

export function formatRevocation(result: Revocation): string {
  const { key } = result;
  const head = result.alreadyRevoked
    ? `API key ${key.keyId} of merchant ${key.merchantId} was already revoked at ${orDash(key.revokedAt)}; nothing changed`
    : `revoked API key ${key.keyId} of merchant ${key.merchantId} at ${orDash(key.revokedAt)} in ${result.table} (${result.region})`;
  return `${head}\nNote: ${REVOCATION_DELAY}.`;
}

export function revocationJson(result: Revocation): Record<string, unknown> {
  return { ...result, note: REVOCATION_DELAY };
}
