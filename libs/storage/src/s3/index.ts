export { afterVersioning, BucketReplication, REPLICATION_RULE_ID, type BucketReplicationArgs, type ReplicatedBucket } from "./bucket-replication";
export { replicationRolePolicy, type ReplicationPolicyContext } from "./replication-policy";
export { SecureBucket, type SecureBucketArgs } from "./secure-bucket";
export { secureBucketPolicy } from "./bucket-policy";
