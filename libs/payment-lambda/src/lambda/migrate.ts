import { join } from "node:path";
import { createMigrateHandler } from "../app/migrate";
import { loadDatabaseSettings, loadObservabilitySettings } from "../config/settings";
import { createLogger } from "../observability/logger";

/** Entry of the migrate function (bundle `migrate/index.js`, handler `index.handler`, SQL in `migrate/migrations/`). */
export const handler = createMigrateHandler({
  database: loadDatabaseSettings(process.env),
  migrationsDir: join(__dirname, "migrations"),
  logger: createLogger(loadObservabilitySettings(process.env)),
});
