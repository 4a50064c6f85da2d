import { Host } from "./container";
import { built, MIGRATE_BUNDLE } from "./paths";

/** What the migrate function answers. */
export interface MigrationResult {
  applied: string[];
  current: string | null;
}

/**
 * Applies the migrations to `databaseUrl` the way a deploy does: the built migrate function,
 * invoked once (here in a container of its own), with the SQL shipped next to its bundle.
 */
export async function applyMigrations(databaseUrl: string): Promise<MigrationResult> {
  const host = Host.start({
    modulePath: built(MIGRATE_BUNDLE, "payment-lambda"),
    functionName: "payments-migrate",
    env: { DATABASE_URL: databaseUrl, POWERTOOLS_LOG_LEVEL: "WARN", POWERTOOLS_METRICS_DISABLED: "true" },
  });
  try {
    const container = await host.load();
    const outcome = await container.invoke({}, 120_000);
    if (outcome.kind === "result") return outcome.result as MigrationResult;
    const reason = outcome.kind === "timeout" ? "timed out" : `${outcome.error.name}: ${outcome.error.message}`;
    throw new Error(`The migrate function failed: ${reason}`);
  } finally {
    await host.terminate();
  }
}
