import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One versioned SQL migration: `migrations/NNN_name.sql`. */
export interface Migration {
  /** Three digits, e.g. "001": the order of application. */
  version: string;
  name: string;
  sql: string;
  /** SHA-256 (hex) of the SQL: an applied migration must never change. */
  checksum: string;
}

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * The migrations in `dir`, in version order. A `.sql` file not named `NNN_name.sql`, or two
 * files with one version, is an error: a typo must not silently skip a migration.
 */
export function readMigrations(dir: string): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".sql"))) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`Migration file ${file} is not named NNN_name.sql (lowercase name)`);
    const sql = readFileSync(join(dir, file), "utf8");
    migrations.push({ version: match[1]!, name: match[2]!, sql, checksum: sha256(sql) });
  }
  migrations.sort((a, b) => a.version.localeCompare(b.version));
  const duplicate = migrations.find((m, i) => i > 0 && migrations[i - 1]!.version === m.version);
  if (duplicate) throw new Error(`Two migrations have version ${duplicate.version}`);
  return migrations;
}

/**
 * A hash of every migration (version, name and SQL) in `dir`: the trigger of the deploy-time
 * invocation of the migrate function, so it runs again exactly when a migration is added or changed.
 * The build copies the migrations verbatim, so the source folder and the bundle's give the same hash.
 */
export function migrationsHash(dir: string): string {
  return hashMigrations(readMigrations(dir));
}

/** {@link migrationsHash} of migrations already read. */
export function hashMigrations(migrations: readonly Migration[]): string {
  return sha256(migrations.map((m) => `${m.version}\0${m.name}\0${m.checksum}`).join("\n"));
}
