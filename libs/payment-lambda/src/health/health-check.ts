import type { RegionRole } from "../config/environment";
import type { Connection, UseOptions } from "../db/connection";
import type { Database } from "../db/database";
import { HEALTH_CACHE_TTL_MS, HEALTH_CHECK_BUDGET_MS } from "./contract";

/** What a probe of this region's database found. */
export interface DatabaseProbe {
  /** False on a read-only secondary (in recovery) or with default_transaction_read_only on. */
  writable: boolean;
}

/** `/health`'s answer. */
export interface HealthStatus {
  healthy: boolean;
  role: RegionRole;
}

/** Options of {@link HealthCheck}. */
export interface HealthCheckOptions {
  /** How long a result is reused. @default HEALTH_CACHE_TTL_MS (5000) */
  ttlMs?: number;
  /** The whole check's budget; past it the region is reported unavailable. @default HEALTH_CHECK_BUDGET_MS (1000) */
  timeoutMs?: number;
  now?: () => number;
  /** Told why a probe failed (the answer says only "unavailable"): the function logs it. */
  onProbeFailure?(error: unknown): void;
}

/**
 * Asks the connection's endpoint whether it is in recovery or read-only; on a connection of its
 * own when `fresh` (see {@link UseOptions.fresh}).
 */
export function probeDatabase(connection: Connection, options: Pick<UseOptions, "fresh"> = {}): Promise<DatabaseProbe> {
  return connection.use(async (client) => {
    const { rows } = await client.query<{ in_recovery: boolean; read_only: string }>(
      "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only",
    );
    const row = rows[0]!;
    return { writable: !row.in_recovery && row.read_only === "off" };
  }, options);
}

/**
 * What `/health` asks of the database for `role`. The DR region: its own endpoint (reachable is
 * enough). The primary: its own cluster endpoint, where its reads go, and the writer its writes
 * go through (the global writer endpoint), both writable. After a failover the old primary may
 * come back writable before Aurora demotes it (fencing is best effort); its cluster then answers
 * writable, but the global writer is in the other region, out of reach without peering, so the
 * region stays unhealthy and DNS stays on the new primary instead of serving stale reads. The
 * writer is asked on a new connection each time: one kept from before the failover would still
 * reach the old writer, writable, and answer healthy.
 */
export async function probeForRole(role: RegionRole, db: Pick<Database, "writer" | "reader">): Promise<DatabaseProbe> {
  const regional = await probeDatabase(db.reader);
  if (role === "dr" || db.writer === db.reader || !regional.writable) return regional;
  // Only once this region's cluster is writable: while it is a secondary the global writer is in
  // the other region, and every probe would wait out the connect timeout and log it.
  return probeDatabase(db.writer, { fresh: true });
}

/**
 * Whether this region can serve its role (DESIGN §6, Route 53 failover reads it): primary =
 * database reachable and writable; dr = reachable (read-only is what a healthy secondary is).
 * Cheap for a health checker polling every 10 s from several locations: one result is shared
 * for `ttlMs`, concurrent calls share one probe, and a probe past `timeoutMs` counts as down.
 */
export class HealthCheck {
  private cached: { status: HealthStatus; at: number } | undefined;
  private inFlight: Promise<HealthStatus> | undefined;
  /** Counts checks: a late probe's answer counts only while no newer check has begun. */
  private checks = 0;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly onProbeFailure: (error: unknown) => void;

  constructor(
    private readonly role: RegionRole,
    private readonly probe: () => Promise<DatabaseProbe>,
    options: HealthCheckOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? HEALTH_CACHE_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? HEALTH_CHECK_BUDGET_MS;
    this.now = options.now ?? Date.now;
    this.onProbeFailure = options.onProbeFailure ?? (() => undefined);
  }

  status(): Promise<HealthStatus> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return Promise.resolve(this.cached.status);
    this.inFlight ??= this.check().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async check(): Promise<HealthStatus> {
    const check = ++this.checks;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DatabaseProbe | undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.timeoutMs)));
    // A probe that outlives the deadline is not cancelled: the connection's own timeouts end it.
    const probe = this.probe().catch((error: unknown) => {
      this.onProbeFailure(error);
      return undefined;
    });
    const result = await Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
    const status = { healthy: this.healthyWith(result), role: this.role };
    this.cached = { status, at: this.now() };
    if (result === undefined) {
      // Late but healthy (a cold container's first probe: the SDK, the secret, TLS) is recorded
      // when it comes, so the container does not keep answering 503 for the rest of the TTL;
      // unless a newer check has begun since, whose answer is the fresher one.
      void probe.then((late) => {
        if (check === this.checks && this.healthyWith(late)) this.cached = { status: { healthy: true, role: this.role }, at: this.now() };
      });
    }
    return status;
  }

  private healthyWith(probe: DatabaseProbe | undefined): boolean {
    return probe !== undefined && (this.role === "dr" || probe.writable);
  }
}
