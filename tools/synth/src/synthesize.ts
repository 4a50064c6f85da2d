import * as pulumi from "@pulumi/pulumi";
import { computedState, fakeInvoke } from "./fake-cloud";
import { Plan, PlannedOptions, PlannedResource } from "./plan";
import { REDACTED, redactSecrets } from "./redact";
import { outputValue } from "./output";

/** What a synth run needs: the program and everything the engine would hand it. */
export interface SynthOptions {
  /** Pulumi project name, as in the app's `Pulumi.yaml`. */
  project: string;
  /** @default "dev" */
  stack?: string;
  /** Stack config, `namespace:key` → value (e.g. `payments-dr:environmentSuffix`). */
  config?: Record<string, string>;
  /** Config keys whose values are secrets: they are redacted in the plan. */
  secretKeys?: string[];
  /** Outputs of the stacks the program reads through StackReferences, by stack name. */
  upstream?: Record<string, Record<string, unknown>>;
  /**
   * This stack's outputs from its last deploy, as its StackReference to itself reads them
   * (StackContext checks the create-time config against them). @default {} (a first deploy)
   */
  deployed?: Record<string, unknown>;
  /** Runs the program and returns its exports (its stack outputs). */
  program: () => unknown;
  /**
   * For a test that must check a secret input's value: it shows as `{ "[secret]": value }`
   * instead of `"[secret]"`. The CLI never sets it, so no synth file holds a secret. @default false
   */
  revealSecrets?: boolean;
}

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** The organization the mock engine reports: the one the Pulumi CLI reports with a self-managed backend. */
const SYNTH_ORGANIZATION = "organization";

/**
 * Runs a Pulumi program under the mock runtime (no CLI, no credentials) and returns its full
 * resource plan. Tests and `nx run <app>:synth` both use it, so they see the same thing.
 */
export async function synthesize(opts: SynthOptions): Promise<Plan> {
  const stack = opts.stack ?? "dev";
  const config = opts.config ?? {};
  const upstream = { ...opts.upstream, [`${SYNTH_ORGANIZATION}/${opts.project}/${stack}`]: opts.deployed ?? {} };
  const defaultRegion = config["aws:region"] ?? null;
  const recorded = new Map<string, Omit<PlannedResource, "parent" | "options">>();
  const providerById = new Map<string, { name: string; region: string | null }>();

  const regionOf = (providerRef: string | undefined): string | null => {
    if (!providerRef) return defaultRegion;
    return providerById.get(providerRef.split("::").pop() ?? "")?.region ?? defaultRegion;
  };

  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const region = args.type.startsWith(PROVIDER_TYPE_PREFIX) ? (args.inputs.region ?? null) : regionOf(args.provider);
        const providerRef = args.provider?.split("::");
        recorded.set(key(args.type, args.name), {
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          provider: providerRef ? (providerById.get(providerRef.pop() ?? "")?.name ?? null) : null,
          region,
          inputs: redactSecrets(await describeAssets(args.inputs), opts.revealSecrets) as Record<string, unknown>,
        });
        if (args.type === "pulumi:pulumi:StackReference") {
          return stackReference(args.inputs.name ?? args.name, upstream);
        }
        const { id, state } = computedState(args.type, args.name, args.inputs, region ?? "us-east-1");
        if (args.type.startsWith(PROVIDER_TYPE_PREFIX)) providerById.set(id, { name: args.name, region });
        return { id, state: { ...args.inputs, ...state } };
      },
      call(args) {
        try {
          return fakeInvoke(args, regionOf(args.provider) ?? "us-east-1");
        } catch (error) {
          // Pulumi rejects a failed invoke with the gRPC error's `details`, not its message: without them the reason is lost.
          throw Object.assign(error as Error, { details: (error as Error).message });
        }
      },
    },
    opts.project,
    stack,
    false,
    SYNTH_ORGANIZATION,
  );
  pulumi.runtime.setAllConfig(config, opts.secretKeys);

  const relations = new Map<string, { parent: string | null; options: PlannedOptions }>();
  const names = new WeakMap<pulumi.Resource, string>();
  let exported: unknown;
  const outputs = await failingOnAnyError(async () => {
    // The init callback never throws: a rejection inside the Stack resource would surface
    // as several unhandled rejections. The program's error is rethrown once, below.
    let programError: unknown;
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        if (args.type === "pulumi:pulumi:StackReference") requireUpstream(args.props.name ?? args.name, upstream);
        // Checked here, as each resource is constructed: the mock runtime does not hand every second
        // resource of one name to newResource (never a component's), and the engine refuses it at
        // preview (a duplicate URN).
        if (relations.has(key(args.type, args.name))) {
          throw new Error(`two resources of type ${args.type} are named ${args.name}; the plan needs unique names per type (the engine refuses a duplicate URN)`);
        }
        names.set(args.resource, args.name);
        const parent = args.opts.parent ? (names.get(args.opts.parent) ?? null) : null;
        relations.set(key(args.type, args.name), { parent, options: plannedOptions(args.opts, names) });
        return undefined;
      });
      try {
        exported = opts.program();
      } catch (error) {
        programError = error;
      }
      return undefined;
    });
    if (programError !== undefined) throw programError;
    return resolveOutputs(exported);
  });

  const resources: PlannedResource[] = [...recorded.entries()]
    .filter(([, r]) => r.type !== "pulumi:pulumi:Stack")
    .map(([k, r]) => ({ ...r, parent: relations.get(k)?.parent ?? null, options: relations.get(k)?.options ?? {} }))
    .sort((a, b) => (a.type + a.name).localeCompare(b.type + b.name));
  const secret = new Set(opts.secretKeys ?? []);
  return new Plan({
    project: opts.project,
    stack,
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, secret.has(k) ? REDACTED : v])),
    resources,
    outputs,
  });
}

