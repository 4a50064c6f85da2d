import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isRedacted, list, unverifiable } from "../values";

const TABLE = "aws:dynamodb/table:Table";
/** A replica managed as its own resource (the table then declares no `replicas`). */
export const TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";

/** Days back point-in-time recovery must reach, at least (unset, DynamoDB keeps 35). */
const MIN_RECOVERY_PERIOD_DAYS = 7;

/**
 * Point-in-time recovery on the table and on every replica, from day one (DESIGN §5), reaching a
 * week back. Mandatory: a replica without it differs from the table forever (perpetual diffs or a
 * replaced replica, DESIGN §10), and it is the only way back from a bad write replicated to both
 * regions, which is not always noticed the same day. A replica is either inline (`replicas`) or an
 * `aws.dynamodb.TableReplica`.
 */
export function dynamodbPointInTimeRecovery(resource: CheckedResource): string[] {
  if (resource.type === TABLE_REPLICA) {
    return resource.inputs.pointInTimeRecovery === true ? [] : [`pointInTimeRecovery is not true on this replica in ${resource.region ?? "?"}`];
  }
  if (resource.type !== TABLE) return [];
  const pitr = resource.inputs.pointInTimeRecovery;
  const problems = pitr?.enabled === true ? recoveryPeriodProblems(pitr.recoveryPeriodInDays) : ["pointInTimeRecovery is not enabled on the table"];
  for (const replica of list(resource.inputs.replicas)) {
    if (replica?.pointInTimeRecovery !== true) problems.push(`replica in ${replica?.regionName ?? "?"} has no pointInTimeRecovery`);
  }
  return problems;
}

function recoveryPeriodProblems(days: PlanValue): string[] {
  if (days === undefined || days === null) return [];
  if (isRedacted(days)) return [unverifiable("pointInTimeRecovery.recoveryPeriodInDays")];
  if (typeof days === "number" && days >= MIN_RECOVERY_PERIOD_DAYS) return [];
  return [`pointInTimeRecovery.recoveryPeriodInDays is ${days}, below ${MIN_RECOVERY_PERIOD_DAYS} days: a bad write noticed after that cannot be undone`];
}
