// The bridge between the rules and the real Pulumi engine (`pulumi preview --policy-pack`).
// What the engine shows a policy pack differs from a synth plan in three ways, handled here:
// - stack config arrives in the PULUMI_CONFIG environment variable (JSON, `namespace:key` → value);
// - a resource policy sees its provider's inputs (`args.provider.props`), so default tags and the
//   region come from there; `retainOnDelete` is not passed at all (the offline check covers it);
// - cross-resource rules run as stack policies over the resources' outputs, whose
//   `propertyDependencies` tell which bucket a companion was built from.
import type { Policies, PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import type { PlanValue } from "@payments-dr/synth";
import { policyContext } from "./context";
import type { CheckedResource, PolicyContext } from "./model";
import { POLICIES, type CompliancePolicy } from "./policies";
import { effectiveTags, isTaggable, requiredTags } from "./rules/tags";

const PROVIDER_PREFIX = "pulumi:providers:";

/** What the adapter reads of a resource; both ResourceValidationArgs and PolicyResource have it. */
export interface EngineResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, PlanValue>;
  opts: Pick<PolicyResourceOptions, "protect" | "ignoreChanges">;
  provider?: Pick<PolicyProviderResource, "props">;
  propertyDependencies?: Record<string, Pick<PolicyResource, "urn">[]>;
}

/** The policy context of the stack under preview, from the environment the CLI gives a policy pack. */
export function engineContext(env: Readonly<Record<string, string | undefined>> = process.env): PolicyContext {
  return policyContext(parseConfig(env.PULUMI_CONFIG), {
    project: env.PULUMI_PROJECT ?? env.PULUMI_NODEJS_PROJECT,
    stack: env.PULUMI_STACK ?? env.PULUMI_NODEJS_STACK,
    environmentSuffixVariable: env.ENVIRONMENT_SUFFIX,
  });
}

function parseConfig(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  const parsed = JSON.parse(raw);
  return parsed && typeof parsed === "object" ? parsed : {};
}

/**
 * A resource as the rules see it. Values are read lazily: the engine's props throw on values
 * unknown during preview, and @pulumi/policy reports that policy (only) as not checkable yet.
 */
export function resourceOfEngine(resource: EngineResource): CheckedResource {
  const isProvider = resource.type.startsWith(PROVIDER_PREFIX);
  const props = resource.props;
  const inputSources = resource.propertyDependencies
    ? Object.fromEntries(Object.entries(resource.propertyDependencies).map(([input, sources]) => [input, sources.map((s) => s.urn)]))
    : undefined;
  return {
    key: resource.urn,
    type: resource.type,
    name: resource.name,
    // The engine passes a provider with every custom resource (an old CLI may not: aws types count anyway).
    custom: isProvider || resource.provider !== undefined || resource.type.startsWith("aws:"),
    inputs: props,
    get tags() {
      // Without the provider's default tags nor tagsAll, the resource's tags cannot be known.
      if (resource.provider === undefined && !("tagsAll" in props)) return undefined;
      return effectiveTags(resource.provider?.props.defaultTags, props);
    },
    get region() {
      const region = props.region ?? (isProvider ? undefined : resource.provider?.props.region);
      return typeof region === "string" && region.length > 0 ? region : null;
    },
    options: { protect: resource.opts.protect, ignoreChanges: resource.opts.ignoreChanges },
    inputSources,
  };
}

/**
 * The policies as @pulumi/policy runs them: resource rules as ResourceValidationPolicies, stack
 * rules as StackValidationPolicies that report on the offending resource's URN.
 */
export function pulumiPolicies(ctx: PolicyContext = engineContext(), policies: readonly CompliancePolicy[] = POLICIES): Policies {
  return policies.map((policy) => {
    const info = { name: policy.name, description: policy.description, enforcementLevel: policy.enforcementLevel, remediationSteps: policy.remediation };
    if (policy.scope === "stack") {
      return {
        ...info,
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
          for (const { resource, message } of policy.rule(args.resources.map(resourceOfEngine), ctx)) report(message, resource.key);
        },
      };
    }
    return {
      ...info,
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const resource = resourceOfEngine(args);
        if (policy.rule === requiredTags && isTaggable(resource) && resource.tags === undefined) {
          args.notApplicable("the engine shows neither this resource's provider (defaultTags) nor its tagsAll; the offline check over the synth plan covers it");
        }
        for (const message of policy.rule(resource, ctx)) report(message);
      },
    };
  });
}
