import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseApiKey } from "@payments-dr/api-keys";
import { CliError, EXIT_CODES, messageOf, RefusedError, type ExitCode, type PulumiRunner } from "@payments-dr/cli-support";
import { parseCliArgs, HELP, REGION_COMMANDS, TARGETED_COMMANDS, type CliArgs, type Command } from "./args";
import { Aws, defaultClientFactory, type ClientFactory } from "./aws";
import { clearSessions, sessionWindow } from "./clear-sessions";
import { systemClock, type Clock } from "./clock";
import type { Confirm, Context } from "./context";
import { drill, drillFailure, drillMarkdown, drillTrafficSeconds } from "./drill";
import { fence, unfence } from "./fence";
import { formatClearSessions, formatDrill, formatFence, formatPreflight, formatRoleChange, formatStatus } from "./format";
import { type Fetch, fetchOnFreshConnection } from "./http";
import { readOutputs } from "./outputs";
import { preflight } from "./preflight";
import { failback, failover, FAILOVER_NEEDS_CONSENT, switchover } from "./role-change";
import { gatherStatus, readGlobalCluster } from "./status";
import { HEALTH_TIMEOUT_MS, PAYMENT_TIMEOUT_MS, POLL_INTERVAL_MS } from "./thresholds";
import { Topology } from "./topology";

/** What the CLI touches outside itself; main() fills the real ones, tests inject fakes. */
export interface Environment {
  workspace: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdin is a terminal someone can answer a confirmation on. */
  isTTY: boolean;
  ask?(question: string): Promise<string>;
  clients?: ClientFactory;
  fetch?: Fetch;
  clock?: Clock;
  runPulumi?: PulumiRunner;
  pollIntervalMs?: number;
  healthTimeoutMs?: number;
  paymentTimeoutMs?: number;
  writeReport?(file: string, text: string): Promise<void>;
  /** `$DR_DRILL_API_KEY`: the drill merchant's API key (an environment variable, never an argument: it is a secret). */
  drillApiKey?: string;
}

/** The environment variable the drill reads its API key from. */
const DRILL_API_KEY_VARIABLE = "DR_DRILL_API_KEY";

/** The drill's API key, or a refusal that says how to get one (never echoing what was set). */
function drillApiKey(env: Environment): string {
  const key = env.drillApiKey?.trim();
  if (!key) throw new RefusedError(`the drill pays as a merchant: set ${DRILL_API_KEY_VARIABLE} to the API key of one kept for drills (npx nx run keys:build && node dist/tools/keys/cli.js create --merchant dr-drill)`);
  if (!parseApiKey(key)) throw new RefusedError(`${DRILL_API_KEY_VARIABLE} is not an API key (pdr_<key id>_<secret>)`);
  return key;
}

/** The commands that move the writer (a drill twice). */
const MOVES: ReadonlySet<string> = new Set(["switchover", "failover", "failback", "drill"]);

/** The key a move's write check pays with: DR_DRILL_API_KEY when set (then it must be well-formed), else none. */
function writeCheckApiKey(env: Environment): string | undefined {
  return env.drillApiKey?.trim() ? drillApiKey(env) : undefined;
}

/** Runs one `dr` invocation and resolves with its exit code; never throws. */
export async function run(argv: readonly string[], env: Environment): Promise<ExitCode> {
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      env.stdout(HELP[args.command]);
      return EXIT_CODES.ok;
    }
    return await execute(args, env);
  } catch (error) {
    if (error instanceof CliError) {
      env.stderr(`dr: ${error.message}`);
      return error.exitCode;
    }
    env.stderr(`dr: ${messageOf(error)}`);
    return EXIT_CODES.failed;
  }
}

/** The API keys {@link refuseEarly} checked: the drill's, and the one each move's write check pays with. */
interface CheckedKeys {
  drillApiKey?: string;
  writeCheckApiKey?: string;
}

/**
 * Refuses, before the stacks' outputs are read (`pulumi stack output`: seconds, credentials and a
 * backend), what would be refused anyway: a missing --to or --region, a failover without --allow-data-loss, a
 * bad --since or --until, a drill without its key, a malformed write-check key.
 */
function refuseEarly(args: CliArgs, env: Environment): CheckedKeys {
  const missing = missingOption(args);
  if (missing !== undefined) throw new RefusedError(missing);
  if (args.command === "clear-sessions") sessionWindow(args, (env.clock ?? systemClock).now());
  if (args.command === "drill") {
    const key = drillApiKey(env);
    return { drillApiKey: key, writeCheckApiKey: key };
  }
  return MOVES.has(args.command) ? { writeCheckApiKey: writeCheckApiKey(env) } : {};
}

/** The refusal of a command that lacks an option it requires (--to, --region, a failover's --allow-data-loss); undefined when it has them. */
export function missingOption(args: CliArgs): string | undefined {
  if (TARGETED_COMMANDS.includes(args.command as Command) && !args.to) return `--to <region|primary|dr> is required (dr ${args.command} --help)`;
  if (REGION_COMMANDS.includes(args.command as Command) && !args.region) return `--region <region|primary|dr> is required (dr ${args.command} --help)`;
  if (args.command === "failover" && !args.allowDataLoss) return FAILOVER_NEEDS_CONSENT;
  return undefined;
}

