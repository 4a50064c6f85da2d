import { createCleanupHandler } from "../app/cleanup";
import { loadDatabaseSettings, loadObservabilitySettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { createMetrics } from "../observability/metrics";

const observability = loadObservabilitySettings(process.env);

/**
 * Entry of the cleanup function (bundle `cleanup/index.js`, handler `index.handler`), run hourly
 * by a schedule: deletes expired idempotency keys through DB_WRITER_HOST.
 */
export const handler = createCleanupHandler({
  database: loadDatabaseSettings(process.env),
  logger: createLogger(observability),
  metrics: createMetrics(observability),
});
