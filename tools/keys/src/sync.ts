import { DeleteUsagePlanKeyCommand, GetUsagePlanKeysCommand } from "@aws-sdk/client-api-gateway";
import { CliError, FailedError, messageOf, oneLine } from "@payments-dr/cli-support";
import type { Context } from "./context";
import type { Site } from "./deployment";
import { awsFailure, isAwsError } from "./errors";
import { KeyTable, type KeyUsage } from "./key-table";
import { addToUsagePlan, createUsageKey, findUsageKeys, usageKeyName } from "./usage-key";

/** What `sync` did (or, with `--dry-run`, would do) about one merchant in one region. */
export type SyncAction = "added" | "removed" | "fine" | "refused";

export interface SyncRow {
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
  /** Set when an AWS call failed in this region: the rows are what was done before it. */
  error?: string;
}

export interface SyncResult {
  table: string;
  /** The region whose replica of the keys table was read. */
  tableRegion: string;
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
}

interface PlanEntry {
  id: string;
  name: string;
  value: string;
}

/**
 * `keys sync`: each region's usage plan holds the usage key of every merchant with an active key,
 * with the value its keys' records hold (what the authorizer hands to API Gateway), and no usage
 * key only revoked keys use. Regions one after the other; a region whose API Gateway fails is
 * reported and the other one still synced. Idempotent: a second run finds everything fine.
 */
export async function syncUsageKeys(ctx: Context, input: { region?: string; dryRun: boolean }): Promise<SyncResult> {
  const sites = input.region === undefined ? ctx.deployment.sites : [ctx.deployment.resolve(input.region)];
  const { table, keys } = await readKeys(ctx, sites);
  ctx.secrets.add(...keys.map((k) => k.usageKey));
  const merchants = merchantsOf(keys);
  const regions: RegionSync[] = [];
  for (const site of sites) {
    const region: RegionSync = { region: site.region, usagePlanId: site.usagePlanId, rows: [] };
    regions.push(region);
    try {
      await syncRegion(ctx, site, merchants, input.dryRun, region.rows);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      region.error = error.message;
      ctx.log(`${site.region}: ${error.message}`);
    }
  }
  return { table: table.name, tableRegion: table.region, dryRun: input.dryRun, regions };
}

/** The keys from the chosen region's replica; without `--region`, the DR replica when the primary's fails. */
async function readKeys(ctx: Context, sites: Site[]): Promise<{ table: KeyTable; keys: KeyUsage[] }> {
  const [first, ...others] = sites;
  let table = new KeyTable(ctx, first!.region);
  try {
    return { table, keys: await table.usageKeys() };
  } catch (error) {
    const fallback = others[0];
    if (!(error instanceof FailedError) || !fallback) throw error;
    ctx.log(`${oneLine(messageOf(error))}; reading the replica in ${fallback.region} instead`);
    table = new KeyTable(ctx, fallback.region);
    return { table, keys: await table.usageKeys() };
  }
}

/** Groups the keys by merchant, sorted by merchant id. */
function merchantsOf(keys: KeyUsage[]): Merchant[] {
  const byId = new Map<string, Merchant>();
  for (const key of keys) {
    const merchant = byId.get(key.merchantId) ?? { merchantId: key.merchantId, activeValues: new Set(), activeWithout: [], revokedValues: new Set() };
    byId.set(key.merchantId, merchant);
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

async function syncRegion(ctx: Context, site: Site, merchants: Merchant[], dryRun: boolean, rows: SyncRow[]): Promise<void> {
  const plan = await usagePlanEntries(ctx, site);
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
      rows.push({ merchantId, action: "refused", name, detail: `its active keys store ${merchant.activeValues.size} different usage key values: revoke the keys of all but one value, then re-run` });
      continue;
    }
    // Only revoked keys use it, or the merchant has no active key at all.
    for (const entry of attached.filter((e) => !active || merchant.revokedValues.has(e.value))) {
      if (!dryRun) await removeFromPlan(ctx, site, entry);
      rows.push({ merchantId, action: "removed", name, apiKeyId: entry.id, detail: `${active ? "used only by revoked keys" : "no active key"}: ${dryRun ? "would be removed" : "removed"} from the usage plan (the API key itself is kept)` });
    }
    const [value] = merchant.activeValues;
    if (value !== undefined) rows.push(await ensureAttached(ctx, site, merchantId, value, attached, dryRun));
  }
}

/** The merchant's usage key with `value` in the region's plan: found in the plan, added, or recreated and added. */
async function ensureAttached(ctx: Context, site: Site, merchantId: string, value: string, attached: PlanEntry[], dryRun: boolean): Promise<SyncRow> {
  const name = usageKeyName(site.apiName, merchantId);
  const inPlan = attached.find((e) => e.value === value);
  if (inPlan) return { merchantId, action: "fine", name, apiKeyId: inPlan.id, detail: "in the usage plan" };
  const found = await findUsageKeys(ctx, site, name);
  ctx.secrets.add(...found.map((k) => k.value));
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
  const apiKeyId = existing?.id ?? (await createUsageKey(ctx, site, merchantId, value));
  const added = await addToUsagePlan(ctx, site, apiKeyId, name);
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
      out = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: site.usagePlanId, limit: 500, position }));
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
    await ctx.clients.apiGateway(site.region).send(new DeleteUsagePlanKeyCommand({ usagePlanId: site.usagePlanId, keyId: entry.id }));
  } catch (error) {
    // NotFoundException: removed meanwhile; the plan is as wanted.
    if (!isAwsError(error, "NotFoundException")) throw awsFailure("DeleteUsagePlanKey", site.region, `usage key ${entry.name} ← usage plan ${site.usagePlanId}`, error);
  }
  ctx.log(`usage key ${entry.name} in ${site.region}: removed from usage plan ${site.usagePlanId}`);
}
