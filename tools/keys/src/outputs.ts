import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { DrRegionOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions";
import { RefusedError } from "./errors";

/** The outputs the keys CLI reads from the two regional stacks. */
export interface KeysOutputs {
  primary: Pick<PrimaryRegionOutputs, "region" | "apiName" | "usagePlanId" | "apiKeysTableName">;
  dr: Pick<DrRegionOutputs, "region" | "apiName" | "usagePlanId">;
}

/** Runs `pulumi` with args in a directory and resolves with its stdout. */
export type PulumiRunner = (args: readonly string[], cwd: string) => Promise<string>;

const FILES = { primary: "primary-region.json", dr: "dr-region.json" } as const;
const APPS = { primary: "apps/primary-region", dr: "apps/dr-region" } as const;

/** A missing field is a clear refusal rather than a call with `undefined`. */
const REQUIRED = {
  primary: ["region", "apiName", "usagePlanId", "apiKeysTableName"],
  dr: ["region", "apiName", "usagePlanId"],
} as const;

export interface ReadOutputsOptions {
  /** A directory holding primary-region.json and dr-region.json. */
  outputsDir?: string;
  /** The Pulumi stack (default `dev`), when reading with the CLI. */
  stack?: string;
  /** The workspace root (holds apps/). */
  workspace: string;
  runPulumi?: PulumiRunner;
}

export async function readOutputs(options: ReadOutputsOptions): Promise<KeysOutputs> {
  const read = options.outputsDir
    ? (key: keyof typeof FILES) => readOutputsFile(path.join(options.outputsDir as string, FILES[key]))
    : (key: keyof typeof FILES) => readWithPulumi(options.runPulumi ?? runPulumi, path.join(options.workspace, APPS[key]), options.stack ?? "dev");
  const [primary, dr] = await Promise.all([read("primary"), read("dr")]);
  const set = { primary, dr };
  for (const key of Object.keys(REQUIRED) as (keyof typeof REQUIRED)[]) {
    const missing = REQUIRED[key].filter((field) => typeof set[key][field] !== "string" || set[key][field] === "");
    if (missing.length > 0) throw new RefusedError(`the ${APPS[key]} outputs lack ${missing.join(", ")}: deploy that stack first`);
  }
  return set as unknown as KeysOutputs;
}

async function readOutputsFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new RefusedError(`cannot read ${file}: --outputs needs primary-region.json and dr-region.json`);
  }
  return parseOutputs(text, file);
}

async function readWithPulumi(run: PulumiRunner, appDir: string, stack: string): Promise<Record<string, unknown>> {
  const text = await run(["stack", "output", "--json", "--stack", stack], appDir);
  return parseOutputs(text, `pulumi stack output (${path.basename(appDir)}, ${stack})`);
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
 * The real runner: the Pulumi CLI with the workspace's default backend (the rule of
 * tools/scripts/pulumi-stack.sh: `$PULUMI_BACKEND_URL`, else the file backend in .pulumi-state).
 */
export const runPulumi: PulumiRunner = (args, cwd) => {
  const workspace = path.resolve(cwd, "../..");
  const env = { ...process.env };
  if (!env.PULUMI_BACKEND_URL && existsSync(path.join(workspace, ".pulumi-state"))) {
    env.PULUMI_BACKEND_URL = `file://${path.join(workspace, ".pulumi-state")}`;
  }
  return new Promise((resolve, reject) => {
    execFile("pulumi", [...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new RefusedError("the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json and dr-region.json"));
      }
      const detail = String(stderr).trim().split("\n").pop() ?? error.message;
      reject(new RefusedError(`pulumi ${args.join(" ")} failed in ${cwd}: ${detail}`));
    });
  });
};
