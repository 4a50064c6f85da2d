import { randomBytes } from "node:crypto";
import { CreateApiKeyCommand, CreateUsagePlanKeyCommand, GetApiKeysCommand, GetUsagePlanKeyCommand } from "@aws-sdk/client-api-gateway";
import { FailedError, isAwsError, RefusedError } from "@payments-dr/cli-support";
import { COMPLIANCE_TAGS, PROJECT_NAME } from "@payments-dr/conventions/values";
import type { Context } from "./context";
import type { Site } from "./deployment";
import { awsFailure } from "./errors";
import { throttled } from "./gateway";
import type { KeyTable } from "./key-table";

/**
 * A merchant's usage key in one region: `<apiName>-merchant-<merchantId>`. The API's name is
 * regional (it carries the region code and environment suffix), so the name says which API the
 * key's usage plan belongs to; the value is the same in both regions.
 */
export function usageKeyName(apiName: string, merchantId: string): string {
  return `${apiName}-merchant-${merchantId}`;
}

/** 20 random bytes as hex: 40 characters (API Gateway takes 20-128), drawn once per merchant. */
function newUsageKeyValue(): string {
  return randomBytes(20).toString("hex");
}

/** Keys made outside Pulumi carry the compliance tags themselves (no provider defaultTags here). */
export function usageKeyTags(merchantId: string): Record<string, string> {
  return { ...COMPLIANCE_TAGS, Project: PROJECT_NAME, ManagedBy: "tools/keys", Merchant: merchantId };
}

/** What `ensureUsageKeys` found or did in one region. */
export interface UsageKeyResult {
  region: string;
  name: string;
  /** API Gateway's id of the key (not its value). */
  apiKeyId: string;
  created: boolean;
  usagePlanId: string;
  /** False when the key was already in the usage plan. */
  addedToPlan: boolean;
}

/** A usage key found by name in one region, with its value (register it with ctx.secrets). */
export interface FoundKey {
  id: string;
  value: string;
  enabled: boolean;
}

/**
 * Makes sure the merchant's usage key exists in BOTH regions with one value and is in each
 * region's usage plan, so its limits hold wherever the merchant is served after a failover.
 * An existing key (in either region) is reused; else the value the merchant's active keys store
 * (`stored`, from the keys table: a usage key deleted in API Gateway comes back with it, so those
 * keys keep working); else the value reserved in `table` for the merchant, reserving a drawn one
 * if none is yet (conditionally, before any usage key is made: two creates at once for a new
 * merchant agree on one value, and a create that stopped after reserving is finished by a re-run
 * with that value). A value in use is written as the reservation (backfilled for merchants made
 * before reservations). Throws before any key is stored when a region fails: a re-run picks up
 * what exists.
 */
export async function ensureUsageKeys(ctx: Context, table: KeyTable, merchantId: string, stored: ReadonlySet<string>): Promise<{ value: string; regions: UsageKeyResult[] }> {
  const sites = ctx.deployment.sites;
  const found = await Promise.all(sites.map((site) => findUsageKeys(ctx, site, usageKeyName(site.apiName, merchantId))));
  const all = found.flat();
  const values = new Set(all.map((k) => k.value));
  if (values.size > 1) {
    throw new RefusedError(
      `merchant ${merchantId} has usage keys with different values (${sites.map((s, i) => `${s.region}: ${found[i]!.map((k) => k.id).join(", ") || "none"}`).join("; ")}): delete all but one value in API Gateway, then re-run`,
    );
  }
  for (const [i, site] of sites.entries()) {
    const off = found[i]!.find((k) => !k.enabled);
    if (off) throw new RefusedError(`usage key ${off.id} of merchant ${merchantId} in ${site.region} is disabled (blocked on purpose?): enable or delete it, then re-run`);
  }
  if (stored.size > 1) {
    throw new RefusedError(`merchant ${merchantId}'s active keys store ${stored.size} different usage key values: revoke the keys of all but one value (keys sync shows the merchant refused), then re-run`);
  }
  const [inGateway] = values;
  const [inTable] = stored;
  if (inGateway !== undefined && inTable !== undefined && inGateway !== inTable) {
    throw new RefusedError(`merchant ${merchantId}'s usage key in API Gateway has another value than its active keys store: delete that usage key in both regions, then re-run (it is recreated with the stored value)`);
  }
  const value = await reservedValue(ctx, table, merchantId, inGateway ?? inTable);
  ctx.secrets.add(value);
  const regions: UsageKeyResult[] = [];
  // One region after the other: the first failure stops the command.
  for (const [i, site] of sites.entries()) regions.push(await ensureInRegion(ctx, site, merchantId, value, found[i]![0]));
  return { value, regions };
}

/**
 * The merchant's usage key value, agreed in the keys table: `inUse` (which the reservation is set
 * to), else the reserved value, else a value drawn now and reserved.
 */
async function reservedValue(ctx: Context, table: KeyTable, merchantId: string, inUse: string | undefined): Promise<string> {
  if (inUse === undefined) return table.reserveUsageKey(merchantId, newUsageKeyValue(), ctx.now());
  const previous = await table.setReservedUsageKey(merchantId, inUse, ctx.now());
  if (previous !== undefined && previous !== inUse) {
    ctx.log(`the usage key reservation of merchant ${merchantId} held another value than its usage key (two creates at once in different regions' replicas?): set to the one in use`);
  }
  return inUse;
}

/** Keys named exactly `name` (GetApiKeys' nameQuery is a prefix match), with their values. */
async function findUsageKeys(ctx: Context, site: Site, name: string): Promise<FoundKey[]> {
  return (await usageKeysNamed(ctx, site, name, `usage key ${name}`)).get(name) ?? [];
}

