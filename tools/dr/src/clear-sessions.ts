import { FailedError, messageOf, RefusedError } from "@payments-dr/cli-support";
import type { ItemKey } from "./aws";
import type { Context } from "./context";
import { confirmOrRefuse } from "./confirm";
import { readGlobalCluster, writerSite } from "./status";
import type { RegionSite } from "./topology";

/** Options of {@link clearSessions}. */
export interface ClearSessionsOptions {
  /** `--region`: a region name, `primary` or `dr`. @default the region holding the writer now */
  region?: string;
  /** `--since`: the earliest `createdAt` to delete. Required. */
  since?: string;
  /** `--until`: the latest `createdAt` to delete. @default now */
  until?: string;
  /** `--dry-run`: count, delete nothing. */
  dryRun: boolean;
  /** `--yes`: skip the confirmation. */
  yes: boolean;
}

/** The window of `createdAt` values to delete, both ends included, in `toISOString()` format. */
export interface SessionWindow {
  since: string;
  until: string;
}

export interface ClearSessionsResult extends SessionWindow {
  region: string;
  table: string;
  dryRun: boolean;
  /** Items the Scan read, whatever their `createdAt`. */
  scanned: number;
  /** Payment sessions created in the window. */
  matched: number;
  /** Of those, deleted by this run: the rest were already gone (or `--dry-run`). */
  deleted: number;
}

/** Deletes in flight at once: many payments may fall in the window, and one at a time from a laptop takes minutes. */
const DELETE_CONCURRENCY = 25;

/**
 * Deletes every payment session created in the window, found by a Scan of one region's replica of
 * the sessions table (the deletes replicate to the other replicas like any write), so that GET
 * /payments/{id} reads PostgreSQL, the system of record, for those payments:
 * after a failover with data loss, a lost payment's session may have replicated while its row did
 * not. Sessions are a cache, so deleting one is always safe, and re-running deletes only what is
 * left. Only DynamoDB's data plane in that region is called (and, without `--region`, the global
 * cluster is read to find the writer's region, as `dr status` reads it).
 */
export async function clearSessions(ctx: Context, options: ClearSessionsOptions): Promise<ClearSessionsResult> {
  const window = sessionWindow(options, ctx.clock.now());
  const site = options.region === undefined ? await writerRegion(ctx) : ctx.topology.resolve(options.region, "--region");
  const table = ctx.topology.sessionsTableName;
  const where = `${table} in ${site.region}`;
  ctx.log(`payment sessions created from ${window.since} to ${window.until} in ${where}: counting them`);

  let scanned = 0;
  let deleted = 0;
  const failed = (call: string, error: unknown) =>
    new FailedError(`${call} of ${where} failed after ${scanned} scanned, ${deleted} deleted: ${messageOf(error)}; re-run the same command${options.dryRun ? "" : ", it deletes only what is left"}`);
  const keys: ItemKey[] = [];
  let startKey: ItemKey | undefined;
  do {
    const page = await ctx.aws.paymentSessionKeys(site.region, table, window, startKey).catch((error: unknown) => {
      throw failed("Scan", error);
    });
    scanned += page.scanned;
    keys.push(...page.keys);
    startKey = page.next;
  } while (startKey);
  ctx.log(`scanned ${scanned}, matched ${keys.length}`);
  const result = { region: site.region, table, ...window, dryRun: options.dryRun, scanned, matched: keys.length };
  if (options.dryRun || keys.length === 0) return { ...result, deleted: 0 };

  // Asked with the count in hand, as failover asks with the lag it expects to lose.
  await confirmOrRefuse(ctx, options, `Delete the ${keys.length} payment session(s) created from ${window.since} to ${window.until}, through ${where} (a cache: GET /payments/{id} then reads PostgreSQL)?`);
  for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
    const outcomes = await Promise.allSettled(keys.slice(i, i + DELETE_CONCURRENCY).map((key) => ctx.aws.deleteSession(site.region, table, key)));
    deleted += outcomes.filter((o) => o.status === "fulfilled" && o.value).length;
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (rejected) throw failed("DeleteItem", rejected.reason);
    ctx.log(`deleted ${deleted} of ${keys.length}`);
  }
  return { ...result, deleted };
}

/** The region holding the writer now: the one serving the API, so the replica its GETs read. */
async function writerRegion(ctx: Context): Promise<RegionSite> {
  // The DR region first, as `dr status`: it answers the same in normal times and is the one up after a failover.
  const global = await readGlobalCluster(ctx, [ctx.topology.dr, ctx.topology.home]).catch((error: unknown) => {
    throw new FailedError(`could not read which region holds the writer (${messageOf(error)}): pass --region`);
  });
  const writer = writerSite(global, ctx.topology);
  if (!writer) throw new RefusedError(`no region holds the writer of ${global.id} now (status ${global.status}): pass --region`);
  return writer;
}

/** `--since` and `--until` checked and put in `createdAt`'s format (`toISOString()`), the only one that compares as text. */
export function sessionWindow(options: Pick<ClearSessionsOptions, "since" | "until">, now: Date): SessionWindow {
  if (options.since === undefined) {
    throw new RefusedError("--since <ISO 8601 time> is required: the earliest createdAt to delete (after `dr failover`, the time its next: line printed; see docs/runbook.md)");
  }
  const since = parseTime("--since", options.since);
  const until = options.until === undefined ? now : parseTime("--until", options.until);
  if (since > now) throw new RefusedError(`--since ${since.toISOString()} is in the future (now ${now.toISOString()}): no session was created after now`);
  if (since > until) throw new RefusedError(`--since ${since.toISOString()} is after --until ${until.toISOString()}: the window is empty`);
  return { since: since.toISOString(), until: until.toISOString() };
}

/** An ISO 8601 time with its zone: without one, it would be read in this machine's zone, not in UTC. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseTime(option: string, value: string): Date {
  const day = ISO_TIME.exec(value)?.[1];
  const at = day === undefined ? NaN : Date.parse(value);
  // Date.parse rolls a day that does not exist over (02-30 → 03-02) rather than refuse it.
  const midnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(at) || Number.isNaN(midnight) || !new Date(midnight).toISOString().startsWith(`${day}T`)) {
    throw new RefusedError(`${option} must be an ISO 8601 time with its zone, such as 2025-06-02T08:58:00Z or 2025-06-02T10:58:00+02:00; got "${value}"`);
  }
  return new Date(at);
}
