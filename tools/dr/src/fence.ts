import { FailedError, isAwsError, messageOf, oneLine, RefusedError } from "@payments-dr/cli-support";
import { dnsFailoverSeconds, dnsFailoverWorstSeconds } from "@payments-dr/failover/timing";
import { GATEWAY_PROBLEMS } from "@payments-dr/serverless-api/values";
import { confirmOrRefuse } from "./confirm";
import type { Context } from "./context";
import { checkHealth } from "./http";
import { Timeline, type TimelineEvent } from "./timeline";
import type { RegionFunction, RegionSite } from "./topology";

/**
 * The tag `dr fence` leaves on each function it throttles: the reserved concurrency it had (a
 * number, or {@link NO_RESERVATION}), so that `dr unfence` restores exactly that without knowing the
 * stack's configuration. Never 0: a function already at 0 keeps the value recorded when it was fenced.
 */
export const FENCE_RESTORE_TAG = "payments-dr:fence-restore";
/** The tag's value for a function that had no reserved concurrency. */
export const NO_RESERVATION = "none";

/** One of a region's functions as `fence`, `unfence` and `status` read it. */
export interface FunctionFence {
  role: RegionFunction["role"];
  name: string;
  /** Its reserved concurrency now; null when it has none. 0: fenced (every invocation throttled). */
  reservedConcurrency: number | null;
  /** Its {@link FENCE_RESTORE_TAG}, null when absent. */
  restore: string | null;
}

export interface FenceResult {
  command: "fence" | "unfence";
  region: string;
  /** `done`: this run changed a function; `already-done`: nothing to change. */
  outcome: "done" | "already-done";
  /** Each function's reserved concurrency before and after (null: none), and its {@link FENCE_RESTORE_TAG} after (null: absent). */
  functions: { role: RegionFunction["role"]; name: string; before: number | null; after: number | null; restoreTag: string | null }[];
  timeline: TimelineEvent[];
  totalSeconds: number;
  /** What a fenced region answers, and what follows (fence only). */
  effect?: string;
  /** The command that undoes it (fence only). */
  undo?: string;
}

/** What {@link FENCE_RESTORE_TAG} says to restore: a positive number, null for no reservation, undefined when it says neither. */
export function restoreValue(tag: string): number | null | undefined {
  if (tag === NO_RESERVATION) return null;
  return /^[1-9]\d*$/.test(tag) ? Number(tag) : undefined;
}

/** Whether any of the functions is fenced (reserved concurrency 0, by `dr fence` or by hand). */
export function isFenced(functions: readonly FunctionFence[]): boolean {
  return functions.some((f) => f.reservedConcurrency === 0);
}

/** `dr unfence --region <r>`, as the operator types it. */
export function unfenceCommand(site: RegionSite): string {
  return `npx nx run dr:unfence -- --region ${site.region}`;
}

/** One Lambda call; a failure is one line naming the call, the function and, when denied, the permission. */
async function lambdaCall<T>(site: RegionSite, fn: RegionFunction, operation: string, call: () => Promise<T>, doneSoFar = ""): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const denied = isAwsError(error, "AccessDeniedException") ? `: the credentials in use need lambda:${operation} on ${fn.arn} (docs/runbook.md, Before anything)` : "";
    const pool = /UnreservedConcurrentExecution/i.test(messageOf(error))
      ? `: ${site.region}'s account-wide pool must keep its unreserved minimum (100 in a default account) after this reservation; since the fence, other functions have reserved what this one gave back. Lower another function's reserved concurrency, or ask for a higher concurrency quota, then re-run`
      : "";
    throw new FailedError(oneLine(`${operation} of ${fn.name} in ${site.region} failed: ${messageOf(error)}${denied}${pool}${doneSoFar}`));
  }
}

