import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding, PolicyContext } from "../model";
import { glob, isSet, jsonDocument, list, statements } from "../values";
import { policyDocuments } from "./iam";
import { mayBelongToLambda } from "./lambda-roles";

const TABLE = "aws:dynamodb/table:Table";

/** What identifies the merchants' API keys table: this in its name. */
const API_KEYS_TABLE_MARK = "api-keys";

/**
 * Actions that read every key record (hashes, salts, merchants) or write or delete one: the keys
 * CLI's job, under an operator's credentials, never a function's. The PartiQL actions do the
 * same through another API; the stream (old and new images of every item), exports, backups and
 * restores copy every record; UpdateTable, UpdateContinuousBackups and DeleteTable can turn off
 * point-in-time recovery or drop the table.
 */
const API_KEYS_FORBIDDEN_ACTIONS: readonly string[] = [
  "dynamodb:Scan",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLSelect",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
  "dynamodb:GetRecords",
  "dynamodb:GetShardIterator",
  "dynamodb:ExportTableToPointInTime",
  "dynamodb:CreateBackup",
  "dynamodb:RestoreTableFromBackup",
  "dynamodb:RestoreTableToPointInTime",
  "dynamodb:UpdateTable",
  "dynamodb:UpdateContinuousBackups",
  "dynamodb:DeleteTable",
];

const UPDATE_ITEM = "dynamodb:UpdateItem";

/**
 * What starts the id of a usage item, the only items a function may write (USAGE_ITEM_PREFIX in
 * @payments-dr/api-keys, which the pack does not bundle; a test holds them equal).
 */
export const USAGE_ITEM_ID_PREFIX = "used#";

/**
 * No Lambda role may list, create, overwrite or delete API keys, and an UpdateItem on the table
 * names the attributes it may write (`ForAllValues:…` on `dynamodb:Attributes`) and is limited
 * to usage items (`ForAllValues:…` on `dynamodb:LeadingKeys`, every value a `used#…` pattern): a
 * compromised function must not be able to mint, revive or harvest keys, and no function writes
 * a key's own item, where a write in one region can undo a revocation made in the other (the
 * global table's last writer wins). The authorizer reads with GetItem; the API function only
 * records `lastUsedAt` on its usage items.
 *
 * A policy is checked unless every role it belongs to is in the stack and trusts another service
 * than Lambda (see {@link mayBelongToLambda}).
 */
export function apiKeysTableAccess(resources: readonly CheckedResource[], ctx: PolicyContext): Finding[] {
  const tableNames = keysTableNames(resources, ctx);
  const findings: Finding[] = [];
  for (const resource of resources.filter((r) => mayBelongToLambda(r, resources))) {
    for (const { where, document } of policyDocuments(resource)) {
      // An unreadable document is iam-no-admin's finding.
      const parsed = jsonDocument(document);
      if (!parsed) continue;
      for (const statement of statements(parsed).filter((s) => s.Effect === "Allow")) {
        const on = keysTableResources(statement, tableNames);
        if (on === undefined) continue;
        const forbidden = API_KEYS_FORBIDDEN_ACTIONS.filter((action) => allowsAction(statement, action));
        if (forbidden.length > 0) findings.push({ resource, message: `${where} allows ${forbidden.join(", ")} on the API keys table (${on})` });
        if (allowsAction(statement, UPDATE_ITEM) && !limitsAttributes(statement)) {
          findings.push({ resource, message: `${where} allows ${UPDATE_ITEM} on the API keys table (${on}) without a ForAllValues condition on dynamodb:Attributes` });
        }
        if (allowsAction(statement, UPDATE_ITEM) && !limitsToUsageItems(statement)) {
          findings.push({ resource, message: `${where} allows ${UPDATE_ITEM} on the API keys table (${on}) beyond usage items (no ForAllValues condition limiting dynamodb:LeadingKeys to ${USAGE_ITEM_ID_PREFIX}…)` });
        }
      }
    }
  }
  return findings;
}

/**
 * Names a wildcard Resource is tried against: the keys tables of the stack, and the name the
 * stacks give the global table (the DR stack uses its replica and declares no table).
 */
function keysTableNames(resources: readonly CheckedResource[], ctx: PolicyContext): string[] {
  const declared = resources.filter((r) => r.type === TABLE && isSet(r.inputs.name) && r.inputs.name.includes(API_KEYS_TABLE_MARK)).map((r) => r.inputs.name as string);
  return [...new Set([...declared, `payments-dr-${API_KEYS_TABLE_MARK}-${ctx.environmentSuffix}`])];
}

/** The statement's resources that cover the keys table, as text; `undefined` when none does. */
function keysTableResources(statement: Record<string, PlanValue>, tableNames: string[]): string | undefined {
  const reaches = (pattern: PlanValue) => isSet(pattern) && coversKeysTable(pattern, tableNames);
  if (statement.Resource !== undefined) {
    const covering = list(statement.Resource).filter(reaches);
    return covering.length > 0 ? covering.join(", ") : undefined;
  }
  if (statement.NotResource !== undefined && !list(statement.NotResource).some(reaches)) return `NotResource ${list(statement.NotResource).join(", ")}`;
  return undefined;
}

/**
 * A Resource covers the keys table when it is a DynamoDB ARN naming the table (or its indexes),
 * or a wildcard that matches the table's ARN (`*`, `…:table/*`, `…:table/payments-dr-*`).
 */
function coversKeysTable(pattern: string, tableNames: string[]): boolean {
  if (new RegExp(`:dynamodb:[^:]*:[^:]*:table/[^/]*${API_KEYS_TABLE_MARK}`).test(pattern)) return true;
  // The pattern's own partition, region and account stand in for the ones a real ARN would have.
  const [, partition = "aws", , region = "x", account = "x"] = pattern.split(":");
  const matcher = glob(pattern, false);
  return tableNames.some((name) => matcher.test(`arn:${partition}:dynamodb:${region}:${account}:table/${name}`));
}

function allowsAction(statement: Record<string, PlanValue>, action: string): boolean {
  const matches = (pattern: PlanValue) => isSet(pattern) && glob(pattern, true).test(action);
  if (statement.Action !== undefined) return list(statement.Action).some(matches);
  return statement.NotAction !== undefined && !list(statement.NotAction).some(matches);
}

/** A `ForAllValues:` condition on `dynamodb:Attributes` (ForAnyValue would let any other attribute through). */
function limitsAttributes(statement: Record<string, PlanValue>): boolean {
  return Object.entries(statement.Condition ?? {}).some(
    ([operator, keys]) => /^ForAllValues:/i.test(operator) && keys !== null && typeof keys === "object" && Object.keys(keys).some((key) => key.toLowerCase() === "dynamodb:attributes"),
  );
}

/** A `ForAllValues:` condition on `dynamodb:LeadingKeys` whose every value starts with the usage-item prefix. */
function limitsToUsageItems(statement: Record<string, PlanValue>): boolean {
  return Object.entries(statement.Condition ?? {}).some(([operator, keys]) => {
    if (!/^ForAllValues:String(Equals|Like)$/i.test(operator) || keys === null || typeof keys !== "object") return false;
    const leading = Object.entries(keys).find(([key]) => key.toLowerCase() === "dynamodb:leadingkeys")?.[1];
    const values = list(leading as PlanValue);
    return values.length > 0 && values.every((value) => isSet(value) && value.startsWith(USAGE_ITEM_ID_PREFIX));
  });
}
