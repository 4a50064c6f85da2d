import type { CurrencyCode } from "./currencies";

/**
 * A payment as the API shows it (the same from PostgreSQL and from the sessions table). A field
 * absent from a payment is `null`, never optional: a new field then fails to compile wherever a
 * payment is built (`toPayment`, `inApiFieldOrder`, `fromSessionItem`); `payment-fields.test.ts`
 * checks the copies the compiler cannot see (README, "Adding a field to a payment").
 */
export interface Payment {
  id: string;
  merchantId: string;
  /** Integer minor units. */
  amount: number;
  currency: CurrencyCode;
  status: string;
  reference: string | null;
  description: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/**
 * `payment` with its fields in the API's order, the order of the interface above. A payment's
 * answer is then the same bytes whether it was just created, replayed from its idempotency key
 * (a jsonb column, which orders keys its own way) or read from its session.
 */
export function inApiFieldOrder(payment: Payment): Payment {
  const { id, merchantId, amount, currency, status, reference, description, createdAt } = payment;
  return { id, merchantId, amount, currency, status, reference, description, createdAt };
}

/** The status of a payment just recorded. */
export const INITIAL_STATUS = "created";

/**
 * A PostgreSQL bigint (which pg returns as a string) as a JS number, refusing anything that
 * a number cannot hold exactly. Amounts are ≤ 10^12 by validation, so this never throws for them.
 */
export function bigintToSafeNumber(value: string | number): number {
  const parsed = typeof value === "number" ? value : /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) throw new RangeError("bigint value outside the safe integer range");
  return parsed;
}

/** An API's default endpoint, whose callers name the stage first in the path; a custom domain's base path mapping hides it. */
const DEFAULT_ENDPOINT = /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

/** Where a payment can be read, as the caller reaches the API: `/payments/<id>`, after `/<stage>` on the default endpoint. */
export function paymentLocation(id: string, via: { domainName?: string; stage: string }): string {
  const stage = via.domainName !== undefined && DEFAULT_ENDPOINT.test(via.domainName) ? `/${via.stage}` : "";
  return `${stage}/payments/${id}`;
}
