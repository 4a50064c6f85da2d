import { messageOf } from "@payments-dr/cli-support";
import { AURORA_RPO_LAG_METRIC } from "@payments-dr/monitoring/aurora-lag";
import { LAG_PERIOD_SECONDS, type ClusterView, type GlobalClusterView, type HealthCheckView, type LagReading } from "./aws";
import type { Context } from "./context";
import { checkHealth, type HealthResult } from "./http";
import { roleOf, writerSite } from "./status";
import { LAG_LOOKBACK_SECONDS, MAX_LAG_READING_AGE_SECONDS, MAX_LAG_SECONDS } from "./thresholds";
import type { RegionSite } from "./topology";

interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PreflightResult {
  target: string;
  ok: boolean;
  checks: CheckResult[];
}

/** Global-cluster statuses and FailoverState values that mean a role change is under way. */
const IN_PROGRESS = new Set(["switching-over", "failing-over"]);

export function operationInProgress(cluster: GlobalClusterView): boolean {
  return IN_PROGRESS.has(cluster.status) || cluster.operation !== undefined;
}

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /**
   * Count only lag readings whose minute ends after this: the target became a secondary then
   * (a drill's return leg). Aurora publishes the lag for secondaries only, so a cluster that was
   * the writer moments ago has no reading yet, and an older one describes another replication.
   */
  lagSince?: Date;
}

/** Whether `reading` covers time after `since`, is recent at `now`, and is under the lag a switchover accepts. */
export function lagAcceptable(reading: LagReading | undefined, since: Date | undefined, now: Date): reading is LagReading {
  return lagReadingSince(reading, since) && !lagReadingStale(reading, now) && reading.seconds < MAX_LAG_SECONDS;
}

/** Whether the minute `reading` covers ended more than MAX_LAG_READING_AGE_SECONDS before `now`. */
function lagReadingStale(reading: LagReading, now: Date): boolean {
  return now.getTime() - (reading.at.getTime() + LAG_PERIOD_SECONDS * 1000) > MAX_LAG_READING_AGE_SECONDS * 1000;
}

/** Whether `reading` covers time after `since`: its 1-minute period ends later. */
function lagReadingSince(reading: LagReading | undefined, since: Date | undefined): reading is LagReading {
  if (!reading) return false;
  return since === undefined || reading.at.getTime() + LAG_PERIOD_SECONDS * 1000 > since.getTime();
}

/**
 * The checks a planned switchover to `target` must pass. Every check runs and says why it
 * failed; nothing here changes anything.
 */
