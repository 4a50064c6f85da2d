import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type { ClientBase } from "pg";
import { takeMigrationsLock, MIGRATIONS_LOCK_SCHEMA } from "../migrations/runner";
import { codeOf, SQLSTATE_QUERY_CANCELED } from "./errors";
import { inTransaction } from "./transaction";

/** The role the payment functions (api, cleanup) connect as (migrations/003_create_app_role.sql grants it its rows). */
export const APP_ROLE = "payments_app";
/**
 * The role /health connects as (migrations/005_create_health_role.sql): it updates the heartbeat
 * row and reads nothing. /health answers anyone, so its function holds no credentials that reach a payment.
 */
export const HEALTH_ROLE = "payments_health";

/** PostgreSQL's default iteration count for SCRAM-SHA-256 verifiers. */
const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, PostgreSQL's stored form):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Handing PostgreSQL the verifier
 * instead of the password keeps the password itself out of the statement, so out of any
 * statement log too. Printable ASCII only (the generated passwords are): SASLprep leaves such a
 * password as it is, so no normalization can make client and verifier disagree.
 */
function scramSha256Verifier(role: string, password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  if (!/^[\x20-\x7e]+$/.test(password)) throw new Error(`${role}'s password must be printable ASCII`);
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** A role a function connects as: a login with a password of its own, and the rows it needs. */
export interface FunctionRole {
  name: string;
  /** The migration that creates it (without LOGIN). */
  createdBy: string;
  /**
   * Its privileges in the payments database, exactly: granted again on every migrate run, after
   * everything else on the database and the schema's objects is revoked (its migration granted
   * them first). A new table's grant goes here too, not only in its migration.
   */
  grants(database: string): readonly string[];
}

/** The function roles, by the key of the migrate function's input that carries each one's password. */
export const FUNCTION_ROLES = {
  app: {
    name: APP_ROLE,
    createdBy: "migration 003",
    grants: (database) => [
      `GRANT CONNECT ON DATABASE ${database} TO ${APP_ROLE}`,
      `GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`,
      `GRANT SELECT, INSERT ON payments TO ${APP_ROLE}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${APP_ROLE}`,
    ],
  },
  health: {
    name: HEALTH_ROLE,
    createdBy: "migration 005",
    // `UPDATE health_heartbeat SET beat_at = now()` reads no column: no SELECT.
    grants: (database) => [`GRANT CONNECT ON DATABASE ${database} TO ${HEALTH_ROLE}`, `GRANT USAGE ON SCHEMA public TO ${HEALTH_ROLE}`, `GRANT UPDATE ON health_heartbeat TO ${HEALTH_ROLE}`],
  },
} as const satisfies Record<string, FunctionRole>;

export type FunctionRoleKey = keyof typeof FUNCTION_ROLES;

/**
 * What the app role held on the heartbeat row while /health connected as it (before migration
 * 005). Kept while a stack's /health may still: the run that takes it away comes before the
 * /health function's update to the health role's secret, which may take a minute, and Route 53
 * would fail the primary over meanwhile.
 */
const APP_HEARTBEAT_GRANT = `GRANT SELECT, UPDATE ON health_heartbeat TO ${APP_ROLE}`;

/** Attributes that only a superuser can take away (the master user of Aurora is not one). */
const SUPERUSER_ATTRIBUTES = { rolsuper: "SUPERUSER", rolreplication: "REPLICATION", rolbypassrls: "BYPASSRLS" } as const;

/** The function roles' sessions that held an uncommitted change to a role. */
interface SessionsChangingRoles {
  /** Ended, their changes rolled back. */
  ended: number[];
  /** Still there 2 s after their terminate (a backend stuck in I/O acts on it late, if ever). */
  lingering: number[];
}

/**
 * Ends the sessions of `roles` that hold an uncommitted change to a role (any role may change its
 * own password or settings): the reset's ALTER ROLE would wait on their row locks until its
 * statement timeout, and the deploy would fail naming no one. The functions never change a
 * role, so such a session serves no request.
 */
async function endSessionsChangingRoles(client: ClientBase, roles: readonly string[]): Promise<SessionsChangingRoles> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE a.usename = ANY($1::text[]) AND l.granted AND l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'
        AND l.relation IN ('pg_catalog.pg_authid'::regclass, 'pg_catalog.pg_db_role_setting'::regclass, 'pg_catalog.pg_auth_members'::regclass)
      ORDER BY l.pid`,
    [roles],
  );
  const ended: number[] = [];
  const unconfirmed: number[] = [];
  for (const { pid } of rows) {
    // Waits (up to 2 s) for the session to be gone, its change rolled back: true only then.
    const { rows: answer } = await client.query<{ ended: boolean }>("SELECT pg_terminate_backend($1, 2000) AS ended", [pid]);
    (answer[0]?.ended ? ended : unconfirmed).push(pid);
  }
  if (unconfirmed.length === 0) return { ended, lingering: [] };
  // False also for a session that ended on its own before its terminate.
  const { rows: left } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[]) ORDER BY pid", [unconfirmed]);
  return { ended, lingering: left.map((row) => row.pid) };
}

/**
 * Runs the reset's statements. One timing out while a session that would not end is still there
 * most likely waited for its lock: the error names it, and what to do.
 */
async function runReset(client: ClientBase, statements: readonly string[], lingering: readonly number[], roles: readonly string[]): Promise<void> {
  try {
    for (const statement of statements) await client.query(statement);
  } catch (error) {
    if (lingering.length === 0 || codeOf(error) !== SQLSTATE_QUERY_CANCELED) throw error;
    throw new Error(
      `The reset of ${roles.join(", ")} timed out, most likely waiting for session(s) ${lingering.join(", ")} of ${roles.join(" or ")}, which hold an uncommitted change to a role and did not end within 2 s of pg_terminate_backend: end them (SELECT pg_terminate_backend(<pid>) as the master user), then deploy again`,
      { cause: error },
    );
  }
}

/**
 * Fails the reset (so its transaction) if `role` is still a member of a role after its
 * REVOKEs. From PostgreSQL 16 (Aurora's), REVOKE takes back only the grant the master user made
 * itself: another grantor's (another admin's) stays, with a WARNING and no error, and the run
 * would report a reset it did not do.
 */
async function refuseMembershipsLeft(client: ClientBase, role: string): Promise<void> {
  const { rows } = await client.query<{ rolname: string; grantor: string | null }>(
    `SELECT r.rolname, g.rolname AS grantor FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid LEFT JOIN pg_roles g ON g.oid = m.grantor
      WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY 1, 2`,
    [role],
  );
  if (rows.length === 0) return;
  const left = rows.map((m) => `${m.rolname} (granted by ${m.grantor ?? "a dropped role"})`).join(", ");
  throw new Error(`${role} is still a member of ${left}: the master user can revoke only its own grants; have the grantor revoke it, then deploy again`);
}

/** An object on which a function role holds a privilege: a schema, or a table, sequence or routine in one. */
interface GrantedObject {
  /** What REVOKE calls it: TABLE (also a view), SEQUENCE, ROUTINE (a function or procedure), SCHEMA. */
  kind: "TABLE" | "SEQUENCE" | "ROUTINE" | "SCHEMA";
  /** Qualified and quoted, as a statement names it. */
  name: string;
  owner: string;
  /** The master user owns it, or is a member of its owner: its REVOKE works. */
  revocable: boolean;
}

/**
 * The tables (a grant on some columns only included), sequences and routines of every schema but
 * the system's, and the schemas other than public, on which `role` holds any privilege.
 * The reset revokes on these only, not with REVOKE … ON ALL TABLES IN SCHEMA public: that one
 * fails ("permission denied for table …") on any object there that the master user, who is no
 * superuser, has no privilege on at all (an extension's, owned by the bootstrap superuser, or
 * another admin's), however unrelated to the app role.
 */
async function objectsGrantedTo(client: ClientBase, role: string): Promise<GrantedObject[]> {
  const { rows } = await client.query<GrantedObject>(
    `SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, format('%I.%I', n.nspname, c.relname) AS name,
            pg_get_userbyid(c.relowner) AS owner, pg_has_role(c.relowner, 'USAGE') AS revocable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        AND (EXISTS (SELECT FROM aclexplode(c.relacl) a WHERE a.grantee = $1::regrole)
          OR EXISTS (SELECT FROM pg_attribute t, aclexplode(t.attacl) a WHERE t.attrelid = c.oid AND a.grantee = $1::regrole))
     UNION ALL
     SELECT 'ROUTINE', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
            pg_get_userbyid(p.proowner), pg_has_role(p.proowner, 'USAGE')
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = $1::regrole)
     UNION ALL
     SELECT 'SCHEMA', format('%I', n.nspname), pg_get_userbyid(n.nspowner), pg_has_role(n.nspowner, 'USAGE')
       FROM pg_namespace n
      WHERE n.nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND EXISTS (SELECT FROM aclexplode(n.nspacl) a WHERE a.grantee = $1::regrole)
     ORDER BY 2`,
    [role],
  );
  return rows;
}

/** How {@link configureRoles} resets. */
export interface RolesResetOptions {
  /** Leave the app role its heartbeat grant ({@link APP_HEARTBEAT_GRANT}): /health may still connect as it. @default false */
  keepAppHeartbeat?: boolean;
}

/** What {@link configureRoles} had to do besides the reset. */
export interface RolesReset {
  /** The function roles' sessions it ended: each held an uncommitted change to a role. */
  endedSessions: number[];
}

/**
 * Checks that the master user can reset `role` (it exists, holds nothing only a superuser can
 * take away, and holds no privilege the master user cannot revoke), and returns the statements
 * that do it. Whatever was added to the role since its last reset (an attribute, a membership, a
 * setting such as `default_transaction_read_only` it may set on itself, a grant) is taken away, its
 * grants given again, and it logs in with `password`.
 */
async function resetStatements(client: ClientBase, role: FunctionRole, password: string, database: string, extraGrants: readonly string[]): Promise<string[]> {
  const name = role.name;
  // Checked before any session is ended: the master user may not end a superuser's session either.
  const { rows } = await client.query<Record<keyof typeof SUPERUSER_ATTRIBUTES, boolean>>("SELECT rolsuper, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1", [name]);
  if (!rows[0]) throw new Error(`${name} does not exist: ${role.createdBy} creates it`);
  const held = Object.entries(SUPERUSER_ATTRIBUTES).filter(([column]) => rows[0]![column as keyof typeof SUPERUSER_ATTRIBUTES]).map(([, attribute]) => attribute);
  if (held.length > 0) throw new Error(`${name} has ${held.join(", ")}: only a superuser can take that away; have it done, then deploy again`);
  const memberships = await client.query<{ rolname: string; rolsuper: boolean }>(
    "SELECT DISTINCT r.rolname, r.rolsuper FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)",
    [name],
  );
  // Membership in a superuser role (SET ROLE makes the role a superuser): only a superuser
  // may revoke it, the master user's REVOKE fails naming no role of ours.
  const superRoles = memberships.rows.filter((m) => m.rolsuper).map((m) => m.rolname);
  if (superRoles.length > 0) throw new Error(`${name} is a member of ${superRoles.join(", ")}, a superuser: only a superuser can revoke that; have it done, then deploy again`);
  const granted = await objectsGrantedTo(client, name);
  const foreign = granted.filter((object) => !object.revocable);
  if (foreign.length > 0) {
    const names = foreign.map((object) => `${object.name} (owned by ${object.owner})`).join(", ");
    throw new Error(`${name} has privileges on ${names}, which the master user cannot revoke: have its owner revoke them, then deploy again`);
  }
  return [
    `ALTER ROLE ${name} NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity'`,
    `ALTER ROLE ${name} RESET ALL`,
    `ALTER ROLE ${name} IN DATABASE ${database} RESET ALL`,
    ...memberships.rows.map(({ rolname }) => `REVOKE ${client.escapeIdentifier(rolname)} FROM ${name}`),
    ...granted.map((object) => `REVOKE ALL ON ${object.kind} ${object.name} FROM ${name}`),
    `REVOKE ALL ON SCHEMA public FROM ${name}`,
    `REVOKE ALL ON SCHEMA ${MIGRATIONS_LOCK_SCHEMA} FROM ${name}`,
    `REVOKE ALL ON DATABASE ${database} FROM ${name}`,
    ...role.grants(database),
    ...extraGrants,
    // A verifier holds only base64 characters, `$` and `:`; escapeLiteral quotes it all the same.
    `ALTER ROLE ${name} WITH LOGIN PASSWORD ${client.escapeLiteral(scramSha256Verifier(name, password))}`,
  ];
}

