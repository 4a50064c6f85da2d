import { queryOnce, startPostgres, startStandby, type PostgresServer, type StandbyServer } from "./index";

describe("startStandby", () => {
  let primary: PostgresServer;
  let standby: StandbyServer;
  beforeAll(async () => {
    primary = await startPostgres({ settings: { max_connections: 30 } });
    await queryOnce(primary.url, "CREATE TABLE before_backup (n int); INSERT INTO before_backup VALUES (1)");
    standby = await startStandby(primary);
  });
  afterAll(async () => {
    await standby?.stop();
    await primary?.stop();
  });

  it("serves the primary's data read-only, on a port of its own, with the primary's settings and password", async () => {
    expect(standby.port).not.toBe(primary.port);
    expect(standby.url).toBe(`postgres://postgres:${primary.password}@127.0.0.1:${standby.port}/postgres`);
    expect(await queryOnce(standby.url, "SELECT pg_is_in_recovery() AS recovering, current_setting('max_connections') AS max, n FROM before_backup")).toEqual([{ recovering: true, max: "30", n: 1 }]);
    await expect(queryOnce(standby.url, "INSERT INTO before_backup VALUES (2)")).rejects.toThrow(/read-only transaction/);
  });

  it("streams the primary's later commits: catchUp waits for them and answers how long that took", async () => {
    await queryOnce(primary.url, "INSERT INTO before_backup VALUES (3)");
    const lagMs = await standby.catchUp();
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThan(10_000);
    expect(await queryOnce(standby.url, "SELECT array_agg(n ORDER BY n) AS ns FROM before_backup")).toEqual([{ ns: [1, 3] }]);
  });

  it("catches up on what its primary committed while it was down", async () => {
    await standby.pause();
    await queryOnce(primary.url, "INSERT INTO before_backup VALUES (4)");
    await standby.resume();
    await standby.catchUp();
    expect(await queryOnce(standby.url, "SELECT max(n) AS n FROM before_backup")).toEqual([{ n: 4 }]);
  });

  it("fails catchUp, naming the standby and the position, when the standby stops replaying", async () => {
    await queryOnce(standby.url, "SELECT pg_wal_replay_pause()");
    await queryOnce(primary.url, "INSERT INTO before_backup VALUES (5)");
    try {
      await expect(standby.catchUp(300)).rejects.toThrow(new RegExp(`standby on port ${standby.port} had not replayed its primary's WAL up to \\S+ after 300 ms`));
    } finally {
      await queryOnce(standby.url, "SELECT pg_wal_replay_resume()");
    }
    await standby.catchUp();
  });

  it("promoted with its primary gone (a failover), takes writes and keeps every commit it had replayed", async () => {
    await primary.pause();
    await standby.promote();
    await queryOnce(standby.url, "INSERT INTO before_backup VALUES (6)");
    expect(await queryOnce(standby.url, "SELECT pg_is_in_recovery() AS recovering, array_agg(n ORDER BY n) AS ns FROM before_backup")).toEqual([{ recovering: false, ns: [1, 3, 4, 5, 6] }]);
  });
});