/** The region's two functions, or a refusal when the outputs do not name them (saved before `healthLambdaName` existed). */
function functionsOf(ctx: Context, site: RegionSite): RegionFunction[] {
  const functions = ctx.topology.functionsOf(site);
  if (functions.length < 2) {
    throw new RefusedError(`the ${site.stack} outputs name no lambdaName or healthLambdaName (saved before they existed): read fresh outputs (--outputs DIR, or the stacks)`);
  }
  return functions;
}

/** Each function's reserved concurrency and fence tag (GetFunctionConcurrency, ListTags), in the region's own Lambda API. */
export async function readFence(ctx: Context, site: RegionSite, functions = ctx.topology.functionsOf(site)): Promise<FunctionFence[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const [reserved, tags] = await Promise.all([
        lambdaCall(site, fn, "GetFunctionConcurrency", () => ctx.aws.reservedConcurrency(site.region, fn.name)),
        lambdaCall(site, fn, "ListTags", () => ctx.aws.functionTags(site.region, fn.arn)),
      ]);
      return { role: fn.role, name: fn.name, reservedConcurrency: reserved ?? null, restore: tags[FENCE_RESTORE_TAG] ?? null };
    }),
  );
}

/**
 * What `status` and the moves read: each function's reserved concurrency and, when ListTags
 * answers, its tag. A function whose concurrency cannot be read is left out and named in `error`;
 * a failed ListTags leaves `restore` null and is named in `error`, but never hides a function at 0
 * (reading the tag needs lambda:ListTags, which a read-only role may lack).
 */
export async function readFenceLenient(ctx: Context, site: RegionSite, functions: RegionFunction[]): Promise<{ functions: FunctionFence[]; fenced: boolean | null; error?: string }> {
  const [reserved, tags] = await Promise.all([
    Promise.allSettled(functions.map((fn) => lambdaCall(site, fn, "GetFunctionConcurrency", () => ctx.aws.reservedConcurrency(site.region, fn.name)))),
    Promise.allSettled(functions.map((fn) => lambdaCall(site, fn, "ListTags", () => ctx.aws.functionTags(site.region, fn.arn)))),
  ]);
  const errors = [...reserved, ...tags].flatMap((r) => (r.status === "rejected" ? [messageOf(r.reason)] : []));
  const read: FunctionFence[] = functions.flatMap((fn, i) => {
    const r = reserved[i];
    const t = tags[i];
    if (r?.status !== "fulfilled") return [];
    return [{ role: fn.role, name: fn.name, reservedConcurrency: r.value ?? null, restore: t?.status === "fulfilled" ? (t.value[FENCE_RESTORE_TAG] ?? null) : null }];
  });
  // Fenced as soon as one function reads 0; not fenced only when every function was read.
  const fenced = isFenced(read) ? true : read.length === functions.length ? false : null;
  return { functions: read, fenced, ...(errors.length ? { error: errors.join("; ") } : {}) };
}

const describe = (f: FunctionFence) => `${f.name} ${f.reservedConcurrency ?? "unreserved"}${f.restore === null ? "" : ` (${FENCE_RESTORE_TAG}=${f.restore})`}`;
const recorded = (value: number | null) => (value === null ? NO_RESERVATION : String(value));

/** What clients get from a fenced region, and what follows; in the result and the docs. */
function fenceEffect(ctx: Context, site: RegionSite): string {
  const other = ctx.topology.other(site);
  const problem = GATEWAY_PROBLEMS.find((p) => p.responseType === "DEFAULT_5XX");
  const retryAfter = problem?.headers?.["Retry-After"];
  const dns = ctx.topology.failoverUrl
    ? `Route 53 moves clients of ${ctx.topology.failoverUrl} to ${other.region}`
    : `Route 53's failover record (with DNS failover enabled) moves clients to ${other.region}`;
  return (
    `${site.region}'s payment requests now answer API Gateway's DEFAULT_5XX problem (a 5xx for a throttled function: 500 or 504, AWS's sources differ${retryAfter ? `, Retry-After: ${retryAfter}` : ""}; a retry with the same Idempotency-Key makes a payment at most once) ` +
    `and its /health fails, so ${dns} ≈ ${dnsFailoverSeconds()} s after its first failed check (${dnsFailoverWorstSeconds()} s at worst); ` +
    (site === ctx.topology.home
      ? `\`dr failover\` goes on without --force once ${other.region}'s probe has seen that /health fail (about half a minute)`
      : `\`dr failover\` goes on without --force`)
  );
}

