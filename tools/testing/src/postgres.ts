import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBIAN_POSTGRES_ROOT, findPostgresBinaries, type PostgresBinaries } from "./binaries";

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Extra `postgresql.conf` settings, e.g. `{ max_connections: 200 }`. */
  settings?: Record<string, string | number | boolean>;
  /** Where the `<major>/bin` folders are. @default "/usr/lib/postgresql" */
  postgresRoot?: string;
}

/** A running throwaway PostgreSQL server, reachable on 127.0.0.1 only. */
export interface PostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The superuser. */
  readonly user: string;
  /** The superuser's password, random per server. */
  readonly password: string;
  readonly database: string;
  /** The server's major version, e.g. "15". */
  readonly version: string;
  /** The URL of another database on the same server, as the same superuser. */
  urlFor(database: string): string;
  /** Stops the server process and keeps the cluster, so {@link resume} brings the same data back on the same port. */
  pause(): Promise<void>;
  /** Starts a paused server again. */
  resume(): Promise<void>;
  /**
   * Restarts the server in recovery, as a hot standby with no primary to follow (read-only,
   * `pg_is_in_recovery()` true: what a secondary's or a demoted writer's endpoint answers), or,
   * with `false`, out of it again (promoted).
   */
  setInRecovery(inRecovery: boolean): Promise<void>;
  /** Stops the server and deletes its files. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const SUPERUSER = "postgres";
/** PostgreSQL refuses to run as root; as root, the server runs as Debian's `postgres` system user. */
const SERVER_USER = "postgres";
const COMMAND_TIMEOUT_MS = 60_000;

/** Defaults that make a test server fast: nothing here needs to survive a crash. */
const DEFAULT_SETTINGS: Record<string, string | number | boolean> = {
  fsync: false,
  synchronous_commit: false,
  full_page_writes: false,
  max_connections: 100,
};

function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: COMMAND_TIMEOUT_MS, env: { ...process.env, LC_ALL: "C", ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(" ")} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs a server binary as the `postgres` user when we are root, as ourselves otherwise (runuser keeps the environment). */
export function runAsServerUser(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return process.getuid?.() === 0 ? run("runuser", ["-u", SERVER_USER, "--", file, ...args], cwd, env) : run(file, args, cwd, env);
}

async function serverUserIds(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", SERVER_USER], "/"), run("id", ["-g", SERVER_USER], "/")]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error(`Running as root, but there is no "${SERVER_USER}" system user to run PostgreSQL as: apt-get install -y postgresql creates it`);
  }
}

/** A port that was free a moment ago on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function confValue(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** A server whose cluster lives in `baseDir`/data; {@link startOnFreePort} starts it. */
export class ThrowawayPostgres implements PostgresServer {
  readonly host = HOST;
  readonly user = SUPERUSER;
  readonly database = "postgres";
  readonly version: string;
  private running = false;
  private removed = false;

  constructor(
    protected readonly binaries: PostgresBinaries,
    protected readonly baseDir: string,
    readonly port: number,
    readonly password: string,
  ) {
    this.version = binaries.version;
  }

  get url(): string {
    return this.urlFor(this.database);
  }

  /** The cluster's files. */
  get dataDirectory(): string {
    return join(this.baseDir, "data");
  }

  /** Where its unix socket is (the cluster's own temp dir: only this process's user reaches it). */
  get socketDir(): string {
    return this.baseDir;
  }

  private get logFile(): string {
    return join(this.baseDir, "server.log");
  }

  urlFor(database: string): string {
    return `postgres://${this.user}:${encodeURIComponent(this.password)}@${HOST}:${this.port}/${encodeURIComponent(database)}`;
  }

  async resume(): Promise<void> {
    if (this.running) return;
    try {
      await runAsServerUser(this.binaries.pgCtl, ["-D", this.dataDirectory, "-l", this.logFile, "-w", "-t", "30", "start"], this.baseDir);
    } catch (error) {
      const log = await readFile(this.logFile, "utf8").catch(() => "");
      throw new Error(`${(error as Error).message}\n--- server log (last lines) ---\n${log.split("\n").slice(-15).join("\n")}`);
    }
    this.running = true;
  }

