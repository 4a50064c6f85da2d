import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "@payments-dr/conventions";
import { REDACTED } from "./redact";
import type { StackPlan } from "./plan";

/** A Pulumi project on disk, read the way the CLI reads it. */
export interface StackFiles {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/**
 * Reads `<appRoot>/Pulumi.yaml` and `Pulumi.<stack>.yaml`. Encrypted (`secure:`) values cannot
 * be decrypted without the CLI: they stand in as {@link REDACTED} and are listed as secret.
 * `stackName` may be qualified as the CLI takes it (`<org>/<stack>`, `<org>/<project>/<stack>`,
 * e.g. PULUMI_STACK for Pulumi Cloud): the CLI reads the config of `acme/dev` from
 * Pulumi.dev.yaml, and the program's `pulumi.getStack()` is `dev`, so `stack` is the last part.
 */
export function readStackFiles(appRoot: string, stackName: string): StackFiles {
  const project = parse(readFileSync(path.join(appRoot, "Pulumi.yaml"), "utf8"))?.name;
  if (typeof project !== "string") throw new Error(`${appRoot}/Pulumi.yaml has no project name`);
  const { stack, stackFile } = stackFileOf(appRoot, stackName);
  const raw: Record<string, unknown> = existsSync(stackFile) ? (parse(readFileSync(stackFile, "utf8"))?.config ?? {}) : {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (typeof value === "object" && value !== null && "secure" in value) {
      config[fullKey] = REDACTED;
      secretKeys.push(fullKey);
    } else {
      config[fullKey] = configString(value);
    }
  }
  return { project, stack, config, secretKeys };
}

/** The stack's name and file: the CLI reads `<org>/dev`'s config from Pulumi.dev.yaml. */
function stackFileOf(appRoot: string, stackName: string): { stack: string; stackFile: string } {
  const stack = stackName.split("/").pop() ?? stackName;
  return { stack, stackFile: path.join(appRoot, `Pulumi.${stack}.yaml`) };
}

/** A YAML config value as the CLI hands it to the program: strings as they are, anything else as JSON. */
function configString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The `payments-dr:` settings a stack file offers commented out (`  # payments-dr:<key>: <value>`),
 * by short key, as the CLI would read them uncommented: so a test can check that the stack accepts
 * every example its file offers (an example the stack refuses would fail a user's first preview).
 */
export function commentedSettings(appRoot: string, stackName: string): Record<string, string> {
  const example = new RegExp(`^\\s*#\\s*(${CONFIG_NAMESPACE}:[A-Za-z]+:\\s.*)$`);
  const examples = readFileSync(stackFileOf(appRoot, stackName).stackFile, "utf8")
    .split("\n")
    .map((line) => example.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
  const parsed = (parse(examples.join("\n")) ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key.slice(CONFIG_NAMESPACE.length + 1), configString(value)]));
}

/**
 * The outputs of the stacks already synthesized in `synthDir`, by the StackReference names a
 * program may use: the default `organization/<project>/<stack>`, and any name the stack's config
 * gives through `payments-dr:primaryStack` / `payments-dr:drStack`.
 */
export function upstreamOutputs(synthDir: string, config: Record<string, string>): Record<string, Record<string, unknown>> {
  const byName: Record<string, Record<string, unknown>> = {};
  if (!existsSync(synthDir)) return byName;
  const configured: Record<string, string | undefined> = {
    "primary-region": config["payments-dr:primaryStack"],
    "dr-region": config["payments-dr:drStack"],
  };
  for (const file of readdirSync(synthDir).filter((f) => f.endsWith(".json"))) {
    const plan = JSON.parse(readFileSync(path.join(synthDir, file), "utf8")) as StackPlan;
    byName[`organization/${plan.project}/${plan.stack}`] = plan.outputs;
    const alias = configured[plan.project];
    if (alias) byName[alias] = plan.outputs;
  }
  return byName;
}
