import { KEY_ID_PATTERN } from "./key-format";

/**
 * When a key was last used is kept in items of its own, never on the key's item.
 *
 * The keys table is a DynamoDB global table: when two regions write the same item before either
 * write has replicated, the later write wins, for the whole item. A payment API recording a use
 * on the key's item in one region, while a revocation written in the other had not arrived yet,
 * would carry the key's old `active` status over the revocation: the key would work again, for
 * good. So the payment API writes only usage items, one per region and key
 * (`used#<region>#<keyId>`: two regions never write the same one), and key items are written by
 * the keys CLI alone. The authorizer never reads a usage item: their ids are no key ids.
 */
export const USAGE_ITEM_PREFIX = "used#";

/** The one attribute a usage item holds besides its key: when its region last saw the key (ISO 8601). */
export const LAST_USED_AT_ATTRIBUTE = "lastUsedAt";

/** The table key (`keyId` attribute) of `keyId`'s usage item in `region`. */
export function usageItemId(region: string, keyId: string): string {
  return `${USAGE_ITEM_PREFIX}${region}#${keyId}`;
}

/** The region and key of a usage item's id; undefined for any other item (a key's). */
export function parseUsageItemId(id: string): { region: string; keyId: string } | undefined {
  if (!id.startsWith(USAGE_ITEM_PREFIX)) return undefined;
  const rest = id.slice(USAGE_ITEM_PREFIX.length);
  const separator = rest.lastIndexOf("#");
  const [region, keyId] = [rest.slice(0, separator), rest.slice(separator + 1)];
  return separator > 0 && KEY_ID_PATTERN.test(keyId) ? { region, keyId } : undefined;
}
