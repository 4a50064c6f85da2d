import type { Logger } from "@aws-lambda-powertools/logger";
import { API_KEYS_TABLE_KEY, LAST_USED_AT_ATTRIBUTE, usageItemId } from "@payments-dr/api-keys";
import type { DynamoDbProvider } from "../aws/dynamodb";
import { loggableError } from "../observability/logger";
import type { MetricsSink } from "../observability/metrics";

/** A key's use is recorded at most this often per container: `lastUsedAt` says "about when", it is no audit log. */
export const KEY_USAGE_INTERVAL_MS = 5 * 60 * 1000;

/** Past this many keys, the keys not recorded within the interval are forgotten (they would be written again anyway). */
const MAX_TRACKED_KEYS = 1000;

/** Records when each API key was last used. */
export interface KeyUsageRecorder {
  readonly enabled: boolean;
  /** Records that `keyId` is in use now, unless this container did so within the interval. Never rejects; `signal` abandons the write. */
  record(keyId: string, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link dynamoKeyUsageRecorder}. */
export interface DynamoKeyUsageOptions {
  tableName: string;
  /** This function's region: it writes only this region's usage items. */
  region: string;
  /** The container's DynamoDB client: short timeouts, two attempts. */
  dynamoDb: DynamoDbProvider;
  logger: Logger;
  metrics: MetricsSink;
  now?: () => number;
  /** @default KEY_USAGE_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * `lastUsedAt` in the keys table, best-effort: `SET lastUsedAt` on the key's usage item of this
 * region (`used#<region>#<keyId>`, never the key's own item: see usageItemId in
 * @payments-dr/api-keys), nothing read back. A failure is logged and
 * otherwise ignored: it never fails a request. The time is taken before the write, so a failed
 * write is not retried before the interval is over either: a DynamoDB outage costs one slow
 * request per key per container every five minutes, not every request.
 */
export function dynamoKeyUsageRecorder(options: DynamoKeyUsageOptions): KeyUsageRecorder {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? KEY_USAGE_INTERVAL_MS;
  const recordedAt = new Map<string, number>();

  function due(keyId: string, at: number): boolean {
    const last = recordedAt.get(keyId);
    if (last !== undefined && at - last < intervalMs) return false;
    if (recordedAt.size >= MAX_TRACKED_KEYS) {
      for (const [id, time] of recordedAt) if (at - time >= intervalMs) recordedAt.delete(id);
    }
    recordedAt.set(keyId, at);
    return true;
  }

  return {
    enabled: true,
    async record(keyId, signal) {
      const at = now();
      if (!due(keyId, at)) return;
      try {
        const { client, commands } = await options.dynamoDb();
        await client.send(
          new commands.UpdateCommand({
            TableName: options.tableName,
            Key: { [API_KEYS_TABLE_KEY]: usageItemId(options.region, keyId) },
            UpdateExpression: "SET #lastUsedAt = :at",
            ExpressionAttributeNames: { "#lastUsedAt": LAST_USED_AT_ATTRIBUTE },
            ExpressionAttributeValues: { ":at": new Date(at).toISOString() },
            ReturnValues: "NONE",
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        options.metrics.count("ApiKeyUseNotRecorded");
        options.logger.warn("API key use not recorded", { keyId, error: loggableError(error) });
      }
    },
  };
}

/** API_KEYS_TABLE unset: nothing recorded. */
export const disabledKeyUsageRecorder: KeyUsageRecorder = {
  enabled: false,
  record: async () => undefined,
};
