import type { PlanValue } from "@payments-dr/synth";

/**
 * One resource as every rule sees it, whether it comes from a synth plan (`dist/synth/<app>.json`)
 * or from the Pulumi engine during `pulumi preview --policy-pack`.
 */
export interface CheckedResource {
  /** Unique in its stack: `<type>::<name>` in a synth plan, the URN under the engine. */
  readonly key: string;
  /** Type token, e.g. `aws:rds/cluster:Cluster`. */
  readonly type: string;
  /** Logical (Pulumi) name. */
  readonly name: string;
  /** False for component resources, which have no inputs of their own. */
  readonly custom: boolean;
  /** Inputs as the provider receives them. */
  readonly inputs: Record<string, PlanValue>;
  /**
   * The tags the resource ends up with: its provider's `defaultTags` merged with its own `tags`
   * (and `tagsAll` when present). `undefined` when the engine shows neither the provider's
   * default tags nor `tagsAll`, so the tags cannot be known.
   */
  readonly tags: Record<string, string> | undefined;
  /** Region the resource is created in; `null` when no region is configured for it. */
  readonly region: string | null;
  readonly options: CheckedOptions;
  /**
   * Keys of the resources each input is computed from. Only the engine's stack analysis knows
   * them; companion rules use them before comparing names.
   */
  readonly inputSources?: Readonly<Record<string, readonly string[]>>;
}

/** The resource options rules look at. `undefined` means "not set" or "not visible". */
interface CheckedOptions {
  readonly ignoreChanges?: readonly string[];
  readonly protect?: boolean;
  /** Visible in synth plans only: the engine does not pass it to policy packs. */
  readonly retainOnDelete?: boolean;
}

/** What the rules need from the stack config (keys under `payments-dr:`). */
export interface PolicyContext {
  /** @default "dev" */
  readonly environmentSuffix: string;
  /** @default "us-east-1" */
  readonly primaryRegion: string;
  /** @default "us-east-2" */
  readonly drRegion: string;
  /** @default false */
  readonly deletionProtection: boolean;
  /** @default true */
  readonly skipFinalSnapshot: boolean;
  /** Pulumi project and stack, for the `Stack` tag; unchecked when unknown. */
  readonly project?: string;
  readonly stack?: string;
}

/** A rule over one resource: the messages of what is wrong with it, empty when it complies. */
export type ResourceRule = (resource: CheckedResource, ctx: PolicyContext) => string[];

/** What a stack rule found wrong with one resource. */
export interface Finding {
  readonly resource: CheckedResource;
  readonly message: string;
}

/** A rule over a whole stack, for requirements that span resources (a bucket and its companions). */
export type StackRule = (resources: readonly CheckedResource[], ctx: PolicyContext) => Finding[];

/** Mandatory policies fail the check; advisory ones only warn. */
export type EnforcementLevel = "mandatory" | "advisory";

/** One broken policy on one resource. */
export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly resource: { readonly type: string; readonly name: string };
  readonly message: string;
}
