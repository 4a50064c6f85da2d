export { BucketReplication, type BucketReplicationArgs, type ReplicatedBucket } from "./bucket-replication";
export { SecureBucket, type SecureBucketArgs } from "./secure-bucket";
export { secureBucketPolicy } from "./bucket-policy";
