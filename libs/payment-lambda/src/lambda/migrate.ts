import { join } from "node:path";
import { createMigrateHandler } from "../app/migrate";
import { loadAppSecretId, loadDatabaseSettings, loadObservabilitySettings } from "../config/settings";
import { secretsManagerCredentials } from "../db/credentials";
import { createLogger } from "../observability/logger";

const appSecretId = loadAppSecretId(process.env);

/** Entry of the migrate function (bundle `migrate/index.js`, handler `index.handler`, SQL in `migrate/migrations/`). */
export const handler = createMigrateHandler({
  database: loadDatabaseSettings(process.env),
  ...(appSecretId === undefined ? {} : { appCredentials: secretsManagerCredentials(appSecretId) }),
  migrationsDir: join(__dirname, "migrations"),
  logger: createLogger(loadObservabilitySettings(process.env)),
});
