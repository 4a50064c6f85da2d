import { DeleteUsagePlanKeyCommand, GetUsagePlanKeysCommand } from "@aws-sdk/client-api-gateway";
import { CliError, FailedError, isAwsError, messageOf, oneLine } from "@payments-dr/cli-support";
import type { Context } from "./context";
import type { Site } from "./deployment";
import { awsFailure, AwsCallError } from "./errors";
import { throttled } from "./gateway";
import { KeyTable, type KeyUsage, type SkippedItem } from "./key-table";
import { addToUsagePlan, createUsageKey, regionUsageKeys, usageKeyName, type FoundKey } from "./usage-key";

/**
 * What `sync` did (or, with `--dry-run`, would do) about one merchant in one region. `kept`: in
 * the plan though only revoked keys use it, not removed (see the row's detail).
 */
export type SyncAction = "added" | "removed" | "kept" | "fine" | "refused";

interface SyncRow {
  merchantId: string;
  action: SyncAction;
  /** The usage key's name in this region (`<apiName>-merchant-<merchantId>`). */
  name: string;
  /** API Gateway's id of the usage key (not its value), when there is one. */
  apiKeyId?: string;
  /** True when the API key itself was (or would be) recreated in this region, with the table's value. */
  recreated?: boolean;
  detail: string;
}

export interface RegionSync {
  region: string;
  usagePlanId: string;
  rows: SyncRow[];
  /** Set when a region-wide read (or an AWS call that is not about one merchant) failed: the rows are what was done before it. */
  error?: string;
}

export interface SyncResult {
  table: string;
  /** The region whose replica of the keys table was read. */
  tableRegion: string;
  /** Set when the DR replica was read because the primary's did not answer: then nothing is removed. */
  fallback?: string;
  /** Table items not valid as keys (key id, merchant id or status): reported, never acted on. */
  skipped: SkippedItem[];
  dryRun: boolean;
  regions: RegionSync[];
}

/** A merchant as the keys table describes it: the usage key its active keys need. */
interface Merchant {
  merchantId: string;
  /** Usage key values of its active keys (one, normally). */
  activeValues: Set<string>;
  /** Active keys that store no usage key value. */
  activeWithout: string[];
  /** Usage key values only revoked keys use. */
  revokedValues: Set<string>;
  /** Key ids of its items skipped as invalid: its usage keys are then never removed. */
  skipped: string[];
}

/** Why plan entries are not removed, when they are not. */
type HoldRemovals = (merchant: Merchant) => string | undefined;

/** Why one usage key must stay after all (`undefined`: nothing uses it). */
type StillUsed = (merchantId: string, value: string) => Promise<string | undefined>;

/**
 * The merchant's keys in both regions' copies of the table, read again just before each removal
 * (a consistent scan of each copy): an active key of the merchant that stores the value, in
 * either copy, keeps it (a create that ran during this sync; a key written in the DR copy that has
 * not replicated to the primary's yet). Per removal, not once per region: throttled calls can put
 * minutes between removals, and a key created meanwhile must not lose its usage key. A copy that
 * cannot be read holds the removal, with the reason.
 */
function stillUsedReader(ctx: Context): StillUsed {
  return async (merchantId, value) => {
    const reads = await Promise.all(
      ctx.deployment.sites.map(async ({ region }): Promise<{ region: string; keys?: KeyUsage[]; error?: string }> => {
        try {
          return { region, keys: (await new KeyTable(ctx, region).usageKeys(merchantId)).keys };
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          return { region, error: error.message };
        }
      }),
    );
    for (const copy of reads) {
      if (copy.error !== undefined) return `${copy.region}'s copy of the table could not be read again before the removal (${copy.error}); re-run once it answers`;
      const user = copy.keys!.find((k) => k.merchantId === merchantId && k.status === "active" && k.usageKey === value);
      if (user) return `active key ${user.keyId} in ${copy.region}'s copy of the table uses it (read again before the removal: created meanwhile, or not replicated yet)`;
    }
    return undefined;
  };
}

