import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { PostgresServer } from "./postgres";

/**
 * The roles Aurora PostgreSQL makes rds_superuser a member of, as AWS lists them ("Viewing roles
 * and their privileges", Aurora User Guide): with ADMIN OPTION, granted by the real superuser
 * (rdsadmin). pg_monitor brings pg_read_all_settings, pg_read_all_stats and pg_stat_scan_tables.
 * pg_checkpoint and pg_use_reserved_connections exist from PostgreSQL 15 and 16 on: each is
 * granted only where the server has it.
 */
const RDS_SUPERUSER_MEMBER_OF = ["pg_monitor", "pg_signal_backend", "pg_checkpoint", "pg_use_reserved_connections", "rds_password", "rds_replication"] as const;
/** Roles of RDS's own that rds_superuser administers: NOLOGIN, no attribute, no privilege here. */
const RDS_OWN_ROLES = ["rds_password", "rds_replication"] as const;
const RDS_SUPERUSER = "rds_superuser";

/** Options of {@link createAuroraLikeMaster}. */
export interface AuroraLikeMasterOptions {
  /** The master user's name (the cluster's `masterUsername`). @default "payments_admin" */
  user?: string;
  /** The database `databaseName` creates, owned by the master user. @default "payments" */
  database?: string;
}

/** The master user of an Aurora-like cluster on a test server: see {@link createAuroraLikeMaster}. */
export interface AuroraLikeMaster {
  readonly user: string;
  /** Random per call. */
  readonly password: string;
  /** The database it owns. */
  readonly database: string;
  /** `postgres://<user>:<password>@127.0.0.1:<port>/<database>` */
  readonly url: string;
  /** The URL of another database of the server, as this user. */
  urlFor(database: string): string;
  /** Creates a database owned by the master user, as `databaseName` does: for tests that want one each. Answers its URL as the master. */
  createDatabase(name: string): Promise<string>;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

async function asSuperuser(server: PostgresServer, statements: string[]): Promise<void> {
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The master user of an Aurora PostgreSQL cluster, as far as a stock server can play it: what
 * runs as the master on AWS (the migrate function: migrations, app role reset) must be tested as
 * this role, not as the server's superuser, or a statement that needs a real superuser passes the
 * tests and fails the first deploy. Made with the server's superuser (playing rdsadmin), once per
 * server and user (a second call gives the user a new password):
 * - `<user>`: LOGIN CREATEDB CREATEROLE, NOSUPERUSER NOREPLICATION NOBYPASSRLS (AWS's
 *   `CREATE ROLE postgres WITH LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE NOREPLICATION`),
 *   a member of rds_superuser (INHERIT, no ADMIN OPTION);
 * - rds_superuser: NOLOGIN, member of {@link RDS_SUPERUSER_MEMBER_OF} with ADMIN OPTION, which
 *   is what lets the master read pg_stat_activity and settings, and end other roles' sessions;
 * - `<database>` owned by the master user, as the cluster's `databaseName` is: its public schema
 *   (owned by pg_database_owner from PostgreSQL 15) is the master's too.
 *
 * Not emulated: RDS's own checks (rds.restrict_password_commands, rds.extensions, the refusal of
 * untrusted extensions and of ALTER SYSTEM, which a non-superuser is refused here anyway), and
 * PostgreSQL 16's CREATEROLE rules where the server is older: on 15 a CREATEROLE role may alter,
 * grant and revoke any non-superuser role; on 16 only those it has ADMIN OPTION on (the roles it
 * created), and CREATEDB/REPLICATION/BYPASSRLS only if it has them itself.
 */
export async function createAuroraLikeMaster(server: PostgresServer, options: AuroraLikeMasterOptions = {}): Promise<AuroraLikeMaster> {
  const user = options.user ?? "payments_admin";
  const database = options.database ?? "payments";
  const password = randomBytes(18).toString("base64url");
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    const present = async (role: string) => (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])).rowCount === 1;
    for (const role of [RDS_SUPERUSER, ...RDS_OWN_ROLES]) if (!(await present(role))) await client.query(`CREATE ROLE ${quote(role)} NOLOGIN`);
    for (const role of RDS_SUPERUSER_MEMBER_OF) if (await present(role)) await client.query(`GRANT ${quote(role)} TO ${RDS_SUPERUSER} WITH ADMIN OPTION`);
    const attributes = "LOGIN CREATEDB CREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS INHERIT";
    const passwordClause = `PASSWORD ${client.escapeLiteral(password)}`;
    if (await present(user)) await client.query(`ALTER ROLE ${quote(user)} ${attributes} ${passwordClause}`);
    else await client.query(`CREATE ROLE ${quote(user)} ${attributes} ${passwordClause}`);
    await client.query(`GRANT ${RDS_SUPERUSER} TO ${quote(user)}`);
    if ((await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).rowCount === 0) await client.query(`CREATE DATABASE ${quote(database)} OWNER ${quote(user)}`);
  } finally {
    await client.end();
  }
  const urlFor = (name: string) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${server.host}:${server.port}/${encodeURIComponent(name)}`;
  return {
    user,
    password,
    database,
    url: urlFor(database),
    urlFor,
    createDatabase: async (name) => {
      await asSuperuser(server, [`CREATE DATABASE ${quote(name)} OWNER ${quote(user)}`]);
      return urlFor(name);
    },
  };
}
