import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { DR, HOME } from "./deployment";
import type { FakeWorld, Input } from "./fake-world";

/** The Aurora global database's RDS API: its global cluster, each region's cluster, and the two calls that move the writer. */
export function fakeRds(world: FakeWorld): AwsClientStub<RDSClient> {
  const rds = mockClient(RDSClient);
  const { outputs } = world;

  rds.on(DescribeGlobalClustersCommand).callsFake(
    world.serve("rds", "DescribeGlobalClusters", () => {
      world.advanceMove();
      return {
        GlobalClusters: [
          {
            GlobalClusterIdentifier: outputs.primary.globalClusterId,
            GlobalClusterResourceId: "cluster-0a1b2c3d4e5f6a7b8",
            GlobalClusterArn: `arn:aws:rds::123456789012:global-cluster:${outputs.primary.globalClusterId}`,
            Status: world.status,
            Engine: "aurora-postgresql",
            EngineVersion: world.engineVersions[world.writer],
            DatabaseName: "payments",
            StorageEncrypted: true,
            DeletionProtection: true,
            Endpoint: outputs.primary.globalWriterEndpoint,
            GlobalClusterMembers: [HOME, DR].filter((region) => !world.absentMembers.has(region)).map((region) => ({
              DBClusterArn: world.clusterArnOf(region),
              Readers: region === world.writer ? [world.clusterArnOf(region === HOME ? DR : HOME)] : [],
              IsWriter: region === world.writer,
              GlobalWriteForwardingStatus: "disabled",
              SynchronizationStatus: world.syncStatus[region],
            })),
            ...(world.operation ? { FailoverState: world.operation } : {}),
          },
        ],
      };
    }),
  );
  rds.on(DescribeDBClustersCommand).callsFake(
    world.serve("rds", "DescribeDBClusters", (input, region) => ({
      DBClusters: [
        {
          DBClusterIdentifier: input.DBClusterIdentifier,
          DBClusterArn: world.clusterArnOf(region),
          Status: world.clusterStatus[region],
          Engine: "aurora-postgresql",
          EngineVersion: world.engineVersions[region],
          MultiAZ: true,
          StorageEncrypted: true,
          GlobalWriteForwardingStatus: "disabled",
        },
      ],
    })),
  );
  rds.on(SwitchoverGlobalClusterCommand).callsFake(world.serve("rds", "SwitchoverGlobalCluster", (input) => requestMove(world, input, "switching-over")));
  rds.on(FailoverGlobalClusterCommand).callsFake(world.serve("rds", "FailoverGlobalCluster", (input) => requestMove(world, input, "failing-over")));
  return rds;
}

/** A switchover or failover request: refused (`refuseMoves`), or started and answered, or started with its answer lost (`answerLost`). */
function requestMove(world: FakeWorld, input: Input, status: string): unknown {
  if (world.refuseMoves) throw Object.assign(new Error("The global cluster is not in a valid state for this operation"), { name: "InvalidGlobalClusterStateFault" });
  const to = input.TargetDbClusterIdentifier === world.outputs.primary.clusterArn ? HOME : DR;
  world.startMove(to, status, input.AllowDataLoss === true);
  if (world.answerLost) throw Object.assign(new Error("socket hang up: no response within 10000 ms"), { name: "TimeoutError" });
  return { GlobalCluster: { GlobalClusterIdentifier: world.outputs.primary.globalClusterId, Status: status } };
}