/** AWS exceptions of one merchant's calls that are about that merchant, not the region: its row is refused. */
const MERCHANT_ERRORS = ["ConflictException", "BadRequestException", "NotFoundException"];

interface PlanEntry {
  id: string;
  name: string;
  value: string;
}

/**
 * `keys sync`: each region's usage plan holds the usage key of every merchant with an active key,
 * with the value its keys' records hold (what the authorizer hands to API Gateway), and no usage
 * key only revoked keys use. Regions one after the other; a region whose region-wide reads fail
 * (or whose API Gateway stops answering) is reported and the other one still synced; an AWS error
 * about one merchant refuses that merchant only. Invalid table items are skipped, and nothing is
 * removed for their merchant, nor at all when the DR replica was read (asked for with --region, or
 * because the primary's did not answer): it may be behind the primary's, and a merchant whose new
 * key has not replicated yet would lose its usage key. Idempotent: a second run finds everything fine.
 */
export async function syncUsageKeys(ctx: Context, input: { region?: string; dryRun: boolean }): Promise<SyncResult> {
  const sites = input.region === undefined ? ctx.deployment.sites : [ctx.deployment.resolve(input.region)];
  const { table, keys, skipped, fallback } = await readKeys(ctx, sites);
  for (const item of skipped) ctx.log(`table item ${item.keyId ?? "(no valid key id)"} skipped: ${item.problem}`);
  const merchants = merchantsOf(keys, skipped);
  const readDrReplica = table.region !== ctx.deployment.primary.region;
  const hold: HoldRemovals = (merchant) =>
    fallback
      ? "the primary's replica of the table did not answer (read the DR replica, possibly behind): nothing is removed; re-run once it answers"
      : readDrReplica
        ? `read the DR replica (${table.region}), possibly behind the primary's: nothing is removed; run without --region once the primary's answers`
        : merchant.skipped.length > 0
        ? `its table item(s) ${merchant.skipped.join(", ")} are invalid (skipped): nothing is removed for it until they are fixed`
        : undefined;
  const regions: RegionSync[] = [];
  for (const site of sites) {
    const region: RegionSync = { region: site.region, usagePlanId: site.usagePlanId, rows: [] };
    regions.push(region);
    try {
      await syncRegion(ctx, site, merchants, { dryRun: input.dryRun, hold }, region.rows);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      region.error = error.message;
      ctx.log(`${site.region}: ${error.message}`);
    }
  }
  return { table: table.name, tableRegion: table.region, ...(fallback ? { fallback } : {}), skipped, dryRun: input.dryRun, regions };
}

/**
 * The keys from the chosen region's replica (a strongly consistent scan); without `--region`,
 * the DR replica when the primary's fails (then `fallback` says why).
 */
async function readKeys(ctx: Context, sites: Site[]): Promise<{ table: KeyTable; keys: KeyUsage[]; skipped: SkippedItem[]; fallback?: string }> {
  const [first, ...others] = sites;
  const table = new KeyTable(ctx, first!.region);
  try {
    return { table, ...(await table.usageKeys()) };
  } catch (error) {
    const dr = others[0];
    if (!(error instanceof FailedError) || !dr) throw error;
    const fallback = oneLine(messageOf(error));
    ctx.log(`${fallback}; reading the replica in ${dr.region} instead, and removing nothing from the usage plans`);
    const replica = new KeyTable(ctx, dr.region);
    return { table: replica, ...(await replica.usageKeys()), fallback };
  }
}

/** Groups the keys by merchant, sorted by merchant id; a merchant's skipped items are noted. */
function merchantsOf(keys: KeyUsage[], skipped: SkippedItem[]): Merchant[] {
  const byId = new Map<string, Merchant>();
  const of = (merchantId: string) => {
    const merchant = byId.get(merchantId) ?? { merchantId, activeValues: new Set(), activeWithout: [], revokedValues: new Set(), skipped: [] };
    byId.set(merchantId, merchant);
    return merchant;
  };
  for (const item of skipped) if (item.merchantId !== undefined) of(item.merchantId).skipped.push(item.keyId ?? "(no valid key id)");
  for (const key of keys) {
    const merchant = of(key.merchantId);
    if (key.status === "active") {
      if (key.usageKey) merchant.activeValues.add(key.usageKey);
      else merchant.activeWithout.push(key.keyId);
    } else if (key.usageKey) {
      merchant.revokedValues.add(key.usageKey);
    }
  }
  for (const merchant of byId.values()) for (const value of merchant.activeValues) merchant.revokedValues.delete(value);
  return [...byId.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId));
}

