import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { regionCode } from "./regions";
import { PROJECT_NAME } from "./tags";

/** The AWS limits that physical names must respect. */
export const NAME_RULES = {
  rdsIdentifier: { label: "RDS identifier", max: 63, lowercase: true },
  rdsParameterGroup: { label: "RDS parameter group name", max: 255, lowercase: true },
  rdsSubnetGroup: { label: "RDS subnet group name", max: 255, lowercase: true },
  iamRole: { label: "IAM role name", max: 64, lowercase: false },
  /** A role's inline policy. */
  iamPolicy: { label: "IAM policy name", max: 128, lowercase: false },
  lambdaFunction: { label: "Lambda function name", max: 64, lowercase: false },
  s3Bucket: { label: "S3 bucket name", max: 63, lowercase: true },
  targetGroup: { label: "target group name", max: 32, lowercase: false },
  xraySamplingRule: { label: "X-Ray sampling rule name", max: 32, lowercase: false },
  /** ARC CreatePlan refuses a longer name (a ValidationException at `pulumi up`; the provider does not check it). */
  regionSwitchPlan: { label: "ARC Region switch plan name", max: 32, lowercase: false },
  dynamodbTable: { label: "DynamoDB table name", max: 255, lowercase: false },
  snsTopic: { label: "SNS topic name", max: 256, lowercase: false },
  secret: { label: "Secrets Manager secret name", max: 512, lowercase: false },
  logGroup: { label: "CloudWatch log group name", max: 512, lowercase: false },
  kmsAlias: { label: "KMS alias", max: 256, lowercase: false },
  /** Names shown in tags and consoles (VPC, subnets, security groups, endpoints). */
  display: { label: "name", max: 255, lowercase: false },
} as const;

export type NameKind = keyof typeof NAME_RULES;

/** Length of an AWS account id, known before the id itself is. */
const ACCOUNT_ID_LENGTH = 12;
const ROLE_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** What every name of one stack is built from. */
export interface NamerContext {
  environmentSuffix: string;
  /** The region the named resources live in. */
  region: string;
}

/**
 * Builds every physical name of a stack: `payments-dr-<role>-<region code>-<suffix>`.
 * It checks each name against its AWS limit while the program runs, so a suffix that is too
 * long fails the preview with the config key and the limit, not the deploy.
 */
export class ResourceNamer {
  constructor(private readonly ctx: NamerContext) {}

  /** A name for a resource that exists in one region. */
  regional(kind: NameKind, role: string): string {
    return this.check(kind, [PROJECT_NAME, checkRole(role), regionCode(this.ctx.region), this.ctx.environmentSuffix].join("-"));
  }

  /**
   * A name shared by the copies of a resource in both regions (global cluster, global
   * table, replicated secret): the same in both, so it carries no region code.
   */
  global(kind: NameKind, role: string): string {
    return this.check(kind, [PROJECT_NAME, checkRole(role), this.ctx.environmentSuffix].join("-"));
  }

  /**
   * An S3 bucket name: globally unique across all AWS accounts, so it carries the account id.
   * The length is checked now; the id itself is only known once the provider answers.
   */
  bucket(role: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
    const head = [PROJECT_NAME, checkRole(role), regionCode(this.ctx.region)].join("-");
    this.check("s3Bucket", [head, "0".repeat(ACCOUNT_ID_LENGTH), this.ctx.environmentSuffix].join("-"));
    return pulumi.interpolate`${head}-${accountId}-${this.ctx.environmentSuffix}`;
  }

  /**
   * A name whose AWS limit is shorter than what the suffix may take (an X-Ray sampling rule's or
   * an ARC plan's 32 characters), regional or `global` like the names above: the usual name when
   * it fits, else the suffix's place taken by the first hex digits of its SHA-256 (8, or as many
   * as fit, at least 6), so that no suffix the stacks accept is refused for it. Still one name per
   * role, region and suffix.
   */
  fitted(kind: NameKind, role: string, scope: "regional" | "global" = "regional"): string {
    const head = (scope === "regional" ? [PROJECT_NAME, checkRole(role), regionCode(this.ctx.region)] : [PROJECT_NAME, checkRole(role)]).join("-");
    const name = `${head}-${this.ctx.environmentSuffix}`;
    if (name.length <= NAME_RULES[kind].max) return this.check(kind, name);
    const digits = Math.max(6, Math.min(8, NAME_RULES[kind].max - head.length - 1));
    return this.check(kind, `${head}-${createHash("sha256").update(this.ctx.environmentSuffix).digest("hex").slice(0, digits)}`);
  }

  private check(kind: NameKind, name: string): string {
    const rule = NAME_RULES[kind];
    if (name.length > rule.max) {
      const room = rule.max - (name.length - this.ctx.environmentSuffix.length);
      throw new ConfigError(
        "environmentSuffix",
        `"${this.ctx.environmentSuffix}" makes the ${rule.label} "${name}" ${name.length} characters long; ` +
          `AWS allows at most ${rule.max}. Use a suffix of at most ${Math.max(room, 0)} characters.`,
      );
    }
    if (rule.lowercase && name !== name.toLowerCase()) {
      throw new ConfigError("environmentSuffix", `the ${rule.label} "${name}" must be lowercase.`);
    }
    return name;
  }
}

function checkRole(role: string): string {
  if (!ROLE_PATTERN.test(role)) {
    throw new Error(`name role "${role}" must be lowercase letters, digits and hyphens`);
  }
  return role;
}
