import { REDACTED } from "./redact";

/** Provider inputs and stack outputs: arbitrary JSON that tests and policies navigate freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PlanValue = any;

/** Resource options that matter for correctness, as the program passed them. */
export interface PlannedOptions {
  ignoreChanges?: string[];
  /** Logical names of the resources this one waits for. */
  dependsOn?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  /** Outputs the engine keeps secret whatever their inputs were. */
  additionalSecretOutputs?: string[];
}

/** One resource of a synthesized stack. */
export interface PlannedResource {
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  /** Logical name of the parent; `null` for children of the stack itself. */
  parent: string | null;
  /** True for resources a provider manages; false for components. */
  custom: boolean;
  /** Logical name of the explicit provider, or `null` for the default provider. */
  provider: string | null;
  /** Region of the provider, or of the stack config for the default provider. */
  region: string | null;
  /** Inputs as the provider would receive them, secrets redacted. */
  inputs: Record<string, PlanValue>;
  options: PlannedOptions;
}

/** The resource plan of one stack, as `dist/synth/<app>.json` holds it. */
export interface StackPlan {
  project: string;
  stack: string;
  /** The stack config the program ran with, secrets redacted. */
  config: Record<string, string>;
  resources: PlannedResource[];
  outputs: Record<string, PlanValue>;
}

/** Queries over a {@link StackPlan}, for tests and policies. */
export class Plan {
  constructor(readonly data: StackPlan) {}

  get resources(): PlannedResource[] {
    return this.data.resources;
  }

  get outputs(): Record<string, PlanValue> {
    return this.data.outputs;
  }

  /** The stack outputs that are secrets (wholly or in part), as `pulumi stack output` prints them: "[secret]". */
  secretOutputNames(): string[] {
    return Object.keys(this.outputs).filter((key) => JSON.stringify(this.outputs[key]).includes(JSON.stringify(REDACTED)));
  }

  /** Every resource of a type token, e.g. `aws:rds/cluster:Cluster`. */
  ofType(type: string): PlannedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type (optionally with a logical name ending in `nameSuffix`). */
  one(type: string, nameSuffix?: string): PlannedResource {
    const found = this.ofType(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
    if (found.length !== 1) {
      throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
  }

  /** The resource with a logical name. */
  named(name: string): PlannedResource {
    const found = this.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}`);
    return found;
  }

  /** Children of a resource, by logical name of the parent. */
  childrenOf(parent: string): PlannedResource[] {
    return this.resources.filter((r) => r.parent === parent);
  }

  /** Explicit AWS providers, with their region and default tags. */
  providers(): PlannedResource[] {
    return this.ofType("pulumi:providers:aws");
  }

  /** Default tags of a resource's provider (every taggable resource gets these). */
  defaultTagsOf(resource: PlannedResource): Record<string, string> {
    if (!resource.provider) return {};
    const provider = this.providers().find((p) => p.name === resource.provider);
    const raw = provider?.inputs.defaultTags;
    const parsed = typeof raw === "string" ? JSON.parse(raw) : raw;
    return parsed?.tags ?? {};
  }

  /** Every string anywhere in the plan (inputs, config, outputs): for "no plaintext secret" checks. */
  allStrings(): string[] {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") out.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(this.data);
    return out;
  }
}
