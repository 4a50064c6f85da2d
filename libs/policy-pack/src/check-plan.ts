import type { PlannedResource, StackPlan } from "@payments-dr/synth";
import { policyContext } from "./context";
import type { CheckedResource, PolicyContext, Violation } from "./model";
import { POLICIES, type CompliancePolicy } from "./policies";
import { effectiveTags } from "./rules/tags";

const PROVIDER_PREFIX = "pulumi:providers:";

/** Options of {@link checkPlan}. */
export interface CheckPlanOptions {
  /** @default POLICIES */
  policies?: readonly CompliancePolicy[];
  /** The `ENVIRONMENT_SUFFIX` the stack was synthesized with, used when its config has no suffix. @default process.env.ENVIRONMENT_SUFFIX */
  environmentSuffixVariable?: string;
}

/** Checks a synthesized stack (`dist/synth/<app>.json`) against every policy, mandatory and advisory. */
export function checkPlan(plan: StackPlan, options: CheckPlanOptions = {}): Violation[] {
  const ctx = policyContext(plan.config, {
    project: plan.project,
    stack: plan.stack,
    environmentSuffixVariable: options.environmentSuffixVariable ?? process.env.ENVIRONMENT_SUFFIX,
  });
  return evaluate(resourcesOfPlan(plan), ctx, options.policies ?? POLICIES);
}

/** Runs policies over normalized resources. */
function evaluate(resources: readonly CheckedResource[], ctx: PolicyContext, policies: readonly CompliancePolicy[] = POLICIES): Violation[] {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const findings =
      policy.scope === "stack"
        ? policy.rule(resources, ctx)
        : resources.flatMap((resource) => policy.rule(resource, ctx).map((message) => ({ resource, message })));
    for (const { resource, message } of findings) {
      violations.push({ policy: policy.name, enforcementLevel: policy.enforcementLevel, resource: { type: resource.type, name: resource.name }, message });
    }
  }
  return violations;
}

/**
 * The resources of a plan as the rules see them. Tags: the explicit provider's `defaultTags`
 * (the default provider's come from the `aws:defaultTags` config) merged with the resource's own.
 */
function resourcesOfPlan(plan: StackPlan): CheckedResource[] {
  const providers = new Map(plan.resources.filter((r) => r.type.startsWith(PROVIDER_PREFIX)).map((p) => [p.name, p]));
  const defaultTagsOf = (r: PlannedResource) => (r.provider ? providers.get(r.provider)?.inputs.defaultTags : plan.config["aws:defaultTags"]);
  return plan.resources.map((r) => ({
    key: `${r.type}::${r.name}`,
    type: r.type,
    name: r.name,
    custom: r.custom,
    inputs: r.inputs,
    tags: effectiveTags(defaultTagsOf(r), r.inputs),
    region: r.region,
    options: r.options,
  }));
}
