import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  API_KEYS_TABLE_KEY,
  KEY_ID_PATTERN,
  LAST_USED_AT_ATTRIBUTE,
  MERCHANT_ID_PATTERN,
  parseApiKey,
  parseUsageItemId,
  RESERVATION_ITEM_PREFIX,
  reservationItemId,
  USAGE_ITEM_PREFIX,
  type ApiKeyRecord,
} from "@payments-dr/api-keys";
import { FailedError, isAwsError, RefusedError } from "@payments-dr/cli-support";
import type { Context } from "./context";
import { awsFailure, type Secrets } from "./errors";

/** What `list` shows of a key: never the salt, the hash or the usage key value. */
export interface KeySummary {
  keyId: string;
  merchantId: string;
  /** `active` or `revoked`; anything else as stored (the authorizer treats such an item as no key). */
  status: string;
  label?: string;
  createdAt: string;
  /** The latest use either region's payment API recorded (in its usage item of the key). */
  lastUsedAt?: string;
  revokedAt?: string;
}

/** The attributes `list` reads of a key's item, by projection: the secret material never leaves the table. */
const SUMMARY_ATTRIBUTES = ["keyId", "merchantId", "status", "label", "createdAt", "revokedAt"] as const;

/** What a usage item holds (see usageItemId in @payments-dr/api-keys). */
const USAGE_ITEM_ATTRIBUTES = [API_KEYS_TABLE_KEY, LAST_USED_AT_ATTRIBUTE] as const;

/** A Scan filter: its expression, and the names and values it uses. */
interface ScanFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The key items of one merchant (usage items and reservations have no merchant). */
const ofMerchant = (merchantId: string): ScanFilter => ({ expression: "#m = :m", names: { "#m": "merchantId" }, values: { ":m": merchantId } });

/** Usage items only. */
const USAGE_ITEMS: ScanFilter = { expression: "begins_with(#k, :used)", names: { "#k": API_KEYS_TABLE_KEY }, values: { ":used": USAGE_ITEM_PREFIX } };

/** Whether a scanned item is no key's: a usage item, or a merchant's usage key reservation. */
function isOtherItem(item: Record<string, unknown>): boolean {
  const id = item[API_KEYS_TABLE_KEY];
  return typeof id === "string" && (id.startsWith(USAGE_ITEM_PREFIX) || id.startsWith(RESERVATION_ITEM_PREFIX));
}

/** What `sync` reads of a key: the usage key value (absent on a key made without one), never the salt or the hash. */
export type KeyUsage = Pick<ApiKeyRecord, "keyId" | "merchantId" | "status" | "usageKey">;

/** An item `sync` cannot use (never acted on): its key id when valid, and what is wrong with it. */
export interface SkippedItem {
  keyId?: string;
  merchantId?: string;
  problem: string;
}

/** The attributes `sync` reads, by projection. */
const USAGE_ATTRIBUTES = ["keyId", "merchantId", "status", "usageKey"] as const;

/** Projection of `attributes` with every name aliased (`status` is a DynamoDB reserved word). */
function projection(attributes: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  return {
    ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(", "),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#p${i}`, a])),
  };
}

/** The keys table (a global table) in one region. */
export class KeyTable {
  private readonly db: DynamoDBDocumentClient;
  private readonly secrets: Secrets;

  constructor(
    ctx: Context,
    readonly region: string,
    readonly name = ctx.deployment.tableName,
  ) {
    this.db = DynamoDBDocumentClient.from(ctx.clients.dynamodb(region));
    this.secrets = ctx.secrets;
  }

