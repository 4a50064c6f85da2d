/**
 * Each merchant's usage key value is reserved in an item of its own, `merchant#<merchantId>`
 * holding `usageKey` and `reservedAt`, before any usage key is made in API Gateway: `keys create`
 * writes it conditionally (`attribute_not_exists`), so two creates for a new merchant agree on one
 * value (the second finds the first's). Conditional writes hold within one replica of the global
 * table only: two creates in different regions' replicas, within the replication lag, can still
 * each reserve a value (the later write wins the item; `keys sync` refuses a merchant whose
 * active keys hold two values).
 *
 * A reservation is no key: its id is no key id (the authorizer looks keys up by key id alone), and
 * it has no merchant id, status, salt or hash. Only the keys CLI writes it (a function may write
 * usage items only: the policy pack's `api-keys-table-access`).
 */
export const RESERVATION_ITEM_PREFIX = "merchant#";

/** The table key (`keyId` attribute) of `merchantId`'s usage key reservation. */
export function reservationItemId(merchantId: string): string {
  return `${RESERVATION_ITEM_PREFIX}${merchantId}`;
}
