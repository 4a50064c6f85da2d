export { RegionalKey, type RegionalKeyArgs } from "./regional-key";
export { RegionalKeyReplica, type RegionalKeyReplicaArgs } from "./regional-key-replica";
