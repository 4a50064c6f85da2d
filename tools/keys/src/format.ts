import { orDash, table } from "@payments-dr/cli-support";
import { REVOCATION_DELAY } from "./args";
import type { CreatedKey, KeyList, Revocation } from "./commands";
import type { RegionSync, SyncAction, SyncResult } from "./sync";

const SHOWN_ONCE = "Store it now: it cannot be shown again (only a salted hash of its secret is kept).";

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

/** A table value as the terminal should show it: control characters (a hand-edited item's newlines, escape sequences) escaped. */
function printable(value: string): string {
  return value.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function formatList(list: KeyList): string {
  const rows = list.keys.map((k) => [k.keyId, k.merchantId, k.status, orDash(k.label), k.createdAt, orDash(k.lastUsedAt), orDash(k.revokedAt)].map(printable));
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
    : `revoked API key ${key.keyId} of merchant ${key.merchantId} at ${orDash(key.revokedAt)} in ${result.table}`;
  const cache = (r: Revocation["regions"][number]) =>
    r.cacheFlushed === undefined ? "" : r.cacheFlushed ? ", authorizer cache flushed" : `, authorizer cache NOT flushed (${r.cacheError})`;
  const regions = result.regions.map((r) => `  ${r.region}: ${r.outcome}${cache(r)}${r.error ? ` (${r.error})` : ""}`);
  return [head, ...regions, `Note: ${REVOCATION_DELAY}.`].join("\n");
}

export function revocationJson(result: Revocation): Record<string, unknown> {
  return { ...result, note: REVOCATION_DELAY };
}

const SYNC_ACTIONS: readonly SyncAction[] = ["added", "removed", "kept", "fine", "refused"];

/** How many rows of each action a region has. */
function syncCounts(region: RegionSync): Record<SyncAction, number> {
  return Object.fromEntries(SYNC_ACTIONS.map((a) => [a, region.rows.filter((r) => r.action === a).length])) as Record<SyncAction, number>;
}

/** Whether a sync changed (or, dry, would change) anything. */
function syncChanges(result: SyncResult): boolean {
  return result.regions.some((r) => r.rows.some((row) => row.action === "added" || row.action === "removed"));
}

export function formatSync(result: SyncResult): string {
  const shown: Record<SyncAction, string> = result.dryRun
    ? { added: "would add", removed: "would remove", kept: "not removed", fine: "already fine", refused: "refused" }
    : { added: "added", removed: "removed", kept: "not removed", fine: "already fine", refused: "refused" };
  const rows = result.regions.flatMap((r) => r.rows.map((row) => [r.region, r.usagePlanId, row.merchantId, shown[row.action], row.name, orDash(row.apiKeyId), row.detail]));
  const summary = result.regions.map((r) => {
    const n = syncCounts(r);
    const counts = `${n.added} ${shown.added}, ${n.removed} ${shown.removed}, ${n.fine} already fine, ${n.refused} refused${n.kept > 0 ? `, ${n.kept} not removed` : ""}`;
    return `${r.region} (usage plan ${r.usagePlanId}): ${counts}${r.error ? `; FAILED: ${r.error}` : ""}`;
  });
  const changes = syncChanges(result);
  const kept = result.regions.reduce((n, r) => n + syncCounts(r).kept, 0);
  const refused = result.regions.reduce((n, r) => n + syncCounts(r).refused, 0);
  const last = result.dryRun
    ? `dry run: nothing was changed${changes ? "" : ", and nothing would be"}`
    : changes
      ? "done"
      : refused > 0
        ? `nothing changed; ${refused} merchant row${refused === 1 ? " was" : "s were"} refused (see the table): their usage plans are not as they should be`
        : kept > 0
          ? `nothing changed; ${kept} usage key${kept === 1 ? "" : "s"} that would be removed ${kept === 1 ? "was" : "were"} kept (see the table)`
          : "nothing to change: every usage plan already holds the usage key of every merchant with an active key, and none that only revoked keys use";
  const skipped = result.skipped.map((s) => `  ${s.keyId ?? "(no valid key id)"}${s.merchantId === undefined ? "" : ` (merchant ${s.merchantId})`}: ${s.problem}`);
  return [
    rows.length > 0 ? table(["region", "usage plan", "merchant", "action", "usage key", "id", "detail"], rows) : "no merchant keys in the table",
    "",
    `keys read from ${result.table} (${result.tableRegion})`,
    ...(result.fallback
      ? [`  the primary's replica did not answer (${result.fallback}): read the DR replica instead, so usage keys are only added, never removed; re-run once the primary answers`]
      : []),
    ...(skipped.length > 0 ? [`${skipped.length} table item${skipped.length === 1 ? "" : "s"} skipped (invalid, never acted on):`, ...skipped] : []),
    ...summary,
    `${last}${result.regions.some((r) => r.error) ? " (with failures, above)" : ""}`,
  ].join("\n");
}

/** `--json` of sync: the rows, and each region's counts. */
export function syncJson(result: SyncResult): Record<string, unknown> {
  return { ...result, changed: !result.dryRun && syncChanges(result), regions: result.regions.map((r) => ({ ...r, counts: syncCounts(r) })) };
}
