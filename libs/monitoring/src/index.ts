// The lib's public surface: each folder's index says what it exposes.
export * from "./alarms";
export * from "./dashboards";
export { AURORA_WRITER_ROLE, NAMESPACE } from "./metrics";
export * from "./sns";
