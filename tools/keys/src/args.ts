import { parseArgs } from "node:util";
import { KEY_ID_PATTERN, merchantIdProblem, parseApiKey } from "@payments-dr/api-keys";
import { RefusedError } from "@payments-dr/cli-support";
import { apiKeyIdIn } from "./errors";

const COMMANDS = ["create", "list", "revoke", "sync"] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command | "help";
  help: boolean;
  stack?: string;
  outputs?: string;
  json: boolean;
  region?: string;
  merchant?: string;
  label?: string;
  keyId?: string;
  /** sync: report what would change, change nothing. */
  dryRun: boolean;
}

/** A label is shown in tables: one line of printable text. */
const MAX_LABEL_LENGTH = 128;

/** The options each command takes besides the common ones. */
const COMMAND_OPTIONS: Record<Command, readonly string[]> = {
  create: ["merchant", "label"],
  list: ["merchant"],
  revoke: ["key-id"],
  sync: ["dry-run"],
};
const COMMON_OPTIONS = ["help", "stack", "outputs", "json", "region"];

/** What revoking costs in time, said by `revoke` and its help. */
export const REVOCATION_DELAY =
  "revoke flushes the authorizer cache of each region it wrote (every merchant's next request there is authorized afresh) about 6 s after its writes, so the key stops working there at once; " +
  "where the cache is not flushed (the other region with --region, or a flush that failed), revocation takes effect within the authorizer cache TTL (payments-dr:authorizerCacheTtlSeconds, default 60 s) plus global-table replication lag (typically ~1 s)";

const EXIT_CODES_HELP = `Exit codes:
  0  ok (also: the key was already revoked; sync: every usage plan is as it should be)
  2  refused: bad input, unknown key, or inconsistent usage keys; nothing was written
     (sync: the merchants it refused are left as they are, the others are synced)
  3  failed: an AWS call failed (create: no key is stored unless both regions' usage keys are in place, and a re-run
     uses the usage key value it reserved;
     sync: the region that failed is reported, the other one is still synced)`;

const COMMON_HELP = `Options (every command):
  --region <r>       region of the keys table to use: a region name, primary or dr
                     (default the primary-region stack's region; revoke: both regions)
  --stack <s>        Pulumi stack to read outputs from (default $PULUMI_STACK or dev)
  --outputs <dir>    read primary-region.json and dr-region.json from <dir> instead
                     (what \`pulumi stack output --json\` prints; needed without the Pulumi CLI)
  --json             machine-readable output on stdout (progress goes to stderr)
  --help             this help`;

