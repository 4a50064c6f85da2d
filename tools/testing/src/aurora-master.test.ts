import { Client } from "pg";
import { createAuroraLikeMaster, queryOnce, startPostgres, type AuroraLikeMaster, type PostgresServer } from "./index";


describe("createAuroraLikeMaster", () => {
  let server: PostgresServer;
  let master: AuroraLikeMaster;
  beforeAll(async () => {
    server = await startPostgres();
    master = await createAuroraLikeMaster(server);
  });
  afterAll(() => server?.stop());

  it("makes a login role with CREATEDB and CREATEROLE and no superuser attribute, a member of rds_superuser, as AWS describes the master user", async () => {
    expect(master.url).toBe(`postgres://payments_admin:${master.password}@127.0.0.1:${server.port}/payments`);
    const [row] = await queryOnce(
      master.url,
      `SELECT current_user AS who, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, pg_has_role('rds_superuser', 'USAGE') AS rds,
              (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner
         FROM pg_roles WHERE rolname = current_user`,
    );
    expect(row).toEqual({ who: "payments_admin", rolsuper: false, rolcreatedb: true, rolcreaterole: true, rolreplication: false, rolbypassrls: false, rds: true, owner: "payments_admin" });
  });

  it("inherits what rds_superuser has: reading every session and setting, ending another role's session", async () => {
    const other = new Client({ connectionString: server.url, application_name: "someone-else" });
    await other.connect();
    other.on("error", () => undefined);
    try {
      await queryOnce(server.url, "DROP ROLE IF EXISTS plain_user; CREATE ROLE plain_user LOGIN PASSWORD 'plain-pw'; GRANT CONNECT ON DATABASE payments TO plain_user");
      const plain = new Client({ connectionString: master.url.replace(/\/\/[^@]+@/, "//plain_user:plain-pw@"), application_name: "plain" });
      plain.on("error", () => undefined);
      await plain.connect();
      const pid = (await plain.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      const [row] = await queryOnce(master.url, `SELECT current_setting('data_directory') <> '' AS settings, (SELECT query <> '<insufficient privilege>' FROM pg_stat_activity WHERE application_name = 'someone-else') AS activity, pg_terminate_backend(${pid}, 2000) AS ended`);
      expect(row).toEqual({ settings: true, activity: true, ended: true });
      await plain.end().catch(() => undefined);
    } finally {
      await other.end();
    }
  });

  it("is refused what needs a real superuser: a superuser's attributes (even taking one away), a superuser's settings or session, ALTER SYSTEM, an untrusted extension, the server's files", async () => {
    await queryOnce(server.url, "DROP ROLE IF EXISTS bypassing; CREATE ROLE bypassing NOLOGIN BYPASSRLS");
    const superuser = new Client({ connectionString: server.url });
    await superuser.connect();
    try {
      const pid = (await superuser.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      for (const statement of ["ALTER ROLE bypassing NOBYPASSRLS", "CREATE ROLE r2 SUPERUSER", `ALTER ROLE ${server.user} SET work_mem = '8MB'`, `SELECT pg_terminate_backend(${pid})`, "ALTER SYSTEM SET work_mem = '8MB'", "CREATE EXTENSION file_fdw", "SELECT pg_read_file('postgresql.conf')"]) {
        await expect(queryOnce(master.url, statement)).rejects.toMatchObject({ code: "42501" });
      }
    } finally {
      await superuser.end();
    }
  });

  it("gives a second database to the master, as databaseName would; and a second call a new password", async () => {
    const url = await master.createDatabase("payments_two");
    expect(await queryOnce(url, "SELECT (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner")).toEqual([{ owner: "payments_admin" }]);
    const again = await createAuroraLikeMaster(server);
    expect(again.password).not.toBe(master.password);
    await expect(queryOnce(master.url, "SELECT 1")).rejects.toThrow(/password authentication failed/);
    master = again;
  });
});
