import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import type { Fetch } from "../http";
import { run } from "../run";
import { outputs } from "./deployment";
import type { FakeWorld } from "./fake-world";
import { bothApisUp } from "./fetch";

let dir: string | undefined;

/** A directory for `--outputs` holding {@link outputs}, made on first use (one per test file). */
export function outputsDir(): string {
  dir ??= stackOutputsDir({ "primary-region": outputs.primary, "dr-region": outputs.dr, global: outputs.global });
  return dir;
}

/** How {@link runDr} runs `dr`; unset, no terminal, every question answered "n", both APIs up. */
export interface DrOptions {
  fetch?: Fetch;
  isTTY?: boolean;
  answer?: string;
  ask?: () => Promise<string>;
  drillApiKey?: string;
  /** `--outputs`. @default outputsDir() */
  outputs?: string;
}

/** Runs one `dr` invocation against `world`, on its clock, with short polls and timeouts. */
export async function runDr(world: FakeWorld, args: string[], options: DrOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run([...args, "--outputs", options.outputs ?? outputsDir()], {
    workspace: "/nonexistent",
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    isTTY: options.isTTY ?? false,
    ask: options.ask ?? (async () => options.answer ?? "n"),
    clients: world.clients(),
    fetch: options.fetch ?? bothApisUp(world),
    clock: world.clock,
    pollIntervalMs: 10_000,
    healthTimeoutMs: 50,
    paymentTimeoutMs: 50,
    drillApiKey: options.drillApiKey,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}