/**
 * Every usage key of the region's API (`<apiName>-merchant-*`), with its value, by name: one
 * paged GetApiKeys for the whole region. The values are registered with ctx.secrets.
 */
export async function regionUsageKeys(ctx: Context, site: Site): Promise<Map<string, FoundKey[]>> {
  const prefix = usageKeyName(site.apiName, "");
  return usageKeysNamed(ctx, site, prefix, `usage keys ${prefix}*`, true);
}

/** Keys whose name is `query` (or, with `prefix`, starts with it), grouped by name. */
async function usageKeysNamed(ctx: Context, site: Site, query: string, what: string, prefix = false): Promise<Map<string, FoundKey[]>> {
  const client = ctx.clients.apiGateway(site.region);
  const keys = new Map<string, FoundKey[]>();
  let position: string | undefined;
  do {
    let out;
    try {
      out = await throttled(ctx, () => client.send(new GetApiKeysCommand({ nameQuery: query, includeValues: true, limit: 500, position })));
    } catch (error) {
      throw awsFailure("GetApiKeys", site.region, what, error);
    }
    for (const key of out.items ?? []) {
      if (!key.name || (prefix ? !key.name.startsWith(query) : key.name !== query)) continue;
      ctx.secrets.add(key.value);
      if (!key.id || !key.value) throw new FailedError(`GetApiKeys in ${site.region} returned usage key ${key.name} without its id or value`);
      keys.set(key.name, [...(keys.get(key.name) ?? []), { id: key.id, value: key.value, enabled: key.enabled === true }]);
    }
    position = out.position;
  } while (position);
  return keys;
}

async function ensureInRegion(ctx: Context, site: Site, merchantId: string, value: string, existing: FoundKey | undefined): Promise<UsageKeyResult> {
  const name = usageKeyName(site.apiName, merchantId);
  const { id: apiKeyId, created } = existing ? { id: existing.id, created: false } : await createUsageKey(ctx, site, merchantId, value);
  const addedToPlan = await addToUsagePlan(ctx, site, apiKeyId, name);
  const result = { region: site.region, name, apiKeyId, created, usagePlanId: site.usagePlanId, addedToPlan };
  ctx.log(`usage key ${name} in ${site.region}: ${result.created ? "created" : "exists"} (id ${apiKeyId}), ${addedToPlan ? "added to" : "already in"} usage plan ${site.usagePlanId}`);
  return result;
}

/**
 * Creates the merchant's usage key in one region with the given value, tagged; returns its id.
 * API Gateway refuses a second key with the same value (ConflictException): when the merchant's
 * enabled key with this value was made meanwhile (a create at the same time), that one is
 * returned, not created.
 */
export async function createUsageKey(ctx: Context, site: Site, merchantId: string, value: string): Promise<{ id: string; created: boolean }> {
  const name = usageKeyName(site.apiName, merchantId);
  let apiKeyId;
  try {
    const out = await throttled(ctx, () =>
      ctx.clients.apiGateway(site.region).send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: `Usage key of merchant ${merchantId}: its usage-plan limits, set by the authorizer (not a credential)`,
          tags: usageKeyTags(merchantId),
        }),
      ),
    );
    apiKeyId = out.id;
  } catch (error) {
    const made = isAwsError(error, "ConflictException") ? (await findUsageKeys(ctx, site, name)).find((k) => k.value === value && k.enabled) : undefined;
    if (made) return { id: made.id, created: false };
    throw awsFailure("CreateApiKey", site.region, `usage key ${name}`, error);
  }
  if (!apiKeyId) throw new FailedError(`CreateApiKey in ${site.region} returned no id for usage key ${name}`);
  return { id: apiKeyId, created: true };
}

/**
 * Puts a usage key in the region's usage plan; false when it was already there. API Gateway
 * answers ConflictException to a key already in the plan (a re-run, a second key of the merchant,
 * a retried call whose answer was lost), but documents it only as "the request configuration has
 * conflicts", and an API key can be in one usage plan per stage only (one in another plan of the
 * stage conflicts too): the key is looked up in the plan (GetUsagePlanKey), and a conflict while
 * it is not there is an error like any other.
 */
export async function addToUsagePlan(ctx: Context, site: Site, apiKeyId: string, name: string): Promise<boolean> {
  const client = ctx.clients.apiGateway(site.region);
  try {
    await throttled(ctx, () => client.send(new CreateUsagePlanKeyCommand({ usagePlanId: site.usagePlanId, keyId: apiKeyId, keyType: "API_KEY" })));
    return true;
  } catch (error) {
    if (isAwsError(error, "ConflictException") && (await inUsagePlan(ctx, site, apiKeyId, name))) return false;
    throw awsFailure("CreateUsagePlanKey", site.region, `usage key ${name} → usage plan ${site.usagePlanId}`, error);
  }
}

/** Whether the usage key is in the region's usage plan. */
async function inUsagePlan(ctx: Context, site: Site, apiKeyId: string, name: string): Promise<boolean> {
  try {
    await throttled(ctx, () => ctx.clients.apiGateway(site.region).send(new GetUsagePlanKeyCommand({ usagePlanId: site.usagePlanId, keyId: apiKeyId })));
    return true;
  } catch (error) {
    if (isAwsError(error, "NotFoundException")) return false;
    throw awsFailure("GetUsagePlanKey", site.region, `usage key ${name} in usage plan ${site.usagePlanId}`, error);
  }
}
