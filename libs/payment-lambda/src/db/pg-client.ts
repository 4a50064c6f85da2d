import type { Client as PgClient } from "pg";

/**
 * pg's Client, loaded from its own file rather than from pg's index, which also loads pg's Pool
 * (pg-pool) and the wrapper of its native bindings: no function here uses either, and leaving
 * them out takes 16 KB off each database function's bundle, compiled at every cold start.
 * pg's exports map publishes lib/*; @types/pg types only the package's root, hence the typed require.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Client: typeof PgClient = require("pg/lib/client");
export type Client = PgClient;
