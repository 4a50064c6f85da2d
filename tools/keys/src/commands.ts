import { newApiKey, parseApiKey } from "@payments-dr/api-keys";
import { FailedError } from "@payments-dr/cli-support";
import type { Context } from "./context";
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

export interface Revocation {
  region: string;
  table: string;
  key: KeySummary;
  alreadyRevoked: boolean;
}

/**
 * `keys create`: the usage key in both regions first (a failure there writes nothing), then the
 * record, conditionally, in the chosen region's replica of the global table. The input was
 * checked by parseCliArgs, as for the other commands.
 */
export async function createKey(ctx: Context, input: { merchantId: string; label?: string; region?: string }): Promise<CreatedKey> {
  const { merchantId, label } = input;
  const site = ctx.deployment.resolve(input.region);
  const table = new KeyTable(ctx, site.region);

  let usage;
  try {
    usage = await ensureUsageKeys(ctx, merchantId);
  } catch (error) {
    if (error instanceof FailedError) throw new FailedError(`${error.message}; nothing was written to the keys table (a re-run reuses the usage keys already made)`);
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

/** `keys revoke`: status revoked and the time; an unknown key is refused, a revoked one is fine. */
export async function revokeKey(ctx: Context, input: { keyId: string; region?: string }): Promise<Revocation> {
  const { keyId } = input;
  const site = ctx.deployment.resolve(input.region);
  const table = new KeyTable(ctx, site.region);
  const { summary, alreadyRevoked } = await table.revoke(keyId, ctx.now());
  return { region: site.region, table: table.name, key: summary, alreadyRevoked };
}
