import { FlushStageAuthorizersCacheCommand } from "@aws-sdk/client-api-gateway";
import { AUTHORIZER_TIMEOUT_SECONDS, newApiKey, parseApiKey } from "@payments-dr/api-keys";
import { FailedError, RefusedError } from "@payments-dr/cli-support";
import type { Context } from "./context";
import type { Site } from "./deployment";
import { awsFailure } from "./errors";
import { throttled } from "./gateway";
import { KeyTable, type KeySummary } from "./key-table";
import { ensureUsageKeys, type UsageKeyResult } from "./usage-key";

/** A key just made: the only value that ever holds the API key itself. */
export interface CreatedKey {
  merchantId: string;
  keyId: string;
  label?: string;
  createdAt: string;
  region: string;
  table: string;
  /** Shown once, never stored. */
  apiKey: string;
  usageKeys: UsageKeyResult[];
}

export interface KeyList {
  region: string;
  table: string;
  keys: KeySummary[];
}

/** What one region's copy of the keys table said to the revocation. */
interface RegionRevocation {
  region: string;
  /**
   * "not there yet": the key was created in the other region and has not replicated here, even
   * when asked again once the writes had settled. It will arrive active, its revocation after it:
   * in between, a request there is allowed and its Allow cached for the TTL.
   */
  outcome: "revoked" | "already revoked" | "not there yet" | "failed";
  /** Why it failed. */
  error?: string;
  /** Whether the stage's authorizer cache was flushed after the revocation (not tried where the write failed or the key is not there yet). */
  cacheFlushed?: boolean;
  /** Why the flush failed: the key may keep working there for up to the cache TTL. */
  cacheError?: string;
}

export interface Revocation {
  table: string;
  key: KeySummary;
  /** True when no copy changed: every region that has the key had it revoked already. */
  alreadyRevoked: boolean;
  regions: RegionRevocation[];
}

/**
 * `keys create`: the usage key in both regions first, its value reserved for the merchant in the
 * chosen region's replica of the global table before any is made (a failure there stores no key;
 * a re-run uses that value), then the record, conditionally, in the same replica. The input was
 * checked by parseCliArgs, as for the other commands.
 */
export async function createKey(ctx: Context, input: { merchantId: string; label?: string; region?: string }): Promise<CreatedKey> {
  const { merchantId, label } = input;
  const site = ctx.deployment.resolve(input.region);
  const table = new KeyTable(ctx, site.region);

  // The usage key value the merchant's active keys already store, if its usage key is gone from API Gateway.
  const stored = new Set((await table.usageKeys(merchantId)).keys.filter((k) => k.status === "active" && k.usageKey !== undefined).map((k) => k.usageKey!));
  let usage;
  try {
    usage = await ensureUsageKeys(ctx, table, merchantId, stored);
  } catch (error) {
    if (error instanceof FailedError) throw new FailedError(`${error.message}; no key was stored (a re-run reuses the usage key value reserved and the usage keys already made)`);
    throw error;
  }
  const { apiKey, record } = newApiKey({ merchantId, label, usageKey: usage.value, now: ctx.now() });
  ctx.secrets.add(apiKey, parseApiKey(apiKey)?.secret, record.salt, record.secretHash);
  await table.put(record);
  ctx.log(`stored key ${record.keyId} of merchant ${merchantId} in ${table.name} (${site.region})`);
  return {
    merchantId,
    keyId: record.keyId,
    ...(record.label === undefined ? {} : { label: record.label }),
    createdAt: record.createdAt,
    region: site.region,
    table: table.name,
    apiKey,
    usageKeys: usage.regions,
  };
}

/** `keys list`: a projection without the salt and hash, every page. */
export async function listKeys(ctx: Context, input: { merchantId?: string; region?: string }): Promise<KeyList> {
  const site = ctx.deployment.resolve(input.region);
  const table = new KeyTable(ctx, site.region);
  return { region: site.region, table: table.name, keys: await table.list(input.merchantId) };
}

/**
 * How long `revoke` waits after its writes before it flushes the authorizer caches: an
 * authorizer invocation that read the key before the revocation can still be answering for up
 * to its timeout, and a read after it may miss it for about a second (the authorizer reads
 * eventually consistently). A flush before either is over would let that Allow be cached again,
 * for the whole TTL.
 */
export const REVOCATION_SETTLE_MS = AUTHORIZER_TIMEOUT_SECONDS * 1000 + 1000;

