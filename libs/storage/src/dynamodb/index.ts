export { SessionsTable, type SessionsTableArgs } from "./sessions-table";
