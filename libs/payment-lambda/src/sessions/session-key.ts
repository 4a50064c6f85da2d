/** The sessions table's partition key attribute (libs/storage creates the table with it). */
export const SESSION_KEY_ATTRIBUTE = "sessionId";

/** The attribute holding each item's expiry, epoch seconds: the table's TTL attribute (libs/storage). */
export const SESSION_TTL_ATTRIBUTE = "expiresAt";

/** What a payment's session key starts with: the table could hold other sessions one day. */
export const PAYMENT_SESSION_PREFIX = "payment#";

/** The table's partition key value for a payment: `payment#<id>`. */
export const sessionId = (paymentId: string): string => `${PAYMENT_SESSION_PREFIX}${paymentId}`;