async function execute(args: CliArgs, env: Environment): Promise<ExitCode> {
  const keys = refuseEarly(args, env);
  const outputs = await readOutputs({ outputsDir: args.outputs, stack: args.stack, workspace: env.workspace, runPulumi: env.runPulumi });
  const clock = env.clock ?? systemClock;
  const ctx: Context = {
    topology: new Topology(outputs),
    aws: new Aws(env.clients ?? defaultClientFactory(), clock),
    fetch: env.fetch ?? fetchOnFreshConnection,
    clock,
    confirm: confirmer(env),
    log: (line) => env.stderr(line),
    timeoutSeconds: args.timeoutSeconds,
    pollIntervalMs: env.pollIntervalMs ?? POLL_INTERVAL_MS,
    healthTimeoutMs: env.healthTimeoutMs ?? HEALTH_TIMEOUT_MS,
    paymentTimeoutMs: env.paymentTimeoutMs ?? PAYMENT_TIMEOUT_MS,
    ...(MOVES.has(args.command) ? { writeCheckApiKey: keys.writeCheckApiKey } : {}),
  };
  const print = (value: unknown, human: string) => env.stdout(args.json ? JSON.stringify(value, null, 2) : human);

  switch (args.command) {
    case "status": {
      const report = await gatherStatus(ctx);
      print(report, formatStatus(report));
      return EXIT_CODES.ok;
    }
    case "preflight": {
      const target = ctx.topology.resolve(args.to);
      const global = await readGlobalCluster(ctx, [target, ctx.topology.other(target)]);
      const result = await preflight(ctx, target, global);
      print(result, formatPreflight(result));
      return result.ok ? EXIT_CODES.ok : EXIT_CODES.refused;
    }
    case "switchover": {
      const result = await switchover(ctx, ctx.topology.resolve(args.to), { yes: args.yes });
      print(result, formatRoleChange(result));
      return EXIT_CODES.ok;
    }
    case "failover": {
      const result = await failover(ctx, ctx.topology.resolve(args.to), { yes: args.yes, allowDataLoss: args.allowDataLoss, force: args.force });
      print(result, formatRoleChange(result));
      return EXIT_CODES.ok;
    }
    case "failback": {
      const result = await failback(ctx, { yes: args.yes });
      print(result, formatRoleChange(result));
      return EXIT_CODES.ok;
    }
    case "drill": {
      const result = await drill(ctx, {
        apiKey: keys.drillApiKey as string,
        yes: args.yes,
        ratePerSecond: args.rate,
        maxPayments: args.maxPayments,
        maxSeconds: drillTrafficSeconds(args.timeoutSeconds, args.settleSeconds),
        settleSeconds: args.settleSeconds,
      });
      const file = args.report ?? path.join(env.workspace, "dist", "dr", `drill-${result.timeline[0]?.at.replace(/[:.]/g, "-") ?? "run"}.md`);
      await (env.writeReport ?? writeReportFile)(file, drillMarkdown(result));
      print(result, formatDrill(result, file));
      const failure = drillFailure(result);
      if (failure) {
        env.stderr(`dr: ${failure.message}`);
        return failure.exitCode;
      }
      return EXIT_CODES.ok;
    }
    case "clear-sessions": {
      const result = await clearSessions(ctx, { region: args.region, since: args.since, until: args.until, dryRun: args.dryRun, yes: args.yes });
      print(result, formatClearSessions(result));
      return EXIT_CODES.ok;
    }
    case "fence": {
      const result = await fence(ctx, ctx.topology.resolve(args.region, "--region"), { yes: args.yes, force: args.force });
      print(result, formatFence(result));
      return EXIT_CODES.ok;
    }
    case "unfence": {
      const result = await unfence(ctx, ctx.topology.resolve(args.region, "--region"), { yes: args.yes });
      print(result, formatFence(result));
      return EXIT_CODES.ok;
    }
    default:
      throw new RefusedError(`unknown command ${String(args.command)}`);
  }
}

/**
 * Confirmation on the terminal. Without a TTY there is nobody to ask: refuse (exit 2) and say
 * to pass --yes, rather than read an answer from a pipe.
 */
function confirmer(env: Environment): Confirm {
  return async (question) => {
    if (!env.isTTY || !env.ask) throw new RefusedError(`${question} — no terminal to confirm on: pass --yes to proceed non-interactively`);
    // Ctrl+C at the prompt is a no (readline rejects with an AbortError): nothing was changed, exit 2.
    const answer = await env.ask(`${question} [y/N] `).catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") return "";
      throw error;
    });
    return /^y(es)?$/i.test(answer.trim());
  };
}

async function writeReportFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/**
 * What to say when the operator interrupts a command (Ctrl+C during a wait: the prompt's own
 * Ctrl+C is a no, see confirmer): a move already requested goes on in AWS, whatever this process does.
 */
export function interruptedMessage(argv: readonly string[]): string {
  let command: string | undefined;
  try {
    command = parseCliArgs(argv).command;
  } catch {
    // Arguments that do not parse never started a move.
  }
  if (command === "drill") {
    return "dr: drill interrupted, no report written. The writer may be away from home: check `npx nx run dr:status`, and bring it back with `npx nx run dr:failback` if it is";
  }
  if (command !== undefined && MOVES.has(command)) {
    return `dr: ${command} interrupted. A move already requested goes on in AWS and cannot be cancelled from here: \`npx nx run dr:status\` shows where the writer is; running the same command again waits for the move and finishes its checks`;
  }
  return "dr: interrupted";
}

/** A question on stderr, the answer from stdin. */
export async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
