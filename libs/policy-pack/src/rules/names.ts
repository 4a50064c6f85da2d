import { createHash } from "node:crypto";
import type { CheckedResource, PolicyContext } from "../model";

/** Types whose physical name is in another input than `name`. */
const NAME_INPUT: Readonly<Record<string, string>> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:rds/cluster:Cluster": "clusterIdentifier",
  "aws:rds/clusterInstance:ClusterInstance": "identifier",
  "aws:rds/instance:Instance": "identifier",
  "aws:rds/globalCluster:GlobalCluster": "globalClusterIdentifier",
  "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarmName",
  "aws:xray/samplingRule:SamplingRule": "ruleName",
};

/**
 * Types whose AWS limit is too short for some suffixes (an X-Ray sampling rule's and an ARC plan's
 * 32 characters): where the suffix does not fit, the conventions' namer ends the name with the
 * first 6 to 8 hex digits of the suffix's SHA-256 instead (ResourceNamer.fitted), which still
 * names one environment.
 */
const FITTED_NAME_TYPES: ReadonlySet<string> = new Set(["aws:xray/samplingRule:SamplingRule", "aws:arcregionswitch/plan:Plan"]);

/** Whether `name` ends with `-` and 6 to 8 leading hex digits of the suffix's SHA-256, as ResourceNamer.fitted writes it. */
function endsWithSuffixDigest(name: string, suffix: string): boolean {
  const last = name.slice(name.lastIndexOf("-") + 1);
  return /^[0-9a-f]{6,8}$/.test(last) && createHash("sha256").update(suffix).digest("hex").startsWith(last);
}

/** Types whose `name` is a DNS name or is scoped inside another resource, not a physical name of ours. */
const SCOPED_NAME_TYPES: ReadonlySet<string> = new Set([
  "aws:route53/record:Record",
  "aws:route53/zone:Zone",
  "aws:apigateway/model:Model",
  "aws:apigateway/authorizer:Authorizer",
  "aws:lambda/alias:Alias",
]);

/**
 * Names whose form AWS fixes, given the ending the rule wants (`-<suffix>`): API Gateway writes a
 * stage's execution logs to `API-Gateway-Execution-Logs_<api id>/<stage>`, and RDS exports a
 * cluster's logs to `/aws/rds/cluster/<cluster id>/<log>`, where the cluster id carries the suffix.
 */
const AWS_DEFINED_NAMES: Readonly<Record<string, (name: string, ending: string) => boolean>> = {
  "aws:cloudwatch/logGroup:LogGroup": (name, ending) =>
    name.startsWith("API-Gateway-Execution-Logs_") || (name.startsWith("/aws/rds/cluster/") && name.split("/")[4]?.endsWith(ending) === true && /^[a-z]+$/.test(name.split("/")[5] ?? "")),
};

/** Types that AWS or Pulumi name on their own when the program gives no name: such a name lacks the suffix. */
const MUST_BE_NAMED: ReadonlySet<string> = new Set([
  ...Object.keys(NAME_INPUT),
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:lambda/function:Function",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:dynamodb/table:Table",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
  "aws:secretsmanager/secret:Secret",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:kms/alias:Alias",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:apigateway/restApi:RestApi",
  "aws:apigateway/usagePlan:UsagePlan",
  "aws:wafv2/webAcl:WebAcl",
]);

/** An S3 bucket name is globally unique, so it carries the account id before the suffix. */
const ENDS_WITH_ACCOUNT_ID = /-\d{12}$/;

/**
 * Every physical name ends with `-<environmentSuffix>` (S3 buckets: `-<account id>-<suffix>`,
 * KMS aliases `alias/…-<suffix>`), so two environments never collide and every name says which
 * environment it belongs to.
 */
export function environmentSuffixInNames(resource: CheckedResource, ctx: PolicyContext): string[] {
  if (!resource.custom || !resource.type.startsWith("aws:") || SCOPED_NAME_TYPES.has(resource.type)) return [];
  const input = NAME_INPUT[resource.type] ?? "name";
  const name = resource.inputs[input];
  const ending = `-${ctx.environmentSuffix}`;
  if (name === undefined || name === null || name === "") {
    if (!MUST_BE_NAMED.has(resource.type)) return [];
    const prefix = resource.inputs[`${input}Prefix`] !== undefined ? ` (a ${input}Prefix generates it)` : "";
    return [`has no ${input}: the generated name${prefix} would not end with "${ending}"`];
  }
  if (typeof name !== "string" || AWS_DEFINED_NAMES[resource.type]?.(name, ending)) return [];
  const fitted = FITTED_NAME_TYPES.has(resource.type) && endsWithSuffixDigest(name, ctx.environmentSuffix);
  if (!name.endsWith(ending) && !fitted) return [`${input} "${name}" does not end with "${ending}"`];
  if (input === "bucket" && !ENDS_WITH_ACCOUNT_ID.test(name.slice(0, name.length - ending.length))) {
    return [`bucket "${name}" does not end with "-<account id>${ending}"`];
  }
  return [];
}
