import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresNotInstalledError, findPostgresBinaries, queryOnce, startPostgres, type PostgresServer } from "./index";


describe("findPostgresBinaries", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pg-root-"));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function fakeVersion(version: string, binaries = ["initdb", "pg_ctl"]): Promise<void> {
    await mkdir(join(root, version, "bin"), { recursive: true });
    for (const name of binaries) {
      await writeFile(join(root, version, "bin", name), "#!/bin/sh\n");
      await chmod(join(root, version, "bin", name), 0o755);
    }
  }

  it("picks the highest major version, compared as numbers", async () => {
    await fakeVersion("9.6");
    await fakeVersion("15");
    await fakeVersion("13");
    expect(findPostgresBinaries(root)).toEqual({ version: "15", initdb: join(root, "15/bin/initdb"), pgCtl: join(root, "15/bin/pg_ctl"), pgBasebackup: join(root, "15/bin/pg_basebackup"), psql: join(root, "15/bin/psql") });
  });

  it("skips a version without both binaries (a client-only install)", async () => {
    await fakeVersion("16", ["pg_ctl"]);
    await fakeVersion("14");
    expect(findPostgresBinaries(root).version).toBe("14");
  });

  it("says to install Debian's postgresql package when nothing is there", async () => {
    expect(() => findPostgresBinaries(root)).toThrow(PostgresNotInstalledError);
    expect(() => findPostgresBinaries(join(root, "missing"))).toThrow(/apt-get install -y postgresql/);
  });
});

describe("startPostgres", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ settings: { max_connections: 30 } });
  });
  afterAll(() => server?.stop());

  it("serves on 127.0.0.1 only, with the requested settings", async () => {
    expect(server.url).toBe(`postgres://postgres:${server.password}@127.0.0.1:${server.port}/postgres`);
    const [row] = await queryOnce(server.url, "SELECT current_setting('listen_addresses') AS listen, current_setting('max_connections') AS max, current_user AS who");
    expect(row).toEqual({ listen: "127.0.0.1", max: "30", who: "postgres" });
  });

  it("requires the password over TCP", async () => {
    const wrong = server.url.replace(server.password, "not-the-password");
    await expect(queryOnce(wrong, "SELECT 1")).rejects.toThrow(/password authentication failed/);
  });

  it("pauses and resumes the same cluster on the same port", async () => {
    await queryOnce(server.url, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
    await server.pause();
    await expect(queryOnce(server.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await server.resume();
    expect(await queryOnce(server.url, "SELECT n FROM kept")).toEqual([{ n: 42 }]);
  });

  it("restarts in recovery (read-only, as a secondary's endpoint) with its data, and out of it again", async () => {
    await queryOnce(server.url, "CREATE TABLE before_recovery (n int); INSERT INTO before_recovery VALUES (7)");
    await server.setInRecovery(true);
    try {
      expect(await queryOnce(server.url, "SELECT pg_is_in_recovery() AS recovering, n FROM before_recovery")).toEqual([{ recovering: true, n: 7 }]);
      await expect(queryOnce(server.url, "INSERT INTO before_recovery VALUES (8)")).rejects.toThrow(/read-only transaction/);
    } finally {
      await server.setInRecovery(false);
    }
    await queryOnce(server.url, "INSERT INTO before_recovery VALUES (8)");
    expect(await queryOnce(server.url, "SELECT pg_is_in_recovery() AS recovering")).toEqual([{ recovering: false }]);
  });

  it("fails to start with the server log's last lines, and removes what it made", async () => {
    const failed = startPostgres({ settings: { shared_buffers: "plenty" } });
    await expect(failed).rejects.toThrow(/--- server log \(last lines\) ---[\s\S]*invalid value for parameter "shared_buffers"/);
    // The failed pg_ctl command names the cluster's directory: nothing of it is left.
    const baseDir = /-D (\S+)\/data /.exec(((await failed.catch((error: Error) => error)) as Error).message)?.[1];
    expect(baseDir).toMatch(/pg-test-/);
    await expect(stat(baseDir!)).rejects.toThrow(/ENOENT/);
  });

  it("removes its files on stop, and a second stop is harmless", async () => {
    const other = await startPostgres();
    const [{ dir }] = (await queryOnce(other.url, "SELECT current_setting('data_directory') AS dir")) as [{ dir: string }];
    await other.stop();
    await other.stop();
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    await expect(queryOnce(other.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
  });
});