  async pause(): Promise<void> {
    if (!this.running) return;
    // fast: disconnects clients at once, as a crashed or failed-over database would.
    await runAsServerUser(this.binaries.pgCtl, ["-D", this.dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], this.baseDir);
    this.running = false;
  }

  async setInRecovery(inRecovery: boolean): Promise<void> {
    await this.pause();
    // standby.signal in the data directory starts the server as a standby (PostgreSQL 12+).
    const signal = join(this.dataDirectory, "standby.signal");
    if (inRecovery) await runAsServerUser("touch", [signal], this.baseDir);
    else await rm(signal, { force: true });
    await this.resume();
  }

  async stop(): Promise<void> {
    if (this.removed) return;
    try {
      await this.pause();
    } finally {
      await rm(this.baseDir, { recursive: true, force: true });
      this.removed = true;
    }
  }
}

/**
 * Starts a throwaway PostgreSQL server for tests: `initdb` into a fresh temp dir, listening on
 * 127.0.0.1 only (its unix socket inside that dir), on a free port. The superuser `postgres`
 * authenticates with a random password over TCP (scram-sha-256) — so tests can check that it
 * never leaks — and with trust on the private unix socket. Call `stop()` in `afterAll`.
 *
 * As root (CI), the temp dir is handed to the `postgres` system user and initdb/pg_ctl run
 * through `runuser -u postgres --`, because PostgreSQL refuses to run as root.
 *
 * @throws PostgresNotInstalledError when Debian's postgresql package is missing.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binaries = findPostgresBinaries(options.postgresRoot ?? DEBIAN_POSTGRES_ROOT);
  const baseDir = await makeBaseDir("pg-test-");
  try {
    const password = randomBytes(18).toString("base64url");
    const passwordFile = join(baseDir, "pwfile");
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await handToServerUser(passwordFile);
    const dataDir = join(baseDir, "data");
    await runAsServerUser(
      binaries.initdb,
      ["-D", dataDir, "-U", SUPERUSER, `--pwfile=${passwordFile}`, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      baseDir,
    );
    await rm(passwordFile);
    return await startOnFreePort({ ...DEFAULT_SETTINGS, ...options.settings }, (port) => new ThrowawayPostgres(binaries, baseDir, port, password));
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh temp dir for a cluster, owned by the `postgres` system user when we are root. */
export async function makeBaseDir(prefix: string): Promise<string> {
  const baseDir = await mkdtemp(join(tmpdir(), prefix));
  await handToServerUser(baseDir);
  return baseDir;
}

/** Makes `path` the `postgres` system user's when we are root, so the server (run as that user) may read it. */
async function handToServerUser(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = await serverUserIds();
  await chown(path, uid, gid);
}

/**
 * Starts the cluster that `server(port)` names on a free loopback port, after appending
 * `settings` (and the address, port and socket directory) to its `postgresql.conf`. A port can
 * be taken between picking and binding: it tries a few.
 */
export async function startOnFreePort<S extends ThrowawayPostgres>(settings: Record<string, string | number | boolean>, server: (port: number) => S): Promise<S> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const candidate = server(await freePort());
    const conf = Object.entries({ ...settings, listen_addresses: HOST, port: candidate.port, unix_socket_directories: candidate.socketDir });
    await appendFile(join(candidate.dataDirectory, "postgresql.conf"), `\n# startPostgres\n${conf.map(([key, value]) => `${key} = ${confValue(value)}`).join("\n")}\n`);
    try {
      await candidate.resume();
      return candidate;
    } catch (error) {
      lastError = error;
      if (!/could not bind|already in use/i.test((error as Error).message)) break;
    }
  }
  throw lastError;
}
