import type { Logger } from "@aws-lambda-powertools/logger";
import * as v from "valibot";
import type { DynamoDbProvider } from "../aws/dynamodb";
import { CURRENCY_CODES } from "../payments/currencies";
import { inApiFieldOrder, type Payment } from "../payments/payment";
import { SESSION_KEY_ATTRIBUTE, SESSION_TTL_ATTRIBUTE, sessionId } from "./session-key";

/** How long a payment's session lives (the table's TTL attribute `expiresAt`). */
export const SESSION_TTL_SECONDS = 24 * 60 * 60;

/** Session state of a payment in the DynamoDB sessions table. The system of record stays PostgreSQL. */
export interface SessionStore {
  /** Writes the payment's session. Callers treat a failure as non-fatal. `signal` abandons the call. */
  put(payment: Payment, signal?: AbortSignal): Promise<void>;
  /**
   * Writes the payment's session unless it has one (a replay's: the session may be newer than
   * the response stored with the key). A session already there is no failure.
   */
  putIfAbsent(payment: Payment, signal?: AbortSignal): Promise<void>;
  /** The payment as last written to its session, or undefined. `signal` abandons the call. */
  get(paymentId: string, signal?: AbortSignal): Promise<Payment | undefined>;
}

/**
 * The item: `{ sessionId, status, merchantId, amount, currency, expiresAt }` (the key and the
 * TTL attribute as libs/storage creates the table: SESSION_KEY_ATTRIBUTE, SESSION_TTL_ATTRIBUTE) plus the fields a
 * GET shows (id, reference, description, createdAt), so a GET served from here and one served
 * from PostgreSQL answer the same.
 */
export function toSessionItem(payment: Payment, nowMs: number): Record<string, unknown> {
  return {
    [SESSION_KEY_ATTRIBUTE]: sessionId(payment.id),
    paymentId: payment.id,
    status: payment.status,
    merchantId: payment.merchantId,
    amount: payment.amount,
    currency: payment.currency,
    reference: payment.reference,
    description: payment.description,
    createdAt: payment.createdAt,
    [SESSION_TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS,
  };
}

const sessionItemSchema = v.object({
  paymentId: v.string(),
  status: v.string(),
  merchantId: v.string(),
  amount: v.pipe(v.number(), v.safeInteger(), v.gtValue(0)),
  currency: v.picklist(CURRENCY_CODES),
  reference: v.nullable(v.string()),
  description: v.nullable(v.string()),
  createdAt: v.string(),
  [SESSION_TTL_ATTRIBUTE]: v.pipe(v.number(), v.finite()), // v.number() alone takes ±Infinity
});

/** The payment in an item; undefined for an item that is expired (TTL deletion lags) or not ours. */
export function fromSessionItem(item: Record<string, unknown> | undefined, nowMs: number): Payment | undefined {
  const parsed = v.safeParse(sessionItemSchema, item);
  if (!parsed.success || parsed.output[SESSION_TTL_ATTRIBUTE] * 1000 <= nowMs) return undefined;
  const { paymentId, [SESSION_TTL_ATTRIBUTE]: _expiresAt, ...rest } = parsed.output;
  return inApiFieldOrder({ id: paymentId, ...rest });
}

/** Options of {@link dynamoSessionStore}. */
export interface DynamoSessionStoreOptions {
  tableName: string;
  /** The container's DynamoDB client (short timeouts, two attempts: a slow table must not hold a payment response). */
  dynamoDb: DynamoDbProvider;
  now?: () => number;
}

/** Sessions in DynamoDB, through the container's one client. */
export function dynamoSessionStore(options: DynamoSessionStoreOptions): SessionStore {
  const now = options.now ?? Date.now;
  return {
    async put(payment, signal) {
      const { client, commands } = await options.dynamoDb();
      await client.send(new commands.PutCommand({ TableName: options.tableName, Item: toSessionItem(payment, now()) }), { abortSignal: signal });
    },
    async putIfAbsent(payment, signal) {
      const { client, commands } = await options.dynamoDb();
      try {
        await client.send(
          new commands.PutCommand({
            TableName: options.tableName,
            Item: toSessionItem(payment, now()),
            ConditionExpression: "attribute_not_exists(#key)",
            ExpressionAttributeNames: { "#key": SESSION_KEY_ATTRIBUTE },
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name !== "ConditionalCheckFailedException") throw error;
      }
    },
    async get(paymentId, signal) {
      const { client, commands } = await options.dynamoDb();
      const { Item } = await client.send(new commands.GetCommand({ TableName: options.tableName, Key: { [SESSION_KEY_ATTRIBUTE]: sessionId(paymentId) } }), {
        abortSignal: signal,
      });
      return fromSessionItem(Item, now());
    },
  };
}

/**
 * Sessions off (SESSIONS_TABLE unset): nothing written, every read falls back to PostgreSQL. Said
 * once, at the container's first payment request: the /health function has no table by design,
 * and must not announce it at each cold start.
 */
export function sessionsOff(logger: Pick<Logger, "info">): SessionStore {
  let said = false;
  const say = () => {
    if (said) return;
    said = true;
    logger.info("Sessions are off: SESSIONS_TABLE is not set");
  };
  return {
    put: async () => say(),
    putIfAbsent: async () => say(),
    get: async () => {
      say();
      return undefined;
    },
  };
}
