import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { DrRegionOutputs, GlobalOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions";
import { RefusedError } from "./errors";

/** The three stacks' outputs, as `pulumi stack output --json` prints them. */
export interface StackOutputsSet {
  primary: PrimaryRegionOutputs;
  dr: DrRegionOutputs;
  global: GlobalOutputs;
}

/** Runs `pulumi` with args in a directory and resolves with its stdout. */
export type PulumiRunner = (args: readonly string[], cwd: string) => Promise<string>;

const FILES = { primary: "primary-region.json", dr: "dr-region.json", global: "global.json" } as const;
const APPS = { primary: "apps/primary-region", dr: "apps/dr-region", global: "apps/global" } as const;

/** Fields every command relies on; a missing one is a clear refusal rather than an `undefined` ARN. */
const REQUIRED = {
  primary: ["region", "globalClusterId", "clusterArn", "clusterIdentifier", "healthUrl", "apiUrl", "sessionsTableName", "bucketName"],
  dr: ["region", "clusterArn", "clusterIdentifier", "healthUrl", "apiUrl", "bucketName"],
  global: ["primaryHealthCheckId", "drHealthCheckId"],
} as const;

export interface ReadOutputsOptions {
  /** A directory holding primary-region.json, dr-region.json and global.json. */
  outputsDir?: string;
  /** The Pulumi stack (default `$PULUMI_STACK`, else `dev`), when reading with the CLI. */
  stack?: string;
  /** The workspace root (holds apps/). */
  workspace: string;
  runPulumi?: PulumiRunner;
}

export async function readOutputs(options: ReadOutputsOptions): Promise<StackOutputsSet> {
  const read = options.outputsDir
    ? (key: keyof typeof FILES) => readOutputsFile(path.join(options.outputsDir as string, FILES[key]))
    : (key: keyof typeof FILES) =>
        readWithPulumi(options.runPulumi ?? runPulumi, path.join(options.workspace, APPS[key]), options.stack ?? "dev");
  const [primary, dr, global] = await Promise.all([read("primary"), read("dr"), read("global")]);
  const set = { primary, dr, global } as unknown as StackOutputsSet;
  for (const key of Object.keys(REQUIRED) as (keyof typeof REQUIRED)[]) {
    const missing = REQUIRED[key].filter((field) => typeof (set[key] as unknown as Record<string, unknown>)[field] !== "string");
    if (missing.length > 0) throw new RefusedError(`the ${APPS[key]} outputs lack ${missing.join(", ")}: deploy that stack first`);
  }
  return set;
}

async function readOutputsFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new RefusedError(`cannot read ${file}: --outputs needs primary-region.json, dr-region.json and global.json`);
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
 * The real runner: the Pulumi CLI with the workspace's default backend (the same rule as
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
        return reject(new RefusedError("the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json, dr-region.json and global.json"));
      }
      const detail = String(stderr).trim().split("\n").pop() ?? error.message;
      reject(new RefusedError(`pulumi ${args.join(" ")} failed in ${cwd}: ${detail}`));
    });
  });
};
