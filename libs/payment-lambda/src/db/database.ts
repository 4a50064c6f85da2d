import type { Logger } from "@aws-lambda-powertools/logger";
import type { SecureContext } from "node:tls";
import type { ClientConfig } from "pg";
import { CLIENT_QUERY_GRACE_MS } from "../config/contract";
import type { DatabaseSettings } from "../config/settings";
import { Connection } from "./connection";
import { secretsManagerCredentials, type CredentialsProvider, type DbSecret } from "./credentials";
import { caSecureContext } from "./tls";

/** Which endpoint: writes go to the global writer, reads and health to this region's cluster. */
export type DbRole = "writer" | "reader";

/** The container's connections. With one URL, or the same host for both, they are one connection. */
export interface Database {
  readonly writer: Connection;
  readonly reader: Connection;
  /** Ends both connections now, mid-query if need be (see {@link Connection.interrupt}). */
  interrupt(reason: string): void;
  close(): Promise<void>;
}

/**
 * How long the writer connection is kept before a new one: a new connection follows the global
 * writer endpoint. After a failover forced while the old writer stayed up and writable, writes a
 * warm container sends it over a kept connection are lost; this bounds that window, about as
 * long as DNS takes to move clients away (Route 53's detection plus the record's 60 s TTL). The
 * price: one reconnect (TLS, authentication) per container per minute, in the request that finds
 * the connection that old.
 */
export const WRITER_MAX_AGE_MS = 60_000;

/**
 * How long, after a connect to the writer timed out, the api function's writes answer 503 at
 * once instead of each waiting out the connect timeout (3 s). In the DR region before the
 * database moves, the global writer endpoint names the primary's writer, out of reach (no
 * peering): once DNS has moved the clients there, every POST would hold its container for the
 * connect timeout, and the function's reserved concurrency would run out for the reads the
 * region serves. A container tries again once this has passed, so it reaches a promoted writer
 * up to this much later. Only timeouts count: a refused or unresolved connect fails fast anyway.
 */
export const WRITER_UNREACHABLE_BACKOFF_MS = 5_000;

/** What {@link createDatabase} uses besides the settings. */
export interface DatabaseDependencies {
  logger: Logger;
  /** @default WRITER_MAX_AGE_MS */
  writerMaxAgeMs?: number;
  /** The api function's: WRITER_UNREACHABLE_BACKOFF_MS. @default 0 (each use tries: the migrate function waits for its writer itself) */
  writerUnreachableBackoffMs?: number;
  /** @default Secrets Manager, for `settings.endpoints.secretId` */
  credentials?: CredentialsProvider;
  /** @default the rds-ca.pem next to the bundle */
  caFile?: string;
}

/** A server-side session held idle inside a transaction is ended after this long (a frozen or killed Lambda). */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
/**
 * How often the server checks, while a statement runs or waits on a lock, that its client is
 * still there (PostgreSQL ≥ 14): a request that ran out of time closes its connection, and its
 * session must then roll back and let go of its locks (the key it claimed) within a second, not
 * at statement_timeout.
 */
const CLIENT_CONNECTION_CHECK_INTERVAL_MS = 1_000;

/**
 * The pg client config of one endpoint: timeouts set per connection (connect ≤ 3 s,
 * statement_timeout ≤ 5 s), and, in AWS, TLS verified against the RDS CA bundle (`trust`, the
 * container's one context of it: see caSecureContext).
 */
export function clientConfig(settings: DatabaseSettings, role: DbRole, secret?: DbSecret, trust?: SecureContext): ClientConfig {
  const timeouts: ClientConfig = {
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + CLIENT_QUERY_GRACE_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true,
    options: `-c client_connection_check_interval=${CLIENT_CONNECTION_CHECK_INTERVAL_MS}`,
    application_name: `payments-${role}`,
    // Statements issued without awaiting the one before go out at once (inTransaction uses it to
    // halve a payment's round trips); statements awaited one by one behave as without it.
    pipeline: true,
  };
  const { endpoints } = settings;
  if (endpoints.kind === "url") return { connectionString: (role === "reader" && endpoints.readerUrl) || endpoints.url, ...timeouts };
  if (!secret || !trust) throw new Error("AWS database endpoints need the DB secret and the CA bundle");
  return {
    ...timeouts,
    host: role === "writer" ? endpoints.writerHost : endpoints.readerHost,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname,
    ssl: { secureContext: trust, rejectUnauthorized: true },
  };
}

/** The container's connections; nothing is opened (or fetched) until first use. */
export function createDatabase(settings: DatabaseSettings, deps: DatabaseDependencies): Database {
  const { endpoints } = settings;
  const maxAgeMs = (role: DbRole) => (role === "writer" ? (deps.writerMaxAgeMs ?? WRITER_MAX_AGE_MS) : undefined);
  const backoffMs = (role: DbRole) => (role === "writer" ? deps.writerUnreachableBackoffMs : undefined);
  if (endpoints.kind === "url") {
    const urlConnection = (role: DbRole, name: string) =>
      new Connection({ name, config: async () => clientConfig(settings, role), maxAgeMs: maxAgeMs(role), unreachableBackoffMs: backoffMs(role), logger: deps.logger });
    if (!endpoints.readerUrl || endpoints.readerUrl === endpoints.url) {
      const shared = urlConnection("writer", "database");
      return connections(shared, shared);
    }
    return connections(urlConnection("writer", "writer"), urlConnection("reader", "reader"));
  }
  const credentials = deps.credentials ?? secretsManagerCredentials(endpoints.secretId);
  const connection = (role: DbRole) =>
    new Connection({
      name: role,
      config: async () => clientConfig(settings, role, await credentials.get(), caSecureContext(deps.caFile)),
      onAuthenticationFailure: () => credentials.invalidate(),
      maxAgeMs: maxAgeMs(role),
      unreachableBackoffMs: backoffMs(role),
      logger: deps.logger,
    });
  const writer = connection("writer");
  return connections(writer, endpoints.readerHost === endpoints.writerHost ? writer : connection("reader"));
}

function connections(writer: Connection, reader: Connection): Database {
  return {
    writer,
    reader,
    interrupt: (reason) => {
      writer.interrupt(reason);
      reader.interrupt(reason);
    },
    close: async () => {
      await writer.close();
      if (reader !== writer) await reader.close();
    },
  };
}
