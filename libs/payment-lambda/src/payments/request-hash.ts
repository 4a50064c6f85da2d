import { createHash } from "node:crypto";
import type { CreatePaymentRequest } from "./validation";

/**
 * The fingerprint an Idempotency-Key is bound to: SHA-256 (hex) of the canonical form of the
 * *validated* request, so key order, whitespace or number spelling (1e3 vs 1000) in the raw
 * body do not make the same request look different. Absent optional fields count as null.
 * Keys outlive a deploy (24 h), so a request must hash the same before and after one: a new
 * field goes at the end of the array, and only when present (a request without it keeps its
 * hash; a retry sent before the deploy then replays instead of being refused 422).
 * `payment-fields.test.ts` pins two hashes and checks that every field changes it.
 */
export function requestHash(request: CreatePaymentRequest): string {
  const canonical = JSON.stringify([request.merchantId, request.amount, request.currency, request.reference ?? null, request.description ?? null]);
  return createHash("sha256").update(canonical).digest("hex");
}
