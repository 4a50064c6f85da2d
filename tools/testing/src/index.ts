export { PostgresNotInstalledError, findPostgresBinaries, type PostgresBinaries } from "./binaries";
export { freePort, startPostgres, type PostgresServer, type StartPostgresOptions } from "./postgres";
export { startStandby, type StandbyServer, type StartStandbyOptions } from "./standby";
export { createAuroraLikeMaster, type AuroraLikeMaster, type AuroraLikeMasterOptions } from "./aurora-master";
export { queryOnce } from "./query";
export { FAKE_AWS_CREDENTIALS, startDynalite, type LocalDynamoDbServer, type LocalTable } from "./dynalite";
export { startSilentServer, type SilentServer } from "./silent-server";