/**
 * `dr fence --region <r>`: stops the region's payment API from reaching its database by setting
 * reserved concurrency 0 on its payment function, then its `/health` function (so DNS moves only
 * once writes have stopped), each after recording its current value in {@link FENCE_RESTORE_TAG}.
 * Refused while the other region's `/health` does not answer 200 (the region fenced may be the only
 * one serving), unless `force`. Re-running it changes nothing already fenced.
 */
export async function fence(ctx: Context, site: RegionSite, options: { yes: boolean; force: boolean }): Promise<FenceResult> {
  const timeline = new Timeline(ctx.clock, ctx.log);
  const functions = functionsOf(ctx, site);
  const before = await readFence(ctx, site, functions);
  timeline.mark(`read ${site.region}'s functions: ${before.map(describe).join(", ")}`);
  for (const f of before.filter((f) => f.reservedConcurrency === 0)) {
    timeline.mark(
      f.restore === null
        ? `${f.name} is already at 0 with no ${FENCE_RESTORE_TAG} tag (fenced by hand): left as it is; \`dr unfence\` will refuse it`
        : `${f.name} is already fenced (${FENCE_RESTORE_TAG}=${f.restore} kept)`,
    );
  }
  const toFence = functions.filter((_, i) => before[i]?.reservedConcurrency !== 0);
  const result = (outcome: FenceResult["outcome"]): FenceResult => ({
    command: "fence",
    region: site.region,
    outcome,
    functions: before.map((f) => ({
      role: f.role,
      name: f.name,
      before: f.reservedConcurrency,
      after: outcome === "done" ? 0 : f.reservedConcurrency,
      restoreTag: f.reservedConcurrency === 0 || outcome !== "done" ? f.restore : recorded(f.reservedConcurrency),
    })),
    timeline: timeline.events,
    totalSeconds: timeline.totalSeconds(),
    effect: fenceEffect(ctx, site),
    undo: unfenceCommand(site),
  });
  if (toFence.length === 0) {
    timeline.mark(`${site.region} is already fenced: nothing to change`);
    return result("already-done");
  }

  const other = ctx.topology.other(site);
  const health = await checkHealth(ctx.fetch, other.healthUrl, ctx.healthTimeoutMs);
  if (!health.ok) {
    const answer = health.error ?? `HTTP ${health.httpStatus}`;
    if (!options.force) {
      throw new RefusedError(
        `${other.region}'s ${other.healthUrl} answers ${answer}, so ${site.region} may be the only region serving: fencing it would stop payments everywhere. Check \`dr status\`; to stop ${site.region} all the same, re-run with --force`,
      );
    }
    timeline.mark(`${other.region}'s /health answers ${answer}; fencing ${site.region} all the same (--force)`);
  } else {
    timeline.mark(`${other.region}'s /health answers 200: it can take ${site.region}'s clients`);
  }

  await confirmOrRefuse(
    ctx,
    options,
    `Fence ${site.region}: reserved concurrency 0 on ${toFence.map((f) => f.name).join(" and ")}? Its payments then answer a 5xx and its /health fails, so DNS moves clients to ${other.region} (undo: ${unfenceCommand(site)})`,
  );
  const done: string[] = [];
  const soFar = () =>
    done.length
      ? `; done before it: ${done.join(", ")}. ${site.region} is HALF-FENCED: its payments are stopped but its /health may still answer 200, so DNS does not move clients to ${other.region}: re-run the same command (or \`${unfenceCommand(site)}\` to undo)`
      : "; no function fenced yet";
  for (const fn of toFence) {
    const was = before.find((f) => f.name === fn.name)?.reservedConcurrency ?? null;
    // The record first: a run stopped between the two calls leaves the function serving and its value recorded.
    await lambdaCall(site, fn, "TagResource", () => ctx.aws.tagFunction(site.region, fn.arn, { [FENCE_RESTORE_TAG]: recorded(was) }), soFar());
    timeline.mark(`${fn.name}: recorded ${FENCE_RESTORE_TAG}=${recorded(was)}`);
    await lambdaCall(site, fn, "PutFunctionConcurrency", () => ctx.aws.putReservedConcurrency(site.region, fn.name, 0), soFar());
    timeline.mark(`${fn.name}: reserved concurrency ${was ?? "unreserved"} → 0`);
    done.push(`${fn.name} fenced`);
  }
  return result("done");
}