export const HELP: Record<Command | "help", string> = {
  help: `keys <command> [options]: manage the merchants' API keys of payments-dr

Commands:
  create   --merchant <id> [--label <text>]: a new API key, printed once
  list     [--merchant <id>]: key ids, merchants, status and times (never a secret)
  revoke   --key-id <id>: mark a key revoked
  sync     [--dry-run]: put every active merchant's usage key back in each region's usage plan

${COMMON_HELP}

${EXIT_CODES_HELP}`,
  create: `keys create --merchant <id> [--label <text>] [options]

Ensures the merchant's usage key (API Gateway API key <apiName>-merchant-<id>, the same value in
both regions) exists and is in each region's usage plan, then stores the new API key's salted
hash in the keys table and prints the key ONCE: it cannot be shown again.

  --merchant <id>    required: 3-64 letters, digits, '_' or '-', starting with a letter or digit
  --label <text>     a note shown by list, e.g. "checkout backend" (at most ${MAX_LABEL_LENGTH} characters)

${COMMON_HELP}

${EXIT_CODES_HELP}`,
  list: `keys list [--merchant <id>] [options]

Every key (or one merchant's): key id, merchant, status, label, created, last used, revoked.
Reads a projection without the salt and hash. Last used is approximate (written at most every
few minutes per key).

  --merchant <id>    only this merchant's keys

${COMMON_HELP}

${EXIT_CODES_HELP}`,
  revoke: `keys revoke --key-id <id> [options]

Sets the key's status to revoked (the first revocation time is kept) in both regions' copies of
the keys table, so that a stalled replication cannot leave it valid where traffic is served;
--region writes one copy only (e.g. while the other region is down). A copy that cannot be
written is reported, and the exit code is 3. The key id is the 16 hex characters after "pdr_".

Note: ${REVOCATION_DELAY}.

  --key-id <id>      required

${COMMON_HELP}

${EXIT_CODES_HELP}`,
  sync: `keys sync [--dry-run] [options]

Makes each region's usage plan hold the usage key (API Gateway API key <apiName>-merchant-<id>)
of every merchant with an active key, with the value its keys' records store, and no usage key
that only revoked keys use (removed from the plan; the API key itself is kept). A usage key
missing in a region is recreated with that value, the same in both regions. Run it after a
usage plan was replaced (a new plan starts empty and answers 403 to every merchant).
Reads key id, merchant, status and usage key value from the keys table (a strongly consistent
scan), never the salt or hash; items with an invalid key id, merchant id or status are reported
as skipped and never acted on (nor is anything removed for their merchant). A merchant whose usage
key is disabled, or whose own API Gateway call is refused (Conflict, BadRequest, NotFound), is
refused and the others synced. A second run changes nothing.

  --dry-run          report what would change, change nothing
  --region <r>       for sync, unlike the other commands: only this region's usage plan, reading this region's replica of the table
                     (default: both usage plans; the table read in the primary region, or in the
                     DR region when the primary's replica does not answer: then usage keys are
                     only added, none removed)

${COMMON_HELP}

${EXIT_CODES_HELP}`,
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
        region: { type: "string" },
        merchant: { type: "string" },
        label: { type: "string" },
        "key-id": { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
    });
  } catch (error) {
    // Node's first sentence names the option, never a value.
    throw new RefusedError(`${(error as Error).message.split(". ")[0]} (keys --help)`);
  }
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  // Stray positionals are not echoed: a pasted API key would land here.
  if (extra.length > 0) throw new RefusedError(`unexpected arguments after ${name} (keys --help)`);
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) {
    throw new RefusedError(`unknown command${/^[a-z-]{1,20}$/.test(name) ? ` ${name}` : ""} (keys --help)`);
  }
  const command = name as Command | undefined;
  const help = values.help === true || command === undefined;
  if (command && !help) {
    const foreign = Object.keys(values).filter((o) => values[o as keyof typeof values] !== false && !COMMON_OPTIONS.includes(o) && !COMMAND_OPTIONS[command].includes(o));
    if (foreign.length > 0) throw new RefusedError(`${command} takes no ${foreign.map((o) => `--${o}`).join(", ")} (keys ${command} --help)`);
  }
  const args: CliArgs = {
    command: command ?? "help",
    help,
    stack: values.stack,
    outputs: values.outputs,
    json: values.json === true,
    region: values.region,
    merchant: values.merchant,
    label: values.label,
    keyId: values["key-id"],
    dryRun: values["dry-run"] === true,
  };
  if (!help) checkInput(args);
  return args;
}

/** Refuses bad input before any stack output is read or AWS is called. */
function checkInput(args: CliArgs): void {
  if (args.command === "create" && args.merchant === undefined) throw new RefusedError("--merchant <id> is required (keys create --help)");
  if (args.merchant !== undefined) {
    // An API key fits the merchant id pattern: never let one into names, tags or messages.
    if (parseApiKey(args.merchant)) throw new RefusedError("--merchant got an API key, not a merchant id");
    const problem = merchantIdProblem(args.merchant);
    if (problem) throw new RefusedError(`--merchant ${JSON.stringify(args.merchant)} ${problem}`);
  }
  const { label } = args;
  if (label !== undefined && (label.trim() === "" || label.length > MAX_LABEL_LENGTH || /\p{Cc}/u.test(label))) {
    throw new RefusedError(`--label must be 1-${MAX_LABEL_LENGTH} characters of printable text`);
  }
  // The label is stored in clear in the keys table, which holds only hashes of keys.
  const labelledKey = label === undefined ? undefined : apiKeyIdIn(label);
  if (labelledKey !== undefined) throw new RefusedError(`--label holds an API key: keys are never stored; name the old key by its key id, ${labelledKey}`);
  if (args.command === "revoke") {
    if (args.keyId === undefined) throw new RefusedError("--key-id <id> is required (keys revoke --help)");
    if (!KEY_ID_PATTERN.test(args.keyId)) {
      // Never echo the value: it may be a whole key pasted by mistake.
      const whole = parseApiKey(args.keyId);
      throw new RefusedError(
        whole ? `--key-id got a whole API key: pass only its key id, ${whole.keyId}` : "--key-id must be the key id: the 16 lowercase hex characters after pdr_ in the key",
      );
    }
  }
}
