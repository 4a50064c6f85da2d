import { access, constants, rm } from "node:fs/promises";
import { join } from "node:path";
import { findPostgresBinaries, DEBIAN_POSTGRES_ROOT } from "./binaries";
import { makeBaseDir, runAsServerUser, startOnFreePort, ThrowawayPostgres, type PostgresServer } from "./postgres";
import { queryOnce } from "./query";

/** Options of {@link startStandby}. */
export interface StartStandbyOptions {
  /** Where the `<major>/bin` folders are. @default "/usr/lib/postgresql" */
  postgresRoot?: string;
}

/**
 * A hot standby of a {@link startPostgres} server that streams its WAL: what an Aurora secondary
 * cluster is to the primary's (read-only, `pg_is_in_recovery()` true, the primary's commits
 * arriving a little later), until {@link promote} makes it a writer of its own.
 */
export interface StandbyServer extends PostgresServer {
  /**
   * Waits until this standby has replayed everything its primary had written when called, and
   * answers how long that took (ms): the replication lag of that moment.
   * @throws when `timeoutMs` passes first.
   */
  catchUp(timeoutMs?: number): Promise<number>;
  /** Ends recovery (`pg_ctl promote`, waiting for it): the standby takes writes, as a secondary does once a failover has made it the writer. */
  promote(): Promise<void>;
}

const DEFAULT_CATCH_UP_TIMEOUT_MS = 10_000;

/**
 * Where the primary's WAL ends. The insert position, not the written one: with
 * synchronous_commit off (startPostgres's default) a commit returns before its WAL is written.
 * Less a page header when the position sits right after one: a record that ends on a page
 * boundary leaves the insert position past the next page's header (24 bytes, 40 at a segment's
 * start), while a standby's replay stops at the boundary until more WAL comes.
 */
const WRITTEN_UP_TO = `
  SELECT (CASE WHEN offset_in_file = 40 THEN lsn - 40
               WHEN offset_in_file % current_setting('wal_block_size')::int = 24 THEN lsn - 24
               ELSE lsn END)::text AS lsn
  FROM pg_current_wal_insert_lsn() AS lsn, LATERAL (SELECT file_offset AS offset_in_file FROM pg_walfile_name_offset(lsn)) AS position`;

class ThrowawayStandby extends ThrowawayPostgres implements StandbyServer {
  constructor(
    private readonly primary: PostgresServer,
    ...server: ConstructorParameters<typeof ThrowawayPostgres>
  ) {
    super(...server);
  }

  async catchUp(timeoutMs = DEFAULT_CATCH_UP_TIMEOUT_MS): Promise<number> {
    const started = Date.now();
    const [{ lsn }] = (await queryOnce(this.primary.url, WRITTEN_UP_TO)) as [{ lsn: string }];
    for (;;) {
      const [{ replayed }] = (await queryOnce(this.url, `SELECT coalesce(pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn, false) AS replayed`)) as [{ replayed: boolean }];
      if (replayed) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`standby on port ${this.port} had not replayed its primary's WAL up to ${lsn} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async promote(): Promise<void> {
    await runAsServerUser(this.binaries.pgCtl, ["-D", this.dataDirectory, "-w", "-t", "30", "promote"], this.baseDir);
  }
}

/**
 * Starts a hot standby of `primary` (a {@link startPostgres} server, running): a base backup of
 * it (`pg_basebackup -R`, which also writes the streaming connection to the primary), started
 * on a free loopback port with the primary's settings and superuser password. `stop()` removes
 * it; stop it before its primary, or it keeps retrying the connection until then.
 *
 * @throws PostgresNotInstalledError when Debian's postgresql package is missing; an error naming
 * `pg_basebackup` when only its client package is.
 */
export async function startStandby(primary: PostgresServer, options: StartStandbyOptions = {}): Promise<StandbyServer> {
  const binaries = findPostgresBinaries(options.postgresRoot ?? DEBIAN_POSTGRES_ROOT);
  await access(binaries.pgBasebackup, constants.X_OK).catch(() => {
    throw new Error(`No ${binaries.pgBasebackup}: install Debian's postgresql-client-${binaries.version} package (the server package depends on it)`);
  });
  const baseDir = await makeBaseDir("pg-standby-");
  try {
    // The password goes through the environment, never the command line (ps shows that); -R
    // writes it into the standby's own postgresql.auto.conf, in a directory only `postgres` reads.
    await runAsServerUser(
      binaries.pgBasebackup,
      ["-h", primary.host, "-p", String(primary.port), "-U", primary.user, "-D", join(baseDir, "data"), "-R", "-X", "stream", "-c", "fast", "--no-sync"],
      baseDir,
      { PGPASSWORD: primary.password },
    );
    return await startOnFreePort({}, (port) => new ThrowawayStandby(primary, binaries, baseDir, port, primary.password));
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}