/**
 * `dr unfence --region <r>`: gives each fenced function back the reserved concurrency its
 * {@link FENCE_RESTORE_TAG} recorded (or none), payment function first, then removes the tag.
 * Refused, changing nothing, while a function is at 0 with no tag (fenced by hand: the value to
 * restore is unknown) or the tag says neither a number nor `none`. Re-running it changes nothing.
 */
export async function unfence(ctx: Context, site: RegionSite, options: { yes: boolean }): Promise<FenceResult> {
  const timeline = new Timeline(ctx.clock, ctx.log);
  const functions = functionsOf(ctx, site);
  const before = await readFence(ctx, site, functions);
  timeline.mark(`read ${site.region}'s functions: ${before.map(describe).join(", ")}`);
  const byHand = before.filter((f) => f.reservedConcurrency === 0 && f.restore === null);
  if (byHand.length > 0) {
    const app = site.stack;
    const setting = (f: FunctionFence) => (f.role === "api" ? `apiReservedConcurrency (default 50) for ${f.name}` : `healthReservedConcurrency (default 5) for ${f.name}`);
    throw new RefusedError(
      `${byHand.map((f) => f.name).join(" and ")} ${byHand.length > 1 ? "have" : "has"} reserved concurrency 0 but no ${FENCE_RESTORE_TAG} tag (fenced by hand, not by \`dr fence\`), so the value to restore is unknown; nothing changed. ` +
        `Set the stack's value (README, Configuration: ${byHand.map(setting).join("; ")}) with \`aws lambda put-function-concurrency --region ${site.region} --function-name <name> --reserved-concurrent-executions <n>\`, or run \`npx nx run ${app}:refresh\` then \`npx nx run ${app}:up\``,
    );
  }
  const unreadable = before.filter((f) => f.reservedConcurrency === 0 && f.restore !== null && restoreValue(f.restore) === undefined);
  if (unreadable.length > 0) {
    throw new RefusedError(
      `${unreadable.map((f) => `${f.name}'s ${FENCE_RESTORE_TAG} tag is "${f.restore}"`).join("; ")}: neither a positive number nor ${NO_RESERVATION}, so the value to restore is unknown; nothing changed. Set it by hand (README, Configuration) and remove the tag`,
    );
  }
  // Only a function still at 0 gets its recorded value back. One with the tag but another value was
  // changed since the fence (a `pulumi up` that changed its reserved concurrency, or a hand): that
  // value is newer than the record, so it stays, and only the stale tag goes.
  const toRestore = functions.filter((_, i) => before[i]?.restore !== null && before[i]?.reservedConcurrency === 0);
  const stale = functions.filter((_, i) => before[i]?.restore !== null && before[i]?.reservedConcurrency !== 0);
  for (const fn of stale) {
    const f = before.find((b) => b.name === fn.name);
    timeline.mark(
      `${fn.name} is at ${f?.reservedConcurrency ?? "unreserved"}, not 0: changed since the fence (a \`pulumi up\`, or by hand); left as it is, its stale ${FENCE_RESTORE_TAG}=${f?.restore} to remove`,
    );
  }
  const result = (outcome: FenceResult["outcome"]): FenceResult => ({
    command: "unfence",
    region: site.region,
    outcome,
    functions: before.map((f) => ({
      role: f.role,
      name: f.name,
      before: f.reservedConcurrency,
      after: f.restore === null || f.reservedConcurrency !== 0 ? f.reservedConcurrency : (restoreValue(f.restore) ?? null),
      restoreTag: outcome === "done" ? null : f.restore,
    })),
    timeline: timeline.events,
    totalSeconds: timeline.totalSeconds(),
  });
  if (toRestore.length === 0 && stale.length === 0) {
    timeline.mark(`${site.region} is not fenced: nothing to change`);
    return result("already-done");
  }

  const plan = [
    ...toRestore.map((fn) => `restore the reserved concurrency of ${fn.name} → ${before.find((f) => f.name === fn.name)?.restore}`),
    ...stale.map((fn) => `remove the stale ${FENCE_RESTORE_TAG} tag of ${fn.name} (left at ${before.find((f) => f.name === fn.name)?.reservedConcurrency ?? "unreserved"})`),
  ];
  await confirmOrRefuse(ctx, options, `Unfence ${site.region}: ${plan.join(", ")}? Its payments and /health answer again, and Route 53 sends clients back once its checks pass`);
  const done: string[] = [];
  const soFar = () => (done.length ? `; done before it: ${done.join(", ")}; re-run the same command` : "; no function restored yet");
  for (const fn of toRestore) {
    const tag = before.find((f) => f.name === fn.name)?.restore as string;
    const value = restoreValue(tag) ?? null;
    if (value === null) {
      await lambdaCall(site, fn, "DeleteFunctionConcurrency", () => ctx.aws.deleteReservedConcurrency(site.region, fn.name), soFar());
    } else {
      await lambdaCall(site, fn, "PutFunctionConcurrency", () => ctx.aws.putReservedConcurrency(site.region, fn.name, value), soFar());
    }
    timeline.mark(`${fn.name}: reserved concurrency → ${value ?? "unreserved"}`);
    // The tag last: a run stopped before it leaves the record, and a re-run restores the same value again.
    await lambdaCall(site, fn, "UntagResource", () => ctx.aws.untagFunction(site.region, fn.arn, [FENCE_RESTORE_TAG]), soFar());
    timeline.mark(`${fn.name}: ${FENCE_RESTORE_TAG} removed`);
    done.push(`${fn.name} restored`);
  }
  for (const fn of stale) {
    await lambdaCall(site, fn, "UntagResource", () => ctx.aws.untagFunction(site.region, fn.arn, [FENCE_RESTORE_TAG]), soFar());
    timeline.mark(`${fn.name}: stale ${FENCE_RESTORE_TAG} removed`);
    done.push(`${fn.name}'s stale tag removed`);
  }
  return result("done");
}

/**
 * A move to a fenced region is refused: its `/health` never answers 200 while its functions are at
 * 0, so the move's checks would time out and DNS would never send clients there. A region whose
 * Lambda API cannot be read is not refused here: preflight's `/health` check and the move's wait
 * still stand. Returns what to note in the timeline in that case.
 */
export async function refuseIfFenced(ctx: Context, target: RegionSite, command: string): Promise<string | undefined> {
  const names = ctx.topology.functionsOf(target);
  if (names.length === 0) return undefined;
  const read = await readFenceLenient(ctx, target, names);
  const fenced = read.functions.filter((f) => f.reservedConcurrency === 0);
  if (read.fenced === null) return `could not read whether ${target.region} is fenced (${read.error}); going on`;
  if (fenced.length > 0) {
    throw new RefusedError(
      `${target.region} is fenced (reserved concurrency 0 on ${fenced.map((f) => f.name).join(" and ")}): its /health would never answer 200, so the ${command} could not finish and DNS would never send clients back. Run \`${unfenceCommand(target)}\` first, then retry`,
    );
  }
  return undefined;
}
