import { existsSync } from "node:fs";
import * as path from "node:path";

/**
 * What `nx run payment-lambda:build` writes, relative to the workspace root: one folder per
 * function (a FileArchive each). Handler and runtime: libs/serverless-api's LAMBDA_HANDLER and
 * LAMBDA_RUNTIME.
 */
export const PAYMENT_LAMBDA_ARTIFACTS = {
  /** index.js and rds-ca.pem (source maps go to dist/libs/payment-lambda/sourcemaps, outside the package). */
  apiDir: "dist/libs/payment-lambda/api",
  /** The Lambda authorizer of the /payments routes: index.js. */
  authorizerDir: "dist/libs/payment-lambda/authorizer",
  /** The hourly deletion of expired idempotency keys: index.js and rds-ca.pem. */
  cleanupDir: "dist/libs/payment-lambda/cleanup",
  /** The DR region's probe of the primary's /health: index.js. */
  probeDir: "dist/libs/payment-lambda/probe",
  /** index.js, rds-ca.pem and migrations/NNN_name.sql. */
  migrateDir: "dist/libs/payment-lambda/migrate",
  /**
   * The source migrations: hash these for the migrate invocation's trigger (the function checks
   * the hash against its bundled copy, so a stale build fails the deploy).
   */
  sourceMigrationsDir: "libs/payment-lambda/migrations",
} as const;

/**
 * The absolute path of an artifact. The workspace root is the nearest folder above `from`
 * that holds nx.json: the same answer from a test (apps/<app>/src) and from a bundled
 * program (dist/apps/<app>) that Pulumi runs from apps/<app>.
 */
export function artifactPath(relative: string, from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "nx.json"))) return path.join(dir, relative);
    if (dir === path.dirname(dir)) throw new Error(`no nx.json above ${from}: cannot find ${relative}`);
  }
}
