import type { CheckedResource } from "../model";
import { list } from "../values";

/**
 * Point-in-time recovery on the table and on every replica, from day one (DESIGN §5). Mandatory:
 * a replica without it differs from the table forever (perpetual diffs or a replaced replica,
 * DESIGN §10), and it is the only way back from a bad write replicated to both regions.
 */
export function dynamodbPointInTimeRecovery(resource: CheckedResource): string[] {
  if (resource.type !== "aws:dynamodb/table:Table") return [];
  const problems = resource.inputs.pointInTimeRecovery?.enabled === true ? [] : ["pointInTimeRecovery is not enabled on the table"];
  for (const replica of list(resource.inputs.replicas)) {
    if (replica?.pointInTimeRecovery !== true) problems.push(`replica in ${replica?.regionName ?? "?"} has no pointInTimeRecovery`);
  }
  return problems;
}
