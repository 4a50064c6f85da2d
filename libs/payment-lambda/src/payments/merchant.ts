import { AUTHORIZER_CONTEXT, MERCHANT_ID_PATTERN } from "@payments-dr/api-keys";
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";

/**
 * Who the merchant is: the one place that knows. The Lambda authorizer verified the caller's
 * API key and put the key's merchant in `event.requestContext.authorizer`; nothing else names
 * the merchant. A body that does is refused, whatever merchant it names.
 */
const MERCHANT_FIELD_REFUSED = "is not allowed: the merchant comes from the API key";

/** Merged into the strict create schema: a body `merchantId` is a named 400, not a silent override. */
export const MERCHANT_BODY_FIELDS = {
  merchantId: v.optional(v.never(MERCHANT_FIELD_REFUSED)),
};

/** Who is calling, as the authorizer established it. */
export interface Caller {
  merchantId: string;
  /** The API key the request came with (its id, not the secret). */
  keyId: string;
}

/**
 * The caller in the authorizer context, or undefined when there is none or it is not what the
 * authorizer writes (then the request did not come through it, and is refused as unauthenticated).
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, "requestContext"> | null | undefined): Caller | undefined {
  const context: unknown = event?.requestContext?.authorizer;
  if (context === null || typeof context !== "object") return undefined;
  const merchantId = (context as Record<string, unknown>)[AUTHORIZER_CONTEXT.merchantId];
  const keyId = (context as Record<string, unknown>)[AUTHORIZER_CONTEXT.keyId];
  if (typeof merchantId !== "string" || !MERCHANT_ID_PATTERN.test(merchantId)) return undefined;
  if (typeof keyId !== "string" || keyId.length === 0) return undefined;
  return { merchantId, keyId };
}
