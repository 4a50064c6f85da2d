/** The tags that compliance requires on every taggable resource (DESIGN §4). */
export const COMPLIANCE_TAGS = {
  Environment: "DR",
  CostCenter: "Operations",
  Criticality: "High",
} as const;

/** The product's name, in tags and as the first part of every physical name. */
export const PROJECT_NAME = "payments-dr";

/** Identifies the stack that owns a resource. */
export interface TagContext {
  /** Pulumi project, e.g. `primary-region`. */
  project: string;
  /** Pulumi stack, e.g. `dev`. */
  stack: string;
  environmentSuffix: string;
}

/**
 * Every tag a resource of this stack carries. Applied once, through each provider's
 * `defaultTags`, so no resource can forget them.
 */
export function stackTags(ctx: TagContext): Record<string, string> {
  return {
    ...COMPLIANCE_TAGS,
    Project: PROJECT_NAME,
    Stack: `${ctx.project}/${ctx.stack}`,
    EnvironmentSuffix: ctx.environmentSuffix,
    ManagedBy: "pulumi",
  };
}
