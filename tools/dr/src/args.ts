import { parseArgs } from "node:util";
import { RefusedError } from "@payments-dr/cli-support";
import { FENCE_RESTORE_TAG, NO_RESERVATION } from "./fence";
import { AIM_RTO_SECONDS, DEFAULT_TIMEOUT_SECONDS, MAX_LAG_READING_AGE_SECONDS, MAX_LAG_SECONDS, PROBE_LOOKBACK_SECONDS, PROBE_PASS_VOUCHES_SECONDS, REPLICATION_WARNING_SHARE, RPO_SECONDS, RTO_SECONDS } from "./thresholds";

const COMMANDS = ["status", "preflight", "switchover", "failover", "failback", "drill", "clear-sessions", "fence", "unfence"] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command | "help";
  help: boolean;
  stack?: string;
  outputs?: string;
  json: boolean;
  yes: boolean;
  timeoutSeconds: number;
  to?: string;
  allowDataLoss: boolean;
  force: boolean;
  rate: number;
  maxPayments: number;
  settleSeconds: number;
  report?: string;
  region?: string;
  since?: string;
  until?: string;
  dryRun: boolean;
}

const EXIT_CODES_HELP = `Exit codes:
  0  ok (also: the move was already done)
  2  refused: a check, a missing flag or a missing confirmation stopped it; nothing changed
  3  failed: an AWS call or a verification failed (drill: a payment was lost or never recovered,
     or the observed RTO was over the promised ${RTO_SECONDS} s)
  4  timed out: a wait did not converge within --timeout; the move may still complete
130  interrupted (Ctrl+C during a wait): a move already requested goes on in AWS`;

const COMMON_HELP = `Options (every command):
  --stack <s>        Pulumi stack to read outputs from (default $PULUMI_STACK or dev)
  --outputs <dir>    read primary-region.json, dr-region.json, global.json from <dir> instead
                     (what \`pulumi stack output --json\` prints; needed without the Pulumi CLI)
  --json             machine-readable output on stdout (progress goes to stderr)
  --yes              do not ask for confirmation (without a TTY and without --yes: refused)
  --timeout <sec>    give up waiting after this long (default ${DEFAULT_TIMEOUT_SECONDS})
  --help             this help`;

const WRITE_CHECK_HELP = `With DR_DRILL_API_KEY set (the drill merchant's key), the move ends by writing one test payment
through the target's API, the proof that writes work there (the DR /health is 200 while read-only too).`;