export async function preflight(ctx: Context, target: RegionSite, global: GlobalClusterView, options: PreflightOptions = {}): Promise<PreflightResult> {
  const checks: CheckResult[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const writer = writerSite(global, ctx.topology);
  const member = global.members.find((m) => m.clusterArn === target.clusterArn);

  add("target is a secondary member", roleOf(global, target) === "reader",
    !member ? `${target.clusterIdentifier} is not a member of ${global.id}` : member.isWriter ? `${target.region} is already the writer` : `${target.region} is a secondary`);

  const [targetCluster, writerCluster, lag, health, keys, homeCheck] = await Promise.all([
    describe(ctx, target),
    writer ? describe(ctx, writer) : Promise.resolve<Settled<ClusterView>>({ error: "no writer member in the global cluster" }),
    ctx.aws.replicationLag(target.region, target.clusterIdentifier).then(
      (value): Settled<LagReading | undefined> => ({ value }),
      (error: unknown): Settled<LagReading | undefined> => ({ error: messageOf(error) }),
    ),
    checkHealth(ctx.fetch, target.healthUrl, ctx.healthTimeoutMs),
    ctx.aws.tableReplicas(target.region, ctx.topology.apiKeysTableName).then(
      (value): Settled<{ tableStatus: string }> => ({ value }),
      (error: unknown): Settled<{ tableStatus: string }> => ({ error: `${target.region}: ${messageOf(error)}` }),
    ),
    ctx.aws.healthCheck(ctx.topology.home.healthCheckId).then(
      (value): Settled<HealthCheckView> => ({ value }),
      (error: unknown): Settled<HealthCheckView> => ({ error: messageOf(error) }),
    ),
  ]);

  const targetStatus = targetCluster.value?.status;
  add("target cluster available", targetStatus === "available",
    targetCluster.error ?? `${target.clusterIdentifier} is ${targetStatus}`);
  add("target member synchronized", member !== undefined && member.synchronizationStatus !== "pending-resync",
    member?.synchronizationStatus ? `synchronization ${member.synchronizationStatus}` : member ? "synchronization not reported" : "not a member");

  const targetVersion = targetCluster.value?.engineVersion;
  const writerVersion = writerCluster.value?.engineVersion;
  add("engine versions equal", targetVersion !== undefined && targetVersion === writerVersion,
    targetCluster.error ?? writerCluster.error ?? `target ${targetVersion}, writer ${writerVersion}`);

  const reading = lagReadingSince(lag.value, options.lagSince) ? lag.value : undefined;
  const seconds = reading?.seconds;
  const none = options.lagSince
    ? `since ${options.lagSince.toISOString()} (when ${target.region} became a secondary)`
    : `in the last ${LAG_LOOKBACK_SECONDS / 60} min (Aurora reports it for secondaries only: a cluster demoted minutes ago has none yet, retry in a minute or two)`;
  const stale = reading && lagReadingStale(reading, ctx.clock.now()) ? ` (older than ${MAX_LAG_READING_AGE_SECONDS} s: the metric stopped, as it may when replication stalls; retry in a minute)` : "";
  add(`replication lag under ${MAX_LAG_SECONDS} s`, lagAcceptable(lag.value, options.lagSince, ctx.clock.now()),
    lag.error ?? (seconds === undefined ? `no ${AURORA_RPO_LAG_METRIC} datapoint ${none}` : `${seconds} s at ${reading?.at.toISOString()}${stale}`));

  add("no global-cluster operation in progress", !operationInProgress(global),
    global.operation ? `${global.operation.status} (status ${global.status})` : `status ${global.status}`);

  // The target's authorizer reads this replica: without it every merchant gets 503 there.
  add("API keys replica active in target", keys.value?.tableStatus === "ACTIVE",
    keys.error ?? `${ctx.topology.apiKeysTableName} is ${keys.value?.tableStatus} in ${target.region}`);

  const answer = healthBeforeMove(target, health);
  add("target API answers /health", answer.ok, answer.detail);

  // The failover record follows the home region's check: disabled, Route 53 holds it healthy and
  // DNS never leaves the home region; inverted, it reads the home's /health backwards; both,
  // Route 53 holds it unhealthy and DNS never comes back to the home region.
  const check = homeCheck.value;
  // Unreadable (Route 53's API lives in us-east-1) is not a reason to refuse a move: said, not failed.
  add(`Route 53 check of ${ctx.topology.home.region} enabled, not inverted`, check === undefined || (!check.disabled && !check.inverted),
    (homeCheck.error && `not checked: Route 53's API (in us-east-1) answered ${homeCheck.error}`) ??
      (check?.disabled || check?.inverted
        ? `${checkOverride(check, ctx.topology.home.region, ctx.topology.dr.region)} (aws route53 update-health-check --health-check-id ${ctx.topology.home.healthCheckId} --no-disabled --no-inverted)`
        : "enabled"));

  return { target: target.region, ok: checks.every((c) => c.ok), checks };
}

/**
 * Whether the target's API, still a secondary's, answers as it should. Each API's `/health` answers
 * for its stack's role (REGION_ROLE): the dr-region API is 200 while its database is reachable,
 * read-only included; the primary-region API is 200 only while its cluster holds the writer, so
 * before a failback it answers 503 for role "primary". That answer comes from its function, so the
 * API and its Lambda are up; whether that Lambda reaches the new writer shows only after the move,
 * which waits for its 200.
 */
function healthBeforeMove(target: RegionSite, health: HealthResult): { ok: boolean; detail: string } {
  if (health.ok) return { ok: true, detail: `HTTP 200 in ${health.latencyMs} ms` };
  if (target.stack === "primary-region" && health.httpStatus === 503 && health.role === "primary") {
    return { ok: true, detail: `HTTP 503 for role primary in ${health.latencyMs} ms: expected while ${target.region} is a secondary; it must answer 200 once it holds the writer` };
  }
  return { ok: false, detail: `${health.url}: ${health.error}` };
}

/**
 * What a hand-set `Disabled` / `Inverted` does to the home region's check, which the failover
 * record follows. Disabled, Route 53 holds the check healthy; inverted, it reverses the verdict,
 * a disabled check's too, so both together hold it unhealthy (Route 53 API, HealthCheckConfig).
 */
function checkOverride(check: HealthCheckView, home: string, dr: string): string {
  if (check.disabled && check.inverted) return `disabled and inverted: Route 53 treats it as unhealthy whatever ${home}'s /health answers, so DNS answers with ${dr} and would not come back to ${home}`;
  if (check.disabled) return "disabled: Route 53 treats it as healthy, so DNS would not follow the move";
  return "inverted: Route 53 reads its /health backwards";
}

type Settled<T> = { value?: T; error?: string };

async function describe(ctx: Context, site: RegionSite): Promise<Settled<ClusterView>> {
  try {
    return { value: await ctx.aws.cluster(site.region, site.clusterIdentifier) };
  } catch (error) {
    return { error: `${site.region}: ${messageOf(error)}` };
  }
}
