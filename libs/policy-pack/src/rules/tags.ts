import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, PolicyContext } from "../model";
import { jsonDocument } from "../values";
import taggable from "./taggable-types.json";

/** Types whose args take a `tags` map, from the installed @pulumi/aws (scripts/taggable-types.mjs). */
const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggable.types);

/** The compliance tags of the issue, with the values they must have. */
const FIXED_TAGS = { Environment: "DR", CostCenter: "Operations", Criticality: "High", Project: "payments-dr", ManagedBy: "pulumi" } as const;

/**
 * Taggable: the provider schema gives the type a `tags` input, or the resource has tags inputs
 * anyway (a type from another provider, or one newer than the list).
 */
export function isTaggable(resource: CheckedResource): boolean {
  if (!resource.custom || resource.type.startsWith("pulumi:")) return false;
  return TAGGABLE_TYPES.has(resource.type) || "tags" in resource.inputs || "tagsAll" in resource.inputs;
}

/** Every taggable resource carries the compliance tags and the tags that identify its stack. */
export function requiredTags(resource: CheckedResource, ctx: PolicyContext): string[] {
  if (!isTaggable(resource) || resource.tags === undefined) return [];
  const tags = resource.tags;
  const expected: Record<string, string | undefined> = {
    ...FIXED_TAGS,
    EnvironmentSuffix: ctx.environmentSuffix,
    Stack: ctx.project && ctx.stack ? `${ctx.project}/${ctx.stack}` : undefined,
  };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (!(key in tags) || tags[key] === "") problems.push(`tag ${key} is missing`);
    else if (value !== undefined && tags[key] !== value) problems.push(`tag ${key} is "${tags[key]}", expected "${value}"`);
  }
  return problems;
}

/**
 * The tags a resource ends up with: its provider's `defaultTags` (a JSON string or an object
 * with `.tags`, as the engine hands provider inputs over), then its `tagsAll`, then its own `tags`.
 */
export function effectiveTags(providerDefaultTags: PlanValue, inputs: Record<string, PlanValue>): Record<string, string> {
  const defaults = jsonDocument(providerDefaultTags)?.tags;
  return { ...tagMap(defaults), ...tagMap(inputs.tagsAll), ...tagMap(inputs.tags) };
}

function tagMap(value: PlanValue): Record<string, string> {
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}
