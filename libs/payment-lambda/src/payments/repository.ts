import type { ClientBase } from "pg";
import { codeOf, SQLSTATE_LOCK_NOT_AVAILABLE } from "../db/errors";
import { queryPrepared } from "../db/prepared-statement";
import { inTransaction } from "../db/transaction";
import type { CurrencyCode } from "./currencies";
import { bigintToSafeNumber, inApiFieldOrder, INITIAL_STATUS, type Payment } from "./payment";
import type { CreatePaymentRequest } from "./validation";

/** A create request bound to its idempotency key. */
export interface IdempotentCreate {
  request: CreatePaymentRequest;
  idempotencyKey: string;
  /** {@link requestHash} of `request`. */
  requestHash: string;
}

/** The response recorded with an idempotency key, replayed for a retry of the same request. */
interface StoredResponse {
  status: number;
  body: unknown;
}

/** What creating a payment under an idempotency key came to. */
export type CreateOutcome =
  | { kind: "created"; payment: Payment; response: StoredResponse }
  | { kind: "replayed"; payment: Payment; response: StoredResponse }
  | { kind: "key-reused" }
  | { kind: "in-progress" };

/** Options of {@link createPayment}. */
export interface CreatePaymentOptions {
  /** How long a key is kept; the schema requires ≥ 24 h. @default 24 */
  keyRetentionHours?: number;
  /**
   * How long to wait for a concurrent request holding the same key before answering 409.
   * A concurrent first request usually commits within milliseconds, and then this one replays.
   * @default 1000
   */
  keyLockTimeoutMs?: number;
  /**
   * The session's statement timeout: the key's wait ends {@link KEY_WAIT_MARGIN_MS} before it, so
   * a request for a key in flight answers 409 (retry), never the statement timeout's 503.
   */
  statementTimeoutMs?: number;
}

/** How long before the statement timeout the wait for a key in flight gives up. */
const KEY_WAIT_MARGIN_MS = 100;

interface PaymentRow {
  id: string;
  merchant_id: string;
  amount: string;
  currency: string;
  status: string;
  reference: string | null;
  description: string | null;
  created_at: Date;
}

interface KeyRow {
  request_hash: string;
  status: "in_progress" | "completed";
  response_status: number | null;
  response_body: unknown;
  expired: boolean;
}

// Every statement with parameters runs prepared (named, see db/prepared-statement.ts): after
// its first run on a connection, PostgreSQL skips parse and plan, which cut its CPU per new
// payment by about a third (docs/benchmarks.md).
const PAYMENT_COLUMNS = "id, merchant_id, amount, currency, status, reference, description, created_at";

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    amount: bigintToSafeNumber(row.amount),
    currency: row.currency as CurrencyCode,
    status: row.status,
    reference: row.reference,
    description: row.description,
    createdAt: row.created_at.toISOString(),
  };
}

/** The key waited past keyLockTimeoutMs on another transaction holding the same key (its row). */
class KeyHeldElsewhere extends Error {}

/** Attempts at claiming a key: a second one is needed only when the key expired or vanished meanwhile. */
const MAX_CLAIM_ATTEMPTS = 3;

async function claimKey(client: ClientBase, merchantId: string, input: IdempotentCreate, retentionHours: number): Promise<boolean> {
  try {
    const inserted = await queryPrepared(client, {
      name: "claim-key",
      text: `INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, expires_at)
       VALUES ($1, $2, $3, 'in_progress', now() + make_interval(hours => $4))
       ON CONFLICT (merchant_id, idempotency_key) DO NOTHING`,
      values: [merchantId, input.idempotencyKey, input.requestHash, retentionHours],
    });
    return inserted.rowCount === 1;
  } catch (error) {
    keyHeldOnLockTimeout(error);
  }
}

/** Rethrows `error`, as {@link KeyHeldElsewhere} when it is the key's lock timeout. */
function keyHeldOnLockTimeout(error: unknown): never {
  if (codeOf(error) === SQLSTATE_LOCK_NOT_AVAILABLE) throw new KeyHeldElsewhere();
  throw error;
}

