import type { CheckedResource } from "../model";

/** Longest retention this policy accepts without a second look (CloudWatch allows 400 days). */
const MAX_LOG_RETENTION_DAYS = 400;

/** Advisory: log groups expire their events, within a bounded cost. 0 or unset keeps them forever. */
export function logRetention(resource: CheckedResource): string[] {
  if (resource.type !== "aws:cloudwatch/logGroup:LogGroup") return [];
  const days = resource.inputs.retentionInDays;
  if (typeof days !== "number" || days <= 0) return ["retentionInDays is not set: events are kept forever"];
  return days <= MAX_LOG_RETENTION_DAYS ? [] : [`retentionInDays ${days} exceeds ${MAX_LOG_RETENTION_DAYS}`];
}
