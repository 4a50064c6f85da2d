import { CliError, EXIT_CODES, messageOf, oneLine, RefusedError, type ExitCode, type PulumiRunner } from "@payments-dr/cli-support";
import { HELP, parseCliArgs, type CliArgs } from "./args";
import { defaultClientFactory, type ClientFactory } from "./aws";
import { createKey, listKeys, revokeKey } from "./commands";
import type { Context } from "./context";
import { Deployment } from "./deployment";
import { Secrets } from "./errors";
import { createdJson, formatCreated, formatList, formatRevocation, formatSync, revocationJson, syncJson } from "./format";
import { readOutputs } from "./outputs";
import { syncUsageKeys } from "./sync";

/** What the CLI touches outside itself; cli.ts fills the real ones, tests inject fakes. */
export interface Environment {
  workspace: string;
  stdout(text: string): void;
  stderr(text: string): void;
  clients?: ClientFactory;
  now?(): Date;
  sleep?(ms: number): Promise<void>;
  runPulumi?: PulumiRunner;
  /** Running as an Nx task (NX_TASK_TARGET_PROJECT is set): Nx may keep its output in .nx/cache/terminalOutputs. */
  underNx?: boolean;
}

/** Runs one `keys` invocation and resolves with its exit code; never throws. */
export async function run(argv: readonly string[], env: Environment): Promise<ExitCode> {
  const secrets = new Secrets();
  const stderr = (text: string) => env.stderr(secrets.redact(text));
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      env.stdout(HELP[args.command]);
      return EXIT_CODES.ok;
    }
    return await execute(args, env, secrets, stderr);
  } catch (error) {
    stderr(`keys: ${error instanceof CliError ? error.message : oneLine(messageOf(error))}`);
    return error instanceof CliError ? error.exitCode : EXIT_CODES.failed;
  }
}

async function execute(args: CliArgs, env: Environment, secrets: Secrets, stderr: (text: string) => void): Promise<ExitCode> {
  if (args.command === "create" && env.underNx) {
    throw new RefusedError(
      "create prints the new key once, and Nx may keep a task's output on disk (.nx/cache/terminalOutputs): run it directly, " +
        "npx nx run keys:build && node dist/tools/keys/cli.js create --merchant <id>",
    );
  }
  const outputs = await readOutputs({ outputsDir: args.outputs, stack: args.stack, workspace: env.workspace, runPulumi: env.runPulumi });
  const ctx: Context = {
    deployment: new Deployment(outputs),
    clients: env.clients ?? defaultClientFactory(),
    now: env.now ?? (() => new Date()),
    sleep: env.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    log: stderr,
    secrets,
  };
  // Only create's result holds a secret, and it is printed unredacted exactly once, below.
  const print = (value: unknown, human: string) => env.stdout(secrets.redact(args.json ? JSON.stringify(value, null, 2) : human));

  switch (args.command) {
    case "create": {
      const created = await createKey(ctx, { merchantId: args.merchant as string, label: args.label, region: args.region });
      env.stdout(args.json ? JSON.stringify(createdJson(created), null, 2) : formatCreated(created));
      return EXIT_CODES.ok;
    }
    case "list": {
      const list = await listKeys(ctx, { merchantId: args.merchant, region: args.region });
      print(list.keys, formatList(list));
      return EXIT_CODES.ok;
    }
    case "revoke": {
      const result = await revokeKey(ctx, { keyId: args.keyId as string, region: args.region });
      print(revocationJson(result), formatRevocation(result));
      const failed = result.regions.filter((r) => r.outcome === "failed").map((r) => r.region);
      if (failed.length > 0) {
        stderr(`keys: the key is still valid in ${failed.join(", ")} until replication delivers the revocation (typically ~1 s, unless it is stalled): re-run with --region ${failed[0]} once it answers`);
      }
      const absent = result.regions.filter((r) => r.outcome === "not there yet").map((r) => r.region);
      if (absent.length > 0) {
        stderr(
          `keys: the key has not reached ${absent.join(", ")}'s copy of the table yet (replication stalled?): when it arrives, it works there until its revocation follows it, and for the authorizer cache TTL after. Re-run revoke once it has arrived (\`npx nx run keys:list -- --region ${absent[0]}\` shows it)`,
        );
      }
      const unflushed = ctx.deployment.sites.filter((site) => result.regions.some((r) => r.region === site.region && r.cacheFlushed === false));
      for (const site of unflushed) {
        stderr(
          `keys: the key may keep working in ${site.region} for up to the authorizer cache TTL (payments-dr:authorizerCacheTtlSeconds): re-run revoke, or flush it: ` +
            `aws apigateway flush-stage-authorizers-cache --rest-api-id ${site.apiId} --stage-name ${site.apiStage} --region ${site.region}`,
        );
      }
      return failed.length > 0 || absent.length > 0 || unflushed.length > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
    }
    case "sync": {
      const result = await syncUsageKeys(ctx, { region: args.region, dryRun: args.dryRun });
      print(syncJson(result), formatSync(result));
      const failed = result.regions.filter((r) => r.error);
      if (failed.length > 0) {
        stderr(`keys: sync failed in ${failed.map((r) => r.region).join(", ")}: re-run once the region answers`);
        return EXIT_CODES.failed;
      }
      const refused = new Set(result.regions.flatMap((r) => r.rows.filter((row) => row.action === "refused").map((row) => row.merchantId)));
      if (refused.size > 0) {
        stderr(`keys: sync refused merchant(s) ${[...refused].join(", ")} (see the table); the others ${args.dryRun ? "would be" : "are"} synced`);
        return EXIT_CODES.refused;
      }
      return EXIT_CODES.ok;
    }
    default:
      throw new RefusedError(`unknown command ${String(args.command)}`);
  }
}
