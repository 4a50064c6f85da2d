export { SessionsTable, type SessionsTableArgs } from "./dynamodb";
export { RegionalKey, RegionalKeyReplica, regionalKeyPolicy, type KeyPolicyContext, type RegionalKeyArgs, type RegionalKeyReplicaArgs } from "./kms";
export { SecureBucket, tlsOnlyBucketPolicy, type SecureBucketArgs } from "./s3";