async function syncRegion(ctx: Context, site: Site, merchants: Merchant[], how: { dryRun: boolean; hold: HoldRemovals }, rows: SyncRow[]): Promise<void> {
  const { dryRun } = how;
  const plan = await usagePlanEntries(ctx, site);
  const stillUsed = stillUsedReader(ctx);
  const apiKeys = await regionUsageKeys(ctx, site);
  for (const merchant of merchants) {
    const name = usageKeyName(site.apiName, merchant.merchantId);
    const { merchantId } = merchant;
    const attached = plan.filter((e) => e.name === name);
    const active = merchant.activeValues.size > 0 || merchant.activeWithout.length > 0;
    if (merchant.activeWithout.length > 0) {
      rows.push({
        merchantId,
        action: "refused",
        name,
        detail: `active key(s) ${merchant.activeWithout.join(", ")} store no usage key value, so no usage key can serve them: create a new key for the merchant (keys create), then revoke these`,
      });
    }
    if (merchant.activeValues.size > 1) {
      rows.push({ merchantId, action: "refused", name, detail: `its active keys store ${merchant.activeValues.size} different usage key values (two creates at once in different regions' replicas?): revoke the keys of all but one value, then re-run` });
      continue;
    }
    // Only revoked keys use it, or the merchant has no active key at all.
    for (const entry of attached.filter((e) => !active || merchant.revokedValues.has(e.value))) {
      const why = active ? "used only by revoked keys" : "no active key";
      const held = how.hold(merchant) ?? (await stillUsed(merchantId, entry.value));
      if (held) {
        rows.push({ merchantId, action: "kept", name, apiKeyId: entry.id, detail: `${why}, but kept in the usage plan: ${held}` });
        continue;
      }
      const refused = await perMerchant(merchantId, name, entry.id, async () => {
        if (!dryRun) await removeFromPlan(ctx, site, entry);
      });
      rows.push(refused ?? { merchantId, action: "removed", name, apiKeyId: entry.id, detail: `${why}: ${dryRun ? "would be removed" : "removed"} from the usage plan (the API key itself is kept)` });
    }
    const [value] = merchant.activeValues;
    if (value !== undefined) rows.push(await ensureAttached(ctx, site, { merchantId, value, attached, found: apiKeys.get(name) ?? [], dryRun }));
  }
}

/**
 * Runs one merchant's AWS writes. An AWS error about that merchant (MERCHANT_ERRORS) becomes its
 * refused row and the region goes on; any other error (the region not answering) is thrown.
 */
async function perMerchant(merchantId: string, name: string, apiKeyId: string | undefined, act: () => Promise<void>): Promise<SyncRow | undefined> {
  try {
    await act();
    return undefined;
  } catch (error) {
    if (!(error instanceof AwsCallError) || !MERCHANT_ERRORS.includes(error.awsName ?? "")) throw error;
    return { merchantId, action: "refused", name, ...(apiKeyId ? { apiKeyId } : {}), detail: `${error.message}: fix it in API Gateway, then re-run` };
  }
}

