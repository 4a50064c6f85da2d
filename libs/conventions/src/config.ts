import * as pulumi from "@pulumi/pulumi";
import { refuseUnknownSettings } from "./config-keys";
import { ConfigReader } from "./config-reader";
import { CONFIG_NAMESPACE, ConfigError } from "./errors";
import { DEFAULT_DR_REGION, DEFAULT_PRIMARY_REGION, isRegionName, ROUTE53_METRICS_REGION } from "./regions";

/** The stack config every payments-dr stack shares (keys under `payments-dr:`). */
export interface StackConfig {
  /** Pulumi project and stack of the running program. */
  project: string;
  stack: string;
  /**
   * In every physical name. Config `environmentSuffix`, else the `ENVIRONMENT_SUFFIX`
   * environment variable. @default "dev"
   */
  environmentSuffix: string;
  /** @default "us-east-1" */
  primaryRegion: string;
  /** @default "us-east-2" */
  drRegion: string;
  /** StackReference name of the primary-region stack. @default "<this stack's organization>/primary-region/<this stack>" */
  primaryStack: string;
  /** StackReference name of the dr-region stack. @default "<this stack's organization>/dr-region/<this stack>" */
  drStack: string;
  /** Skip the final snapshot when a cluster is deleted. Production: false. @default true */
  skipFinalSnapshot: boolean;
  /** Protect clusters, tables and keys from deletion, and buckets from being force-emptied on destroy. Production: true. @default false */
  deletionProtection: boolean;
  /** CloudWatch log retention in days. @default 30 */
  logRetentionDays: number;
  /** Custom domain of the API; with `hostedZoneId`, enables DNS failover. */
  domain?: { name: string; hostedZoneId: string };
  /** Subscribed to the SNS alert topics when set. */
  alertEmail?: string;
}

const SUFFIX_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SUFFIX_HINT = "lowercase letters, digits and single hyphens, starting and ending with a letter or digit";
/**
 * The longest suffix that every stack's names hold in any pair of regions: the DR stack's role
 * `payments-dr-primary-probe-sched-<region code>-<suffix>`, within IAM's 64 characters with a
 * region code of up to 5 (usgw1), leaves 26. Each stack checks it first: the primary stack would
 * otherwise take a suffix that only the DR stack's preview refuses, once the primary is deployed
 * under it for good. The apps' tests synthesize every stack with a suffix this long.
 */
export const MAX_SUFFIX_LENGTH = 26;
const DOMAIN_PATTERN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/**
 * ACM refuses a certificate's first domain name (its common name, RFC 5280) over 64 characters,
 * though DNS allows 253: the certificate request would fail at `pulumi up`.
 */
const MAX_CERTIFICATE_DOMAIN_LENGTH = 64;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * This stack's organization, for the upstream stacks' default names: `organization` on a file or
 * S3 backend (DESIGN §3's default), the stack's own on Pulumi Cloud, where `organization/…` names
 * no stack. `organization` too where the runtime was given none (a CLI that passes none, mocks).
 */
function stackOrganization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "organization";
  }
}

/**
 * Reads and validates the shared stack config. Runs first in every program, so a bad value
 * fails `pulumi preview` before any resource exists.
 */
export function loadStackConfig(reader: ConfigReader = new ConfigReader()): StackConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const namespace = `${CONFIG_NAMESPACE}:`;
  refuseUnknownSettings(
    project,
    Object.keys(pulumi.runtime.allConfig())
      .filter((key) => key.startsWith(namespace))
      .map((key) => key.slice(namespace.length)),
  );

  const environmentSuffix = reader.string("environmentSuffix", {
    default: process.env.ENVIRONMENT_SUFFIX || "dev",
    pattern: SUFFIX_PATTERN,
    hint: SUFFIX_HINT,
  });
  if (environmentSuffix.length > MAX_SUFFIX_LENGTH) {
    throw new ConfigError(
      "environmentSuffix",
      `"${environmentSuffix}" is ${environmentSuffix.length} characters long; every stack's physical names (IAM role names: at most 64) hold a suffix of at most ${MAX_SUFFIX_LENGTH}.`,
    );
  }
  const primaryRegion = region(reader, "primaryRegion", DEFAULT_PRIMARY_REGION);
  const drRegion = region(reader, "drRegion", DEFAULT_DR_REGION);
  if (primaryRegion === drRegion) {
    throw new ConfigError("drRegion", `"${drRegion}" is the primary region too; the DR region must be another one.`);
  }
  // The alarms on the Route 53 health checks (a region's /health failing) page through one of the
  // two regions' topics, and Route 53 publishes their metrics in us-east-1 only.
  if (primaryRegion !== ROUTE53_METRICS_REGION && drRegion !== ROUTE53_METRICS_REGION) {
    throw new ConfigError(
      "primaryRegion",
      `neither "${primaryRegion}" nor payments-dr:drRegion "${drRegion}" is ${ROUTE53_METRICS_REGION}, where Route 53 publishes its health checks' metrics: the global stack's alarms on them live in the one of the two regions that is. Make one of them ${ROUTE53_METRICS_REGION}.`,
    );
  }

  const logRetentionDays = reader.integer("logRetentionDays", { default: 30, min: 1 });
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ConfigError("logRetentionDays", `${logRetentionDays} is not a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")}).`);
  }

  return {
    project,
    stack,
    environmentSuffix,
    primaryRegion,
    drRegion,
    primaryStack: reader.string("primaryStack") ?? `${stackOrganization()}/primary-region/${stack}`,
    drStack: reader.string("drStack") ?? `${stackOrganization()}/dr-region/${stack}`,
    skipFinalSnapshot: reader.boolean("skipFinalSnapshot", true),
    deletionProtection: reader.boolean("deletionProtection", false),
    logRetentionDays,
    domain: domain(reader),
    alertEmail: reader.string("alertEmail", { pattern: EMAIL_PATTERN, hint: "must be an email address" }),
  };
}

function region(reader: ConfigReader, key: string, fallback: string): string {
  const value = reader.string(key, { default: fallback });
  if (!isRegionName(value)) throw new ConfigError(key, `"${value}" is not an AWS region name (e.g. us-east-1).`);
  return value;
}

function domain(reader: ConfigReader): StackConfig["domain"] {
  const name = reader.string("domainName", { pattern: DOMAIN_PATTERN, hint: "must be a lowercase DNS name such as pay.example.com" });
  const hostedZoneId = reader.string("hostedZoneId", { pattern: /^Z[A-Z0-9]{1,31}$/, hint: "must be a Route 53 hosted zone id such as Z0123456789ABC" });
  if (name === undefined && hostedZoneId === undefined) return undefined;
  if (name === undefined) throw new ConfigError("domainName", "is required when hostedZoneId is set.");
  if (hostedZoneId === undefined) throw new ConfigError("hostedZoneId", "is required when domainName is set.");
  if (name.length > MAX_CERTIFICATE_DOMAIN_LENGTH) {
    throw new ConfigError(
      "domainName",
      `"${name}" is ${name.length} characters long; an ACM certificate's domain name may have at most ${MAX_CERTIFICATE_DOMAIN_LENGTH}. Use a shorter name in the hosted zone.`,
    );
  }
  return { name, hostedZoneId };
}
