import type { RegionRole } from "../config/environment";
import type { Connection, UseOptions } from "../db/connection";
import type { Database } from "../db/database";
import { HEALTH_CACHE_TTL_MS, HEALTH_CHECK_BUDGET_MS } from "./contract";

/** What a probe of this region's database found. */
export interface DatabaseProbe {
  /**
   * False on a read-only secondary (in recovery) or with default_transaction_read_only on. Where
   * the probe commits ({@link ProbeOptions.commit}), true only once a commit has been made.
   */
  writable: boolean;
}

/** How {@link probeDatabase} asks. */
export interface ProbeOptions extends Pick<UseOptions, "fresh" | "signal"> {
  /**
   * Make a real commit, so that a writer whose commits hang (Aurora's rds.global_db_rpo while the
   * secondaries lag, storage full) is not writable: the read-only flags look fine there.
   * @default false (the flags alone)
   */
  commit?: boolean;
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
 * Asks the connection's endpoint whether it is in recovery or read-only and, with `commit`, makes
 * it commit; on a connection of its own when `fresh` (see {@link UseOptions.fresh}), cut off when
 * `signal` aborts (see {@link UseOptions.signal}).
 * @throws Error when the commit finds no heartbeat row to update (migrations/004 missing).
 */
export function probeDatabase(connection: Connection, options: ProbeOptions = {}): Promise<DatabaseProbe> {
  const { commit = false, ...useOptions } = options;
  return connection.use(async (client) => {
    const { rows } = await client.query<{ in_recovery: boolean; read_only: string }>(
      "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only",
    );
    const row = rows[0]!;
    const writable = !row.in_recovery && row.read_only === "off";
    // Only where the flags allow it: in recovery or read-only the update would fail, not answer.
    if (!writable || !commit) return { writable };
    // A row written and committed: its commit waits as a payment's would (migrations/004).
    const { rowCount } = await client.query("UPDATE health_heartbeat SET beat_at = now()");
    // Nothing committed, yet the writer answered: not a reason to hide from the log (the 503 says only "unavailable").
    if (rowCount !== 1) throw new Error("health_heartbeat has no row: migrations/004 not applied, or its row deleted");
    return { writable: true };
  }, useOptions);
}

/**
 * What `/health` asks of the database for `role`. The DR region: its own endpoint (reachable is
 * enough: never a write). The primary: its own cluster endpoint, where its reads go, and the
 * writer its writes go through (the global writer endpoint), both writable; the writer must
 * commit (see {@link ProbeOptions.commit}), its own cluster only when it is the same connection.
 * After a failover the old primary may come back writable before Aurora demotes it (fencing is
 * best effort); its cluster then answers writable, but the global writer is in the other region,
 * out of reach without peering, so the region stays unhealthy and DNS stays on the new primary
 * instead of serving stale reads. The writer is asked on a new connection each time: one kept from
 * before the failover would still reach the old writer, writable, and answer healthy. `signal`
 * ends the probe in flight when the check's budget runs out.
 */
export async function probeForRole(role: RegionRole, db: Pick<Database, "writer" | "reader">, signal?: AbortSignal): Promise<DatabaseProbe> {
  const shared = db.writer === db.reader;
  const regional = await probeDatabase(db.reader, { commit: role === "primary" && shared, signal });
  if (role === "dr" || shared || !regional.writable) return regional;
  // Only once this region's cluster is writable: while it is a secondary the global writer is in
  // the other region, and every probe would wait out the connect timeout and log it.
  return probeDatabase(db.writer, { fresh: true, commit: true, signal });
}

/**
 * Whether this region can serve its role (DESIGN §6, Route 53 failover reads it): primary =
 * database reachable and writable; dr = reachable (read-only is what a healthy secondary is).
 * Cheap for a health checker polling every 10 s from several locations: one result is shared
 * for `ttlMs`, concurrent calls share one probe, and a probe past `timeoutMs` counts as down and
 * is told to stop (its signal aborts).
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
    /** Asks the database; `signal` aborts when the budget runs out (the probe should then stop). */
    private readonly probe: (signal: AbortSignal) => Promise<DatabaseProbe>,
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
    // An answer is as old as the probe that gave it: one that lands late, perhaps after the
    // container was frozen for minutes, counts only for what is left of its TTL.
    const startedAt = this.now();
    const budget = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DatabaseProbe | undefined>(
      (resolve) =>
        (timer = setTimeout(() => {
          resolve(undefined);
          // Stop a probe hung on a kept connection, or the next checks queue behind it.
          budget.abort();
        }, this.timeoutMs)),
    );
    const probe = this.probe(budget.signal).catch((error: unknown) => {
      this.onProbeFailure(error);
      return undefined;
    });
    const result = await Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
    const status = { healthy: this.healthyWith(result), role: this.role };
    this.cached = { status, at: startedAt };
    if (result === undefined) {
      // Late but healthy (a cold container's first probe: the SDK, the secret, TLS) is recorded
      // when it comes, so the container does not keep answering 503 for the rest of the TTL;
      // unless a newer check has begun since, whose answer is the fresher one.
      void probe.then((late) => {
        if (check === this.checks && this.healthyWith(late)) this.cached = { status: { healthy: true, role: this.role }, at: startedAt };
      });
    }
    return status;
  }

  private healthyWith(probe: DatabaseProbe | undefined): boolean {
    return probe !== undefined && (this.role === "dr" || probe.writable);
  }
}