export const HELP: Record<Command | "help", string> = {
  help: `dr <command> [options]: operate the payments-dr Aurora global database and regions

Commands:
  status          roles, members, replication lag, Route 53 health checks, /health, DynamoDB replicas, S3 replication
  preflight       --to <region>: the checks a planned switchover must pass
  switchover      --to <region>: planned role change, RPO 0 (drills, failback)
  failover        --to <region> --allow-data-loss: unplanned, the writer's region is down
  failback        switchover back to the primary-region stack's region once it has rejoined
  drill           switchover to DR and back under payment traffic; reports observed RTO and payments lost
  clear-sessions  --since <time>: after a failover with data loss, delete the sessions of payments it may have lost
  fence           --region <region>: stop a region's payment API from reaching its database (before a forced failover)
  unfence         --region <region>: undo fence

${COMMON_HELP}

${EXIT_CODES_HELP}

Runbook: docs/runbook.md`,
  status: `dr status [options]\n\nWhich region is the writer, member status, replication lag (CloudWatch AuroraGlobalDBRPOLag,\nlatest 1-minute Maximum), Route 53 health checks, each region's /health, the sessions and API\nkeys tables' replicas, the S3 replication rules and the DR region's probe of the primary's\n/health (last ${PROBE_LOOKBACK_SECONDS / 60} min). Read-only.\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  preflight: `dr preflight --to <region|primary|dr> [options]\n\nChecks, each pass/fail with the reason: target is a secondary member, available, synchronized,\nengine versions equal, lag under ${MAX_LAG_SECONDS} s (RPO ${RPO_SECONDS} s × warning share ${REPLICATION_WARNING_SHARE}) from a datapoint whose\nminute ended at most ${MAX_LAG_READING_AGE_SECONDS / 60} min ago, no global-cluster operation in progress, API keys replica active, the home region's\nRoute 53 check enabled and not inverted, target API answering /health (200; a 503 for role\nprimary from the primary-region API while it is a secondary). Exit 0 when all pass, 2 otherwise.\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  switchover: `dr switchover --to <region|primary|dr> [options]\n\nPlanned move (SwitchoverGlobalCluster, no data loss). Runs preflight, asks for confirmation,\nwaits until the target is the writer with no move in progress, the target cluster available and\nthe target /health 200 (also when it finds the move already done).\nRe-running is safe: already the writer → "already done"; a move in progress → waits for it.\n\n${WRITE_CHECK_HELP}\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  failover: `dr failover --to <region|primary|dr> --allow-data-loss [options]\n\nUnplanned move when the writer's region is down (FailoverGlobalCluster, AllowDataLoss). Calls\nAWS only in the target region; reports the last replication lag it saw as the estimate of data lost.\nRefused while the writer's region still answers /health 200 (use switchover), or 429 (rate-limited:\nwhether it still writes is unknown); while its /health does not answer this machine at all (or only\nWAF or the gateway does) and the DR region's probe does not see it failing in the last ${PROBE_PASS_VOUCHES_SECONDS} s (a recent\npass, a silent probe, or a metric this machine cannot read: check your own network); and while the\nwriter is none of the clusters the stacks' outputs name (stale outputs).\n\n  --allow-data-loss  required\n  --force            fail over all the same in those cases (stop the old writer's traffic first:
                     \`dr fence --region <its region>\`, after which its /health fails and no --force is needed)\n\n${WRITE_CHECK_HELP}\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  failback: `dr failback [options]\n\nSwitchover back to the primary-region stack's region, once its cluster has rejoined the global\ncluster (member present, synchronized, available). Refused otherwise.\n\n${WRITE_CHECK_HELP}\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  "clear-sessions": `dr clear-sessions --since <time> [--until <time>] [--region <region|primary|dr>] [--dry-run] [options]\n\nRun it after \`dr failover --allow-data-loss\`, which prints the exact command. A payment committed\njust before the outage may be missing from the promoted cluster while its session item did\nreplicate (DynamoDB replicates on its own): GET /payments/{id} then answers it from the session\nfor up to the session TTL (24 h). This deletes every payment session whose createdAt lies in\n[--since, --until], found by a Scan of one region's replica (its deletes replicate to the others);\nGETs of those payments then read PostgreSQL, the system of record (200 for a payment that\nsurvived, 404 for a lost one). Safe: sessions are a cache. Calls only DynamoDB in that region\n(without --region, first RDS DescribeGlobalClusters, DR region then home, to find the writer);\nre-running deletes only what is left. Counts the matches first, then asks for confirmation\n(unless --dry-run, which only counts).\n\n  --since <time>      earliest createdAt to delete: ISO 8601 with a zone (2025-06-02T08:58:00Z); required,\n                      not in the future\n  --until <time>      latest createdAt to delete (default now)\n  --region <r>        the replica to scan and call: a region name, primary or dr (default the region\n                      holding the writer now, read from the global cluster as status does)\n  --dry-run           count the sessions, delete nothing\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  fence: `dr fence --region <region|primary|dr> [--force] [options]\n\nStops the region's payment API from reaching its database: reserved concurrency 0 on its payment\nfunction, then on its /health function (stack outputs lambdaName, healthLambdaName; Lambda\nPutFunctionConcurrency), each after recording its current value on the function itself (tag\n${FENCE_RESTORE_TAG}: the number, or ${NO_RESERVATION}). Its payments then answer API Gateway's DEFAULT_5XX (500,\nRetry-After), its /health fails, Route 53 moves clients to the other region, and \`dr failover\` goes on\nwithout --force once the DR region's probe has seen that (about half a minute). Asks for confirmation. Re-running it keeps the recorded values. Undo: \`dr unfence\`.\n\n  --region <r>  the region to fence: a region name, primary or dr (required)\n  --force       fence it although the other region's /health does not answer 200 (then nothing serves)\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  unfence: `dr unfence --region <region|primary|dr> [options]\n\nUndoes \`dr fence\`: restores each function's recorded reserved concurrency (or removes the\nreservation when it had none), payment function first, then removes the ${FENCE_RESTORE_TAG} tag. A function no
longer at 0 (changed since the fence, e.g. by \`pulumi up\`) keeps its value; only its stale tag goes. Refused,\nchanging nothing, when a function is at 0 with no tag (fenced by hand: the value is unknown).\nAsks for confirmation. Re-running it changes nothing.\n\n  --region <r>  the region to unfence: a region name, primary or dr (required)\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
  drill: `dr drill [options]\n\nSwitchover to the DR region and back while sending payments (POST /payments, unique\nIdempotency-Keys) to the failover domain (or the primary API). Reports the observed RTO (longest\nrun of failed payments, first failure → first success) against the promised ${RTO_SECONDS} s (over it fails\nthe drill) and the aimed ${AIM_RTO_SECONDS} s (over it is reported), payments lost (acknowledged but not\nreadable afterwards; must be 0), the timeline (JSON with --json) and a Markdown report.\n\n  --rate <n>          payments per second (default 2)\n  --max-payments <n>  cap on payments sent (default 2000)\n  --settle <sec>      baseline traffic before and after the moves (default 15)\n  --report <file>     Markdown report (default dist/dr/drill-<timestamp>.md)\n\nThe payments are made as the merchant whose API key is in DR_DRILL_API_KEY (keep one merchant for\ndrills: npx nx run keys:build && node dist/tools/keys/cli.js create --merchant dr-drill); each move also ends with its own test payment.\n\n${COMMON_HELP}\n\n${EXIT_CODES_HELP}`,
};

/** The commands that name their region with --region (and need it). */
export const REGION_COMMANDS: readonly Command[] = ["fence", "unfence"];

/** The commands that name their target with --to (and need it). */
export const TARGETED_COMMANDS: readonly Command[] = ["preflight", "switchover", "failover"];

/** Options only some commands take: any other command refuses them rather than ignore them (`failback --to dr`). */
const COMMAND_OPTIONS: Record<string, readonly Command[]> = {
  to: TARGETED_COMMANDS,
  "allow-data-loss": ["failover"],
  force: ["failover", "fence"],
  rate: ["drill"],
  "max-payments": ["drill"],
  settle: ["drill"],
  report: ["drill"],
  region: ["clear-sessions", "fence", "unfence"],
  since: ["clear-sessions"],
  until: ["clear-sessions"],
  "dry-run": ["clear-sessions"],
};

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h", default: false },
        stack: { type: "string" },
        outputs: { type: "string" },
        json: { type: "boolean", default: false },
        yes: { type: "boolean", short: "y", default: false },
        timeout: { type: "string" },
        to: { type: "string" },
        "allow-data-loss": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        rate: { type: "string" },
        "max-payments": { type: "string" },
        settle: { type: "string" },
        report: { type: "string" },
        region: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new RefusedError(`${(error as Error).message} (dr --help)`);
  }
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  if (extra.length > 0) throw new RefusedError(`unexpected arguments: ${extra.join(" ")} (dr --help)`);
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) throw new RefusedError(`unknown command ${name} (dr --help)`);
  for (const [option, commands] of Object.entries(COMMAND_OPTIONS)) {
    const value = (values as Record<string, unknown>)[option];
    const given = value !== undefined && value !== false;
    if (given && name !== undefined && values.help !== true && !commands.includes(name as Command)) {
      throw new RefusedError(`--${option} does not apply to ${name}; it is for ${commands.join(", ")} (dr ${name} --help)`);
    }
  }
  return {
    command: (name as Command | undefined) ?? "help",
    help: values.help === true || name === undefined,
    stack: values.stack,
    outputs: values.outputs,
    json: values.json === true,
    yes: values.yes === true,
    timeoutSeconds: positive("--timeout", values.timeout, DEFAULT_TIMEOUT_SECONDS),
    to: values.to,
    allowDataLoss: values["allow-data-loss"] === true,
    force: values.force === true,
    rate: positive("--rate", values.rate, 2),
    maxPayments: positive("--max-payments", values["max-payments"], 2000),
    settleSeconds: positive("--settle", values.settle, 15, true),
    report: values.report,
    region: values.region,
    since: values.since,
    until: values.until,
    dryRun: values["dry-run"] === true,
  };
}

function positive(flag: string, value: string | undefined, fallback: number, zeroOk = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new RefusedError(`${flag} must be a positive number, got ${value}`);
  return n;
}
