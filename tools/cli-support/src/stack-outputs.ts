import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { RefusedError } from "./errors";

/**
 * Runs `pulumi` with args in a directory and resolves with its stdout. Rejects with
 * {@link PulumiNotInstalledError} when there is no `pulumi` to run.
 */
export type PulumiRunner = (args: readonly string[], cwd: string) => Promise<string>;

export class PulumiNotInstalledError extends RefusedError {
  constructor() {
    super("the Pulumi CLI is not installed");
    this.name = "PulumiNotInstalledError";
  }
}

/** Where a CLI reads the stacks' outputs from: its `--outputs` and `--stack` options, and the workspace. */
export interface StackOutputsSource {
  /** A directory holding `<app>.json` per stack, as `pulumi stack output --json` prints them. */
  outputsDir?: string;
  /** The Pulumi stack, when reading with the CLI. @default $PULUMI_STACK, else `dev` */
  stack?: string;
  /** The workspace root (holds apps/). */
  workspace: string;
  /** @default {@link runPulumi} */
  runPulumi?: PulumiRunner;
}

/** The names of an outputs type's string fields. */
type StringField<O> = { [F in keyof O]: O[F] extends string ? F : never }[keyof O] & string;

/**
 * What a CLI reads: `T` maps a key of the CLI's choosing to the outputs it expects of one stack,
 * e.g. `{ primary: PrimaryRegionOutputs; dr: DrRegionOutputs }`.
 */
export interface ReadStackOutputsOptions<T extends object> extends StackOutputsSource {
  /** Per key, the Pulumi app of the stack: its directory under apps/, and `<app>.json` in `outputsDir`. */
  apps: { readonly [K in keyof T]: string };
  /**
   * Per key, the fields the CLI relies on. A field that is missing or not a non-empty string is
   * a refusal naming the stack, rather than an AWS call with `undefined`.
   */
  required: { readonly [K in keyof T]: readonly StringField<T[K]>[] };
}

/**
 * Reads each stack's outputs, from `outputsDir` or with `pulumi stack output --json` in
 * apps/<app>, and checks the required fields. Every problem is a {@link RefusedError} (exit 2)
 * whose one-line message says what to do.
 */
export async function readStackOutputs<T extends object>(options: ReadStackOutputsOptions<T>): Promise<T> {
  const keys = Object.keys(options.apps) as (keyof T & string)[];
  const files = listing(keys.map((key) => `${options.apps[key]}.json`));
  const { outputsDir } = options;
  const stack = options.stack ?? process.env.PULUMI_STACK ?? "dev";
  const read = outputsDir
    ? (app: string) => readOutputsFile(path.join(outputsDir, `${app}.json`), files)
    : (app: string) => readWithPulumi(options.runPulumi ?? runPulumi, options.workspace, app, stack, files);
  const values = await Promise.all(keys.map((key) => read(options.apps[key])));
  for (const [i, key] of keys.entries()) {
    const outputs = values[i];
    const missing = options.required[key].filter((field) => typeof outputs[field] !== "string" || outputs[field] === "");
    if (missing.length > 0) throw new RefusedError(`the apps/${options.apps[key]} outputs lack ${missing.join(", ")}: deploy that stack first`);
  }
  return Object.fromEntries(keys.map((key, i) => [key, values[i]])) as T;
}

/** `a`, `a and b`, `a, b and c`. */
function listing(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

async function readOutputsFile(file: string, files: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new RefusedError(`cannot read ${file}: --outputs needs ${files}`);
  }
  return parseOutputs(text, file);
}

async function readWithPulumi(run: PulumiRunner, workspace: string, app: string, stack: string, files: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await run(["stack", "output", "--json", "--stack", stack], path.join(workspace, "apps", app));
  } catch (error) {
    if (error instanceof PulumiNotInstalledError) throw new RefusedError(`${error.message}: pass --outputs <dir> with ${files}`);
    throw error;
  }
  return parseOutputs(text, `pulumi stack output (${app}, ${stack})`);
}

function parseOutputs(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RefusedError(`${source} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RefusedError(`${source} is not an object of outputs`);
  return value as Record<string, unknown>;
}

/**
 * How long one `pulumi` command may take: reading outputs takes seconds. A state backend that
 * does not answer (its bucket's region in an outage) must not hold the on-call's command forever,
 * nor long: it counts against the recovery budget (docs/runbook.md).
 */
const PULUMI_TIMEOUT_MS = 30_000;

/**
 * The real runner: the Pulumi CLI with the workspace's default backend (the rule of
 * tools/scripts/pulumi-stack.sh: `$PULUMI_BACKEND_URL`, else the file backend in .pulumi-state).
 * `cwd` is apps/<app>, so the workspace is two levels up. Stopped after `timeoutMs`.
 */
export const runPulumi = (args: readonly string[], cwd: string, timeoutMs = PULUMI_TIMEOUT_MS): Promise<string> => {
  const workspace = path.resolve(cwd, "../..");
  const env = { ...process.env };
  if (!env.PULUMI_BACKEND_URL && existsSync(path.join(workspace, ".pulumi-state"))) {
    env.PULUMI_BACKEND_URL = `file://${path.join(workspace, ".pulumi-state")}`;
  }
  return new Promise((resolve, reject) => {
    execFile("pulumi", [...args], { cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return reject(new PulumiNotInstalledError());
      if (error.killed) {
        return reject(new RefusedError(`pulumi ${args.join(" ")} did not finish within ${timeoutMs / 1000} s in ${cwd} (is its state backend reachable?): pass --outputs <dir> with the stacks' outputs saved before`));
      }
      const detail = String(stderr).trim().split("\n").pop() ?? error.message;
      reject(new RefusedError(`pulumi ${args.join(" ")} failed in ${cwd}: ${detail}`));
    });
  });
};
