export { ApiKeysTable, type ApiKeysTableArgs } from "./api-keys-table";
export { type GlobalTableArgs } from "./global-table";
export { SessionsTable, type SessionsTableArgs } from "./sessions-table";
