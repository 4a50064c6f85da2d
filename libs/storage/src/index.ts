export { ApiKeysTable, SessionsTable, type ApiKeysTableArgs, type GlobalTableArgs, type SessionsTableArgs } from "./dynamodb";
export { RegionalKey, RegionalKeyReplica, regionalKeyPolicy, type KeyPolicyContext, type RegionalKeyArgs, type RegionalKeyReplicaArgs } from "./kms";
export {
  afterVersioning,
  BucketReplication,
  REPLICATION_RULE_ID,
  replicationRolePolicy,
  SecureBucket,
  tlsOnlyBucketPolicy,
  type BucketReplicationArgs,
  type ReplicatedBucket,
  type SecureBucketArgs,
} from "./s3";