/**
 * Puts each function role of `passwords` back to exactly what it should be, and lets it log in with
 * its password (run by the migrate function, as the master user, after the migrations created the
 * roles; the stack writes each password into its secret after that). A run leaves each role its
 * rows and nothing else. One transaction for all of them, under the migrations' lock, so concurrent
 * runs wait for each other and a failure changes no role's password (each secret is written only
 * after the run succeeded); a session of these roles holding an uncommitted change to a role is ended first.
 */
export async function configureRoles(client: ClientBase, passwords: Partial<Record<FunctionRoleKey, string>>, options: RolesResetOptions = {}): Promise<RolesReset> {
  const roles = (Object.keys(FUNCTION_ROLES) as FunctionRoleKey[]).filter((key) => passwords[key] !== undefined).map((key) => ({ role: FUNCTION_ROLES[key], password: passwords[key]! }));
  const names = roles.map(({ role }) => role.name);
  if (roles.length === 0) return { endedSessions: [] };
  return inTransaction(client, async () => {
    await takeMigrationsLock(client);
    const database = client.escapeIdentifier((await client.query<{ name: string }>("SELECT current_database() AS name")).rows[0]!.name);
    const statements = [
      // With USAGE there, a role could lock the migrations' lock table (a PREPARE naming it does): hold deploys up.
      `REVOKE ALL ON SCHEMA ${MIGRATIONS_LOCK_SCHEMA} FROM PUBLIC`,
      // PostgreSQL lets every role (PUBLIC) connect and create temporary tables by default:
      // only roles granted CONNECT reach the payments database, and only its owner has TEMPORARY.
      `REVOKE ALL ON DATABASE ${database} FROM PUBLIC`,
    ];
    for (const { role, password } of roles) {
      const grants = role.name === APP_ROLE && options.keepAppHeartbeat ? [APP_HEARTBEAT_GRANT] : [];
      statements.push(...(await resetStatements(client, role, password, database, grants)));
    }
    const sessions = await endSessionsChangingRoles(client, names);
    await runReset(client, statements, sessions.lingering, names);
    for (const name of names) await refuseMembershipsLeft(client, name);
    return { endedSessions: sessions.ended };
  });
}