/** The merchant's usage key with `value` in the region's plan: found in the plan, added, or recreated and added. */
async function ensureAttached(
  ctx: Context,
  site: Site,
  input: { merchantId: string; value: string; attached: PlanEntry[]; found: FoundKey[]; dryRun: boolean },
): Promise<SyncRow> {
  const { merchantId, value, attached, found, dryRun } = input;
  const name = usageKeyName(site.apiName, merchantId);
  const inPlan = attached.find((e) => e.value === value);
  if (inPlan) {
    const key = found.find((k) => k.id === inPlan.id);
    if (!key) return { merchantId, action: "refused", name, apiKeyId: inPlan.id, detail: `usage key ${inPlan.id} is in the usage plan, but GetApiKeys does not list it: re-run` };
    if (!key.enabled) {
      return { merchantId, action: "refused", name, apiKeyId: inPlan.id, detail: `usage key ${inPlan.id} is in the usage plan but disabled (blocked on purpose?): enable or delete it, then re-run` };
    }
    return { merchantId, action: "fine", name, apiKeyId: inPlan.id, detail: "in the usage plan" };
  }
  const existing = found.find((k) => k.value === value);
  if (existing && !existing.enabled) {
    return { merchantId, action: "refused", name, apiKeyId: existing.id, detail: `usage key ${existing.id} is disabled (blocked on purpose?): enable or delete it, then re-run` };
  }
  if (!existing && found.length > 0) {
    return {
      merchantId,
      action: "refused",
      name,
      detail: `usage key(s) ${found.map((k) => k.id).join(", ")} hold another value than the merchant's keys: delete them in API Gateway, then re-run`,
    };
  }
  if (dryRun) return { merchantId, action: "added", name, ...(existing ? { apiKeyId: existing.id } : { recreated: true }), detail: addDetail(!existing, true) };
  let apiKeyId = existing?.id;
  let added = false;
  const refused = await perMerchant(merchantId, name, undefined, async () => {
    apiKeyId ??= (await createUsageKey(ctx, site, merchantId, value)).id;
    added = await addToUsagePlan(ctx, site, apiKeyId, name);
  });
  if (refused) {
    if (!existing && apiKeyId) return { ...refused, apiKeyId, recreated: true, detail: `recreated usage key ${apiKeyId}, but ${refused.detail}` };
    return { ...refused, ...(apiKeyId ? { apiKeyId } : {}) };
  }
  if (!added) return { merchantId, action: "fine", name, apiKeyId, detail: "in the usage plan" };
  ctx.log(`usage key ${name} in ${site.region}: ${existing ? "" : "recreated, "}added to usage plan ${site.usagePlanId}`);
  return { merchantId, action: "added", name, apiKeyId, ...(existing ? {} : { recreated: true }), detail: addDetail(!existing, false) };
}

function addDetail(recreated: boolean, dryRun: boolean): string {
  const be = dryRun ? "would be " : "";
  return recreated ? `missing in this region: ${be}recreated with the value its keys store, and ${be}added to the usage plan` : `${be}added to the usage plan`;
}

/** Every key of the region's usage plan, page by page, with its name and value. */
async function usagePlanEntries(ctx: Context, site: Site): Promise<PlanEntry[]> {
  const client = ctx.clients.apiGateway(site.region);
  const entries: PlanEntry[] = [];
  let position: string | undefined;
  do {
    let out;
    try {
      out = await throttled(ctx, () => client.send(new GetUsagePlanKeysCommand({ usagePlanId: site.usagePlanId, limit: 500, position })));
    } catch (error) {
      throw awsFailure("GetUsagePlanKeys", site.region, `usage plan ${site.usagePlanId}`, error);
    }
    for (const item of out.items ?? []) {
      if (!item.id || !item.name || !item.value) continue;
      ctx.secrets.add(item.value);
      entries.push({ id: item.id, name: item.name, value: item.value });
    }
    position = out.position;
  } while (position);
  return entries;
}

async function removeFromPlan(ctx: Context, site: Site, entry: PlanEntry): Promise<void> {
  try {
    await throttled(ctx, () => ctx.clients.apiGateway(site.region).send(new DeleteUsagePlanKeyCommand({ usagePlanId: site.usagePlanId, keyId: entry.id })));
  } catch (error) {
    // NotFoundException: removed meanwhile; the plan is as wanted.
    if (!isAwsError(error, "NotFoundException")) throw awsFailure("DeleteUsagePlanKey", site.region, `usage key ${entry.name} ← usage plan ${site.usagePlanId}`, error);
  }
  ctx.log(`usage key ${entry.name} in ${site.region}: removed from usage plan ${site.usagePlanId}`);
}
