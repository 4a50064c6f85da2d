export { DEBIAN_POSTGRES_ROOT, PostgresNotInstalledError, findPostgresBinaries, type PostgresBinaries } from "./binaries";
export { freePort, startPostgres, type PostgresServer, type StartPostgresOptions } from "./postgres";
