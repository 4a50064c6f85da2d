import { GetBucketReplicationCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import type { FakeWorld } from "./fake-world";

/** The primary bucket's replication rule to the DR bucket, as the global stack sets it. */
export function fakeS3(world: FakeWorld): AwsClientStub<S3Client> {
  const s3 = mockClient(S3Client);
  s3.on(GetBucketReplicationCommand).callsFake(
    world.serve("s3", "GetBucketReplication", () => ({
      ReplicationConfiguration: {
        Role: "arn:aws:iam::123456789012:role/payments-dr-replication-dev",
        Rules: [
          {
            ID: world.outputs.global.replicationRuleId,
            Priority: 0,
            Status: "Enabled",
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: world.outputs.dr.bucketArn, ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } } },
          },
        ],
      },
    })),
  );
  return s3;
}
