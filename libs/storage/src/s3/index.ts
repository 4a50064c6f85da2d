export { SecureBucket, type SecureBucketArgs } from "./secure-bucket";
export { tlsOnlyBucketPolicy } from "./tls-only-policy";
