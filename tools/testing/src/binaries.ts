import { accessSync, constants, readdirSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's `postgresql-<major>` packages install the server binaries. */
export const DEBIAN_POSTGRES_ROOT = "/usr/lib/postgresql";

/** The server binaries of one PostgreSQL major version. */
export interface PostgresBinaries {
  /** e.g. "15", or "9.6" for the old numbering. */
  version: string;
  initdb: string;
  pgCtl: string;
  /** Only a standby needs it (Debian's client package, which the server package depends on): not checked here. */
  pgBasebackup: string;
  /** The client, from the same package: for tests of psql scripts; not checked here. */
  psql: string;
}

/** No usable PostgreSQL server on this machine: says how to get one. */
export class PostgresNotInstalledError extends Error {
  constructor(root: string) {
    super(
      `No PostgreSQL server binaries (initdb, pg_ctl) under ${root}/<major>/bin. ` +
        "Install Debian's server package: apt-get update && apt-get install -y postgresql",
    );
    this.name = "PostgresNotInstalledError";
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Highest version first: "15" before "9.6" (numeric, not lexical). */
function byVersionDescending(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return bMajor - aMajor || bMinor - aMinor;
}

/**
 * The binaries of the highest installed major version, found the Debian way
 * (`/usr/lib/postgresql/<major>/bin`), because Debian keeps initdb and pg_ctl off the PATH.
 * @throws PostgresNotInstalledError when no version has both binaries.
 */
export function findPostgresBinaries(root: string = DEBIAN_POSTGRES_ROOT): PostgresBinaries {
  let versions: string[];
  try {
    versions = readdirSync(root).filter((entry) => /^\d+(\.\d+)?$/.test(entry));
  } catch {
    throw new PostgresNotInstalledError(root);
  }
  for (const version of versions.sort(byVersionDescending)) {
    const bin = join(root, version, "bin");
    const initdb = join(bin, "initdb");
    const pgCtl = join(bin, "pg_ctl");
    if (isExecutable(initdb) && isExecutable(pgCtl)) return { version, initdb, pgCtl, pgBasebackup: join(bin, "pg_basebackup"), psql: join(bin, "psql") };
  }
  throw new PostgresNotInstalledError(root);
}