/**
 * Runs the program and waits until every registration has finished. A failed registration
 * surfaces as an unhandled rejection (the real CLI logs those as errors): here it fails the run.
 */
async function failingOnAnyError<T>(run: () => Promise<T>): Promise<T> {
  const failures: unknown[] = [];
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    failures.push(reason);
    promise.catch(() => undefined); // handled here: reported once, below
  };
  const host = hostProcess();
  host.on("unhandledRejection", onRejection);
  let result: T | undefined;
  try {
    result = await run();
  } catch (error) {
    failures.push(error);
  } finally {
    await pulumi.runtime.disconnect().catch((error: unknown) => failures.push(error));
    await new Promise((resolve) => setImmediate(resolve));
    host.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) throw failures[0];
  return result as T;
}

/** The real process: under jest, `process` is a sandbox copy whose events never fire. */
function hostProcess(): NodeJS.Process {
  return (globalThis as { __synthHostProcess?: NodeJS.Process }).__synthHostProcess ?? process;
}

/** Assets and archives (e.g. a Lambda's code) as the path or text they stand for. */
async function describeAssets(value: unknown): Promise<unknown> {
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    const fields = value as unknown as Record<string, unknown>;
    const kind = pulumi.asset.Archive.isInstance(value) ? "archive" : "asset";
    for (const field of ["path", "uri", "text"]) {
      if (fields[field] !== undefined) return { [kind]: { [field]: await fields[field] } };
    }
    return { [kind]: {} };
  }
  if (Array.isArray(value)) return Promise.all((value as unknown[]).map(describeAssets));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await describeAssets(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

function key(type: string, name: string): string {
  return `${type}::${name}`;
}

/** Checked when the StackReference is constructed, so the program stops with this message. */
function requireUpstream(name: string, upstream: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const outputs = upstream[name];
  if (!outputs) {
    throw new Error(`StackReference ${name}: no synth output for that stack; synthesize it first (nx run-many -t synth runs in deploy order)`);
  }
  return outputs;
}

/** The upstream stack's outputs; those its synth redacted were secrets, and read as secrets, as from the engine. */
function stackReference(name: string, upstream: Record<string, Record<string, unknown>>) {
  const outputs = requireUpstream(name, upstream);
  const secretOutputNames = Object.keys(outputs).filter((output) => outputs[output] === REDACTED);
  return { id: name, state: { name, outputs, secretOutputNames } };
}

function plannedOptions(opts: pulumi.ResourceOptions, names: WeakMap<pulumi.Resource, string>): PlannedOptions {
  const dependsOn = ([] as unknown[]).concat(opts.dependsOn ?? []).filter(pulumi.Resource.isInstance).map((r) => names.get(r) ?? "?");
  const options: PlannedOptions = {
    ignoreChanges: opts.ignoreChanges,
    dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    protect: opts.protect,
    retainOnDelete: opts.retainOnDelete,
    deleteBeforeReplace: (opts as pulumi.CustomResourceOptions).deleteBeforeReplace,
    replaceOnChanges: opts.replaceOnChanges,
    additionalSecretOutputs: (opts as pulumi.CustomResourceOptions).additionalSecretOutputs,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The program's exports as the engine would store them: resolved, with secrets redacted. */
async function resolveOutputs(exported: unknown): Promise<Record<string, unknown>> {
  if (exported === null || typeof exported !== "object") return {};
  const entries = await Promise.all(
    Object.entries(exported as Record<string, unknown>).map(async ([name, value]) => {
      const output = pulumi.output(value);
      const [resolved, secret] = await Promise.all([outputValue(output), pulumi.isSecret(output)]);
      return [name, secret ? REDACTED : resolved] as const;
    }),
  );
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