  /**
   * Writes a new key; a key id already taken (2⁻⁶⁴ odds) fails rather than overwrites. The SDK
   * retries a write whose answer was lost, and the retry then finds our own item: a consistent
   * read that finds the same salt and hash says the write went through.
   */
  async put(record: ApiKeyRecord): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.name, Item: { ...record }, ConditionExpression: `attribute_not_exists(${API_KEYS_TABLE_KEY})` }));
    } catch (error) {
      if (!isAwsError(error, "ConditionalCheckFailedException")) throw awsFailure("PutItem", this.region, `table ${this.name}`, error);
      if (await this.holds(record)) return;
      throw new FailedError(`key id ${record.keyId} is already taken in ${this.name}: re-run to draw another`);
    }
  }

  /**
   * Reserves `value` as the merchant's usage key value unless one is reserved already (in this
   * replica), and returns the reserved one: `value`, or the value another create reserved first
   * (read strongly consistently). A write whose answer was lost and that the SDK retried finds
   * `value` itself.
   */
  async reserveUsageKey(merchantId: string, value: string, now: Date): Promise<string> {
    // Before the write: an error that echoes the item must not print the value.
    this.secrets.add(value);
    try {
      // No reservation yet, or one without a value (a hand edit): written.
      await this.db.send(new PutCommand({ TableName: this.name, Item: reservation(merchantId, value, now), ConditionExpression: "attribute_not_exists(usageKey)" }));
      return value;
    } catch (error) {
      if (!isAwsError(error, "ConditionalCheckFailedException")) throw awsFailure("PutItem", this.region, `usage key reservation of merchant ${merchantId} in ${this.name}`, error);
    }
    const reserved = await this.reservedUsageKey(merchantId);
    if (reserved === undefined) throw new FailedError(`the usage key reservation of merchant ${merchantId} in ${this.name} (${this.region}) holds no valid usage key value: delete the item ${reservationItemId(merchantId)}, then re-run`);
    return reserved;
  }

  /**
   * Sets the merchant's reservation to `value`, the one its usage keys already hold, whatever it
   * held (none: a merchant made before reservations; another value: a create in the other region's
   * replica won the item). Returns the value it held.
   */
  async setReservedUsageKey(merchantId: string, value: string, now: Date): Promise<string | undefined> {
    this.secrets.add(value);
    let out;
    try {
      out = await this.db.send(new PutCommand({ TableName: this.name, Item: reservation(merchantId, value, now), ReturnValues: "ALL_OLD" }));
    } catch (error) {
      throw awsFailure("PutItem", this.region, `usage key reservation of merchant ${merchantId} in ${this.name}`, error);
    }
    const previous: unknown = out.Attributes?.usageKey;
    if (typeof previous !== "string") return undefined;
    this.secrets.add(previous);
    return previous;
  }

  private async reservedUsageKey(merchantId: string): Promise<string | undefined> {
    let out;
    try {
      out = await this.db.send(new GetCommand({ TableName: this.name, Key: { [API_KEYS_TABLE_KEY]: reservationItemId(merchantId) }, ConsistentRead: true, ProjectionExpression: "usageKey" }));
    } catch (error) {
      throw awsFailure("GetItem", this.region, `usage key reservation of merchant ${merchantId} in ${this.name}`, error);
    }
    const value = out.Item?.usageKey;
    if (typeof value !== "string" || value === "") return undefined;
    this.secrets.add(value);
    return value;
  }

  /** Whether the table holds exactly this record's secret (salt and hash), read strongly consistently. */
  private async holds(record: ApiKeyRecord): Promise<boolean> {
    try {
      const out = await this.db.send(new GetCommand({ TableName: this.name, Key: { [API_KEYS_TABLE_KEY]: record.keyId }, ConsistentRead: true, ProjectionExpression: "salt, secretHash" }));
      return out.Item?.salt === record.salt && out.Item?.secretHash === record.secretHash;
    } catch (error) {
      throw awsFailure("GetItem", this.region, `key ${record.keyId} in ${this.name}`, error);
    }
  }

  /**
   * Every key (of one merchant), read page by page; eventually consistent like any Scan. Its last
   * use is the latest of the usage items the two regions' payment APIs keep for it.
   */
  async list(merchantId?: string): Promise<KeySummary[]> {
    const [items, lastUses] = await Promise.all([this.scan(SUMMARY_ATTRIBUTES, merchantId === undefined ? undefined : ofMerchant(merchantId)), this.lastUses()]);
    const keys = items.filter((item) => !isOtherItem(item)).map((item) => {
      const key = summary(item);
      const lastUsedAt = lastUses.get(key.keyId);
      return lastUsedAt === undefined ? key : { ...key, lastUsedAt };
    });
    return keys.sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  /** The latest recorded use of each key, over its usage items (one per region). */
  private async lastUses(): Promise<Map<string, string>> {
    const latest = new Map<string, string>();
    for (const item of await this.scan(USAGE_ITEM_ATTRIBUTES, USAGE_ITEMS)) {
      const usage = typeof item[API_KEYS_TABLE_KEY] === "string" ? parseUsageItemId(item[API_KEYS_TABLE_KEY] as string) : undefined;
      const at = item[LAST_USED_AT_ATTRIBUTE];
      if (!usage || typeof at !== "string") continue;
      const known = latest.get(usage.keyId);
      if (known === undefined || at > known) latest.set(usage.keyId, at);
    }
    return latest;
  }

  /**
   * What `sync` needs of every key: id, merchant, status and the usage key value (not a
   * credential: the authorizer hands it to API Gateway). Never the salt or the hash. A strongly
   * consistent scan (of this replica: a global table is consistent per region only). Items whose
   * key id, merchant id or status is not valid are returned apart, as skipped. `merchantId`: that
   * merchant's keys only.
   */
  async usageKeys(merchantId?: string): Promise<{ keys: KeyUsage[]; skipped: SkippedItem[] }> {
    const keys: KeyUsage[] = [];
    const skipped: SkippedItem[] = [];
    for (const item of await this.scan(USAGE_ATTRIBUTES, merchantId === undefined ? undefined : ofMerchant(merchantId), true)) {
      // A usage item (a key's last use in one region) or a reservation is no key: nothing to sync.
      if (isOtherItem(item)) continue;
      const text = (name: string) => (typeof item[name] === "string" ? (item[name] as string) : undefined);
      const [keyId, merchantId, status, usageKey] = [text("keyId"), text("merchantId"), text("status"), text("usageKey")];
      this.secrets.add(usageKey);
      // Values that fail their pattern are never echoed: they could hold anything.
      const problems = [
        ...(keyId !== undefined && KEY_ID_PATTERN.test(keyId) ? [] : ["key id"]),
        // An API key fits the merchant id pattern: never take one for a merchant id.
        ...(merchantId !== undefined && MERCHANT_ID_PATTERN.test(merchantId) && !parseApiKey(merchantId) ? [] : ["merchant id"]),
        ...(status === "active" || status === "revoked" ? [] : ["status (neither active nor revoked)"]),
      ];
      if (problems.length > 0) {
        skipped.push({
          ...(problems.includes("key id") ? {} : { keyId }),
          ...(problems.includes("merchant id") ? {} : { merchantId }),
          problem: `missing or invalid ${problems.join(", ")}`,
        });
        continue;
      }
      keys.push({ keyId: keyId!, merchantId: merchantId!, status: status as KeyUsage["status"], ...(usageKey ? { usageKey } : {}) });
    }
    return { keys, skipped };
  }

  /** Every item (that `filter` keeps), projected to `attributes`, read page by page (strongly consistent with `consistent`). */
  private async scan(attributes: readonly string[], filter?: ScanFilter, consistent = false): Promise<Record<string, unknown>[]> {
    const { ProjectionExpression, ExpressionAttributeNames } = projection(attributes);
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      let out;
      try {
        out = await this.db.send(
          new ScanCommand({
            TableName: this.name,
            ProjectionExpression,
            ExpressionAttributeNames: { ...ExpressionAttributeNames, ...filter?.names },
            ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeValues: filter.values } : {}),
            ExclusiveStartKey: start,
            ...(consistent ? { ConsistentRead: true } : {}),
          }),
        );
      } catch (error) {
        throw awsFailure("Scan", this.region, `table ${this.name}`, error);
      }
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Marks a key revoked. The condition keeps the first revocation's time on a second run; when it
   * fails, a consistent read tells an unknown key (refused) from one already revoked. The SDK
   * retries a write whose answer was lost, and the retry then fails the condition on our own
   * revocation: one revoked at `now`, to the millisecond, is ours, not one revoked before.
   */
  async revoke(keyId: string, now: Date): Promise<{ summary: KeySummary; alreadyRevoked: boolean }> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.name,
          Key: { [API_KEYS_TABLE_KEY]: keyId },
          UpdateExpression: "SET #status = :revoked, #revokedAt = :now",
          ConditionExpression: `attribute_exists(${API_KEYS_TABLE_KEY}) AND #status <> :revoked`,
          ExpressionAttributeNames: { "#status": "status", "#revokedAt": "revokedAt" },
          ExpressionAttributeValues: { ":revoked": "revoked", ":now": now.toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { summary: summary(out.Attributes ?? {}), alreadyRevoked: false };
    } catch (error) {
      if (!isAwsError(error, "ConditionalCheckFailedException")) throw awsFailure("UpdateItem", this.region, `revoke ${keyId} in ${this.name}`, error);
    }
    const current = await this.get(keyId);
    if (!current) throw new RefusedError(`no API key ${keyId} in ${this.name} (${this.region}); nothing changed`);
    if (current.status !== "revoked") throw new FailedError(`API key ${keyId} changed while being revoked: re-run`);
    return { summary: current, alreadyRevoked: current.revokedAt !== now.toISOString() };
  }

  private async get(keyId: string): Promise<KeySummary | undefined> {
    try {
      const out = await this.db.send(new GetCommand({ TableName: this.name, Key: { [API_KEYS_TABLE_KEY]: keyId }, ConsistentRead: true, ...projection(SUMMARY_ATTRIBUTES) }));
      return out.Item ? summary(out.Item) : undefined;
    } catch (error) {
      throw awsFailure("GetItem", this.region, `key ${keyId} in ${this.name}`, error);
    }
  }
}

/** A merchant's usage key reservation item (see reservationItemId in @payments-dr/api-keys). */
function reservation(merchantId: string, value: string, now: Date): Record<string, unknown> {
  return { [API_KEYS_TABLE_KEY]: reservationItemId(merchantId), usageKey: value, reservedAt: now.toISOString() };
}

/** The shown fields of an item, whatever else it holds. */
function summary(item: Record<string, unknown>): KeySummary {
  const text = (name: string) => (typeof item[name] === "string" ? (item[name] as string) : undefined);
  const optional = (name: "label" | "revokedAt") => (text(name) === undefined ? {} : { [name]: text(name) });
  return {
    keyId: text("keyId") ?? "?",
    merchantId: text("merchantId") ?? "?",
    status: text("status") ?? "?",
    ...optional("label"),
    createdAt: text("createdAt") ?? "?",
    ...optional("revokedAt"),
  };
}
