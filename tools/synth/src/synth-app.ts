import * as path from "node:path";
import { CONFIG_NAMESPACE } from "@payments-dr/conventions";
import type { Plan } from "./plan";
import { readStackFiles } from "./stack-files";
import { synthesize } from "./synthesize";

/** How a test runs an app's program. */
export interface SynthAppOptions {
  /** Runs the app's program. @default a fresh load of `<appRoot>/src/index.ts` */
  program?: () => unknown;
  /** @default "dev" */
  stack?: string;
  /** `payments-dr:` config that replaces or adds to the stack file's values (short keys). */
  config?: Record<string, string>;
  /** Only these keys of the stack file (full keys, `payments-dr:drRegion`): every other falls back to the code's default. @default every key */
  stackFileKeys?: string[];
  /** Outputs of upstream stacks, by StackReference name. */
  upstream?: Record<string, Record<string, unknown>>;
  /** This stack's outputs from its last deploy (see SynthOptions.deployed). @default {} (a first deploy) */
  deployed?: Record<string, unknown>;
  /** Show secret inputs' values, as `{ "[secret]": value }` (see SynthOptions.revealSecrets). */
  revealSecrets?: boolean;
}

/**
 * For tests: synthesizes an app with the config its committed `Pulumi.<stack>.yaml` holds, so tests run
 * what a user deploys, plus the overrides a test needs.
 */
export function synthApp(appRoot: string, opts: SynthAppOptions): Promise<Plan> {
  const files = readStackFiles(appRoot, opts.stack ?? "dev");
  const overrides = Object.fromEntries(Object.entries(opts.config ?? {}).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
  const kept = opts.stackFileKeys;
  const fromFile = kept ? Object.fromEntries(Object.entries(files.config).filter(([key]) => kept.includes(key))) : files.config;
  return synthesize({
    project: files.project,
    stack: files.stack,
    config: { ...fromFile, ...overrides },
    secretKeys: files.secretKeys,
    upstream: opts.upstream,
    deployed: opts.deployed,
    revealSecrets: opts.revealSecrets,
    program: opts.program ?? (() => loadFresh(path.join(appRoot, "src", "index.ts"))),
  });
}

/**
 * Loads a program module anew, so each synth runs it again (jest caches modules per file).
 * A program's exports are its stack outputs, so it is loaded with `require`, as the CLI does.
 */
function loadFresh(modulePath: string): unknown {
  let exported: unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jest.isolateModules(() => (exported = require(modulePath)));
  return exported;
}

/** The workspace-relative root of the app whose test calls this (`apps/<name>`). */
export function appRootOf(testDir: string): string {
  return path.resolve(testDir, "..");
}
