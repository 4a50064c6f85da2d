export { type FlowLogsArgs } from "./flow-logs";
export { RegionalNetwork, type RegionalNetworkArgs } from "./regional-network";
