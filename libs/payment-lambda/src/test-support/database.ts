import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { Client, type ClientBase, type QueryResult } from "pg";
import { readMigrations } from "../migrations/files";
import { applyMigrations } from "../migrations/runner";
import type { PostgresServer } from "@payments-dr/testing";
export { createAuroraLikeMaster, freePort, startPostgres, startSilentServer, startStandby, type AuroraLikeMaster, type PostgresServer, type StandbyServer } from "@payments-dr/testing";

/** The source migrations. */
export const MIGRATIONS_DIR = join(__dirname, "..", "..", "migrations");

/**
 * The shipped migrations as the runner reports them (`NNN_name`, in order) and the version a
 * fresh database ends at: what the runner's and the bundle's tests expect, so adding a migration
 * changes no test but the one that pins this list (migrations/runner.test.ts, "reads NNN_name.sql
 * in version order").
 */
export const SHIPPED_MIGRATIONS = readMigrations(MIGRATIONS_DIR).map((m) => `${m.version}_${m.name}`);
export const CURRENT_MIGRATION_VERSION = readMigrations(MIGRATIONS_DIR).at(-1)!.version;

/** `server`'s URL on another port: a proxy's or a listener's in front of it, or nobody's. */
export function urlOnPort(server: PostgresServer, port: number): string {
  return server.url.replace(`:${server.port}/`, `:${port}/`);
}

/** A database URL nobody can connect to, and how to release its port. */
interface UnreachableEndpoint {
  /** `server`'s URL with the port of a listener that hangs up on every connection. */
  url: string;
  close(): Promise<void>;
}

/**
 * An endpoint that cannot be connected to, as a secondary's inactive cluster endpoint or another
 * region's writer seen from a VPC without a route there: it hangs up on every connection (a held
 * port, so no other process can take it meanwhile).
 */
async function unreachableEndpoint(server: PostgresServer): Promise<UnreachableEndpoint> {
  const listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  return {
    url: urlOnPort(server, (listener.address() as AddressInfo).port),
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}

/**
 * For a test file: an {@link unreachableEndpoint} of `server()`, held from `beforeAll` to
 * `afterAll` (register it after the hook that starts the server). Returns its URL's getter.
 */
export function holdUnreachableEndpoint(server: () => PostgresServer): () => string {
  let endpoint: UnreachableEndpoint | undefined;
  beforeAll(async () => {
    endpoint = await unreachableEndpoint(server());
  });
  afterAll(() => endpoint?.close());
  return () => {
    if (!endpoint) throw new Error("holdUnreachableEndpoint: its beforeAll has not run");
    return endpoint.url;
  };
}

/**
 * What an {@link EndpointUnderTest} does with a new connection, as the global writer endpoint
 * seen from one region: `forward` it to the test server (the writer is here); `hang` on it, so
 * its connect times out (the writer is the other region's, out of reach: no peering); `refuse`
 * it, hanging up at once.
 */
export type EndpointMode = "forward" | "hang" | "refuse";

/** An endpoint in front of the test server whose answer to new connections can change: see {@link startEndpoint}. */
export interface EndpointUnderTest {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** What new connections get from now on. Those already open stay with the server they reached, as TCP connections do through a DNS move. */
  set(mode: EndpointMode): void;
  close(): Promise<void>;
}

/**
 * An endpoint in front of `server` that moves as DNS moves the global writer endpoint in a
 * failover: `set("refuse")` after a failover away from here, `set("forward")` once this region's
 * writer is promoted.
 */
export async function startEndpoint(server: PostgresServer, mode: EndpointMode): Promise<EndpointUnderTest> {
  let current = mode;
  let connections = 0;
  const sockets = new Set<Socket>();
  const endpoint = createServer((client) => {
    connections++;
    if (current === "refuse") return void client.destroy();
    sockets.add(client);
    if (current === "hang") return;
    const upstream = connect(server.port, server.host);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  return {
    url: urlOnPort(server, (endpoint.address() as AddressInfo).port),
    get connections() {
      return connections;
    },
    set: (next) => (current = next),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => endpoint.close(resolve));
    },
  };
}

/** Runs `work` on a fresh client to `url`, then closes it. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A statement as the code under test sent it: a prepared one by its name, any by its text. */
export interface SentStatement {
  name?: string;
  text: string;
}

/**
 * `client`, with a pause injected after each statement's answer: the answer reaches the code under
 * test only once `pause` has run. A test's `pause` acts on another connection (deletes a row, ends a
 * session) exactly between two statements of the code under test, as a concurrent session could:
 * the race a guard exists for, on a real server, without a sleep. A statement that fails passes
 * its error on without a pause.
 */
export function pausingAfter<C extends ClientBase>(client: C, pause: (statement: SentStatement, answer: QueryResult) => Promise<void> | void): C {
  const query = async (config: string | SentStatement, ...rest: unknown[]): Promise<QueryResult> => {
    const answer = await (client.query as (...args: unknown[]) => Promise<QueryResult>)(config, ...rest);
    await pause(typeof config === "string" ? { text: config } : config, answer);
    return answer;
  };
  // Everything but query is the client's own (its connection: which statements it has prepared).
  return Object.create(client, { query: { value: query } }) as C;
}

/** Applies the source migrations to the database at `url`. */
export function migrate(url: string): Promise<unknown> {
  return withClient(url, (client) => applyMigrations(client, readMigrations(MIGRATIONS_DIR)));
}

/** What is in the tables: every test of "nothing written" compares these. */
export interface RowCounts {
  payments: number;
  keys: number;
  completedKeys: number;
}

export function countRows(url: string): Promise<RowCounts> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ payments: number; keys: number; completed: number }>(
      `SELECT (SELECT count(*)::int FROM payments) AS payments,
              (SELECT count(*)::int FROM idempotency_keys) AS keys,
              (SELECT count(*)::int FROM idempotency_keys WHERE status = 'completed') AS completed`,
    );
    const row = rows[0]!;
    return { payments: row.payments, keys: row.keys, completedKeys: row.completed };
  });
}