/**
 * `keys revoke`: status revoked and the time, written in both regions' copies of the global
 * table (or the one `--region` names, e.g. while the other is down): a replication that stalls,
 * often the very incident, must not leave the key valid in the region serving traffic. An unknown
 * key is refused, a revoked one is fine. A region that could not be written is reported; the
 * caller exits "failed" then, since the key stays valid there until replication delivers. A
 * region whose copy did not hold the key yet is written again once the writes have settled;
 * still without it, it is reported and the caller exits "failed" too.
 *
 * Then, once the writes have settled, the stage's authorizer cache is flushed in each region
 * whose copy holds the revocation: API Gateway caches each Authorization header's Allow for the
 * TTL and would keep serving a leaked key that long (there is no per-key flush: every merchant's
 * next request is authorized afresh). An already revoked key is flushed too, so a re-run retries
 * a flush that failed; a flush that fails is reported, and the caller exits "failed".
 */
export async function revokeKey(ctx: Context, input: { keyId: string; region?: string }): Promise<Revocation> {
  const { keyId } = input;
  const sites = input.region === undefined ? ctx.deployment.sites : [ctx.deployment.resolve(input.region)];
  const now = ctx.now();
  const tableName = ctx.deployment.tableName;
  const attempts = await Promise.allSettled(sites.map((site) => new KeyTable(ctx, site.region).revoke(keyId, now)));
  let key: KeySummary | undefined;
  let changed = false;
  const regions = attempts.map((attempt, i): RegionRevocation => {
    const region = sites[i]!.region;
    if (attempt.status === "fulfilled") {
      key ??= attempt.value.summary;
      changed ||= !attempt.value.alreadyRevoked;
      return { region, outcome: attempt.value.alreadyRevoked ? "already revoked" : "revoked" };
    }
    if (attempt.reason instanceof RefusedError) return { region, outcome: "not there yet" };
    return { region, outcome: "failed", error: (attempt.reason as Error).message };
  });
  if (key === undefined) {
    const failures = regions.filter((r) => r.outcome === "failed");
    if (failures.length > 0) throw new FailedError(`could not revoke ${keyId}: ${failures.map((r) => r.error).join("; ")}`);
    throw new RefusedError(`no API key ${keyId} in ${tableName} (${sites.map((s) => s.region).join(", ")}); nothing changed`);
  }
  await ctx.sleep(REVOCATION_SETTLE_MS);
  // Replication is typically ~1 s: a key that had not reached a region's copy has mostly arrived
  // by now, active, with its revocation still on the way. Revoked there too, and flushed below.
  await Promise.all(regions.filter((r) => r.outcome === "not there yet").map((region) => reviseRevocation(ctx, region, keyId, now)));
  const holding = regions.filter((r) => r.outcome === "revoked" || r.outcome === "already revoked");
  await Promise.all(
    holding.map(async (region) => {
      const error = await flushAuthorizerCache(ctx, sites.find((s) => s.region === region.region)!);
      Object.assign(region, error === undefined ? { cacheFlushed: true } : { cacheFlushed: false, cacheError: error });
    }),
  );
  return { table: tableName, key, alreadyRevoked: !changed, regions };
}

/** Writes the revocation again in a region whose copy did not hold the key: its new outcome. */
async function reviseRevocation(ctx: Context, region: RegionRevocation, keyId: string, now: Date): Promise<void> {
  try {
    const again = await new KeyTable(ctx, region.region).revoke(keyId, now);
    region.outcome = again.alreadyRevoked ? "already revoked" : "revoked";
  } catch (error) {
    if (!(error instanceof RefusedError)) Object.assign(region, { outcome: "failed", error: (error as Error).message });
  }
}

/** Flushes the authorizer cache of the site's stage; the error's message when it could not. */
async function flushAuthorizerCache(ctx: Context, site: Site): Promise<string | undefined> {
  try {
    await throttled(ctx, () => ctx.clients.apiGateway(site.region).send(new FlushStageAuthorizersCacheCommand({ restApiId: site.apiId, stageName: site.apiStage })));
    ctx.log(`authorizer cache of stage ${site.apiStage} of API ${site.apiId} in ${site.region}: flushed`);
    return undefined;
  } catch (error) {
    return awsFailure("FlushStageAuthorizersCache", site.region, `authorizer cache of stage ${site.apiStage} of API ${site.apiId}`, error).message;
  }
}