/**
 * Records a payment exactly once per (merchant, Idempotency-Key), in one transaction:
 *
 * 1. `INSERT … ON CONFLICT DO NOTHING` claims the key. A concurrent transaction that inserted
 *    the same key holds its unique-index entry until it ends, so this insert *waits* for it
 *    (bounded by a local lock_timeout) and then sees its committed row: 50 identical requests
 *    make one payment and 49 replays. A wait past the timeout answers "in progress" (409).
 * 2. Claimed: insert the payment, complete the key with the response, commit — all or nothing.
 * 3. Not claimed: the committed key decides — same request hash → replay the stored response;
 *    another hash → "key reused" (422). An expired key is deleted and claimed afresh; a wait past
 *    the lock timeout for its row (another request re-claiming it, or the cleanup) is "in progress" too.
 *
 * The table's own lock is taken first, before the short lock timeout applies: a session holding
 * the whole table (a migration, VACUUM FULL, REINDEX) makes the request wait up to
 * statement_timeout and answer 503, never "in progress" for a key nobody else holds.
 */
export async function createPayment(client: ClientBase, input: IdempotentCreate, options: CreatePaymentOptions = {}): Promise<CreateOutcome> {
  const retentionHours = options.keyRetentionHours ?? 24;
  // At least 1 ms: PostgreSQL reads a lock_timeout of 0 as no limit at all.
  const lockTimeoutMs = Math.max(1, Math.trunc(Math.min(options.keyLockTimeoutMs ?? 1000, (options.statementTimeoutMs ?? Infinity) - KEY_WAIT_MARGIN_MS)));
  const { request } = input;
  try {
    // Sent with BEGIN: the table lock under statement_timeout, then the brief wait for the key's
    // row (the claim and an expired key's delete); the payment insert resets it to statement_timeout.
    const setup = ["LOCK TABLE idempotency_keys IN ROW EXCLUSIVE MODE", `SET LOCAL lock_timeout = ${lockTimeoutMs}`];
    // A new key takes three round trips: BEGIN with the claim, the lock_timeout reset with the
    // payment, the key's completion with COMMIT (see inTransaction; the client pipelines).
    return await inTransaction(client, async (commitAfter) => {
      for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
        if (await claimKey(client, request.merchantId, input, retentionHours)) {
          const [, { rows }] = await Promise.all([
            client.query("SET LOCAL lock_timeout = 0"),
            queryPrepared<PaymentRow>(client, {
              name: "insert-payment",
              text: `INSERT INTO payments (merchant_id, amount, currency, status, reference, description)
             VALUES ($1, $2::bigint, $3, $4, $5, $6) RETURNING ${PAYMENT_COLUMNS}`,
              values: [request.merchantId, String(request.amount), request.currency, INITIAL_STATUS, request.reference ?? null, request.description ?? null],
            }),
          ]);
          const payment = toPayment(rows[0]!);
          const response: StoredResponse = { status: 201, body: payment };
          commitAfter(
            queryPrepared(client, {
              name: "complete-key",
              text: `UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4::jsonb, payment_id = $5
             WHERE merchant_id = $1 AND idempotency_key = $2`,
              values: [request.merchantId, input.idempotencyKey, response.status, JSON.stringify(response.body), payment.id],
            }),
          );
          return { kind: "created", payment, response } as const;
        }
        const { rows } = await queryPrepared<KeyRow>(client, {
          name: "read-key",
          text: `SELECT request_hash, status, response_status, response_body, expires_at <= now() AS expired
           FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2`,
          values: [request.merchantId, input.idempotencyKey],
        });
        const key = rows[0];
        if (key?.expired) {
          await queryPrepared(client, {
            name: "delete-expired-key",
            text: "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2 AND expires_at <= now()",
            values: [request.merchantId, input.idempotencyKey],
          }).catch(keyHeldOnLockTimeout);
          continue;
        }
        if (!key) continue;
        if (key.request_hash !== input.requestHash) return { kind: "key-reused" } as const;
        if (key.status !== "completed" || key.response_status === null) return { kind: "in-progress" } as const;
        // A completed key's response is the payment it created (above), put back in the API's
        // field order: the replay answers with the original's bytes.
        const payment = inApiFieldOrder(key.response_body as Payment);
        return { kind: "replayed", payment, response: { status: key.response_status, body: payment } } as const;
      }
      return { kind: "in-progress" } as const;
    }, setup);
  } catch (error) {
    if (error instanceof KeyHeldElsewhere) return { kind: "in-progress" };
    throw error;
  }
}

/** The payment `id`, or undefined. */
export async function findPayment(client: ClientBase, id: string): Promise<Payment | undefined> {
  const { rows } = await queryPrepared<PaymentRow>(client, { name: "find-payment", text: `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`, values: [id] });
  return rows[0] ? toPayment(rows[0]) : undefined;
}
