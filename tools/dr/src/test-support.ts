import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { GetHealthCheckStatusCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetBucketReplicationCommand, S3Client } from "@aws-sdk/client-s3";
import type { DrRegionOutputs, GlobalOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions/values";
import { FAKE_AWS_CREDENTIALS, startDynalite, type LocalDynamoDbServer } from "@payments-dr/testing";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { SESSION_KEY_ATTRIBUTE } from "@payments-dr/payment-lambda";
import { toSessionItem } from "@payments-dr/payment-lambda/testing";
import { defaultClientFactory, ROUTE53_API_REGION, type ClientFactory } from "./aws";
import type { Clock } from "./clock";
import type { Fetch } from "./http";
import type { StackOutputsSet } from "./outputs";

/** A command's input as the mock sees it. */
type Input = Record<string, unknown>;

export const HOME = "us-east-1";
export const DR = "us-east-2";

/**
 * An in-memory Aurora global database in two regions behind aws-sdk-client-mock, answering with
 * the shapes the real APIs return. Every call records the region of the client that made it.
 * With `sessions`, DynamoDB is those local replicas instead of the mock (which would stub every
 * DynamoDBClient, theirs too).
 */
export class FakeWorld {
  writer = HOME;
  status = "available";
  /** RDS FailoverState while a switchover/failover runs. */
  operation: { Status: string; FromDbClusterArn: string; ToDbClusterArn: string; IsDataLossAllowed: boolean } | undefined;
  /** A role-change call starts the move but its answer is lost (the SDK's timeout). */
  answerLost = false;
  /** A role-change call is refused and starts nothing. */
  refuseMoves = false;
  /** Describes of the global cluster before a requested move completes (Infinity: never). */
  convergeAfter = 2;
  /** How a requested move ends: it completes, AWS cancels it (FailoverState `cancelling`, then nothing), or it rolls back (nothing, the writer unchanged). */
  moveOutcome: "completes" | "cancelled" | "rolled-back" = "completes";
  /** The newest lag datapoint's value, or a function of that datapoint's time (epoch ms). */
  lagMs: number | ((at: number) => number) = 800;
  /**
   * When each region's cluster last became a secondary (epoch ms; absent: long ago). Aurora
   * publishes AuroraGlobalDBRPOLag for secondaries only, so a cluster has no lag datapoint while
   * it is the writer, and none from before its demotion.
   */
  readonly secondarySince: Record<string, number> = {};
  /** The health probe's datapoints of the primary (1 healthy, 0 not), newest first, 10 s apart, in the DR region. */
  probeValues: number[] = [1, 1, 1];
  engineVersions: Record<string, string> = { [HOME]: "16.6", [DR]: "16.6" };
  clusterStatus: Record<string, string> = { [HOME]: "available", [DR]: "available" };
  syncStatus: Record<string, string> = { [HOME]: "connected", [DR]: "connected" };
  /** Regions whose every API call fails as during an outage. */
  readonly down = new Set<string>();
  /** `<region>/<table>` pairs whose DynamoDB table (replica) does not exist. */
  readonly missingTables = new Set<string>();
  readonly calls: { service: string; command: string; region: string; input: unknown }[] = [];
  /** Regions of every client the code asked the factory for. */
  readonly clientRegions: { service: string; region: string }[] = [];
  private pending = 0;
  private target: string | undefined;
  private readonly rds = mockClient(RDSClient);
  private readonly cloudwatch = mockClient(CloudWatchClient);
  private readonly dynamodb: AwsClientStub<DynamoDBClient> | undefined;
  private readonly s3 = mockClient(S3Client);
  private readonly route53 = mockClient(Route53Client);

  constructor(
    readonly outputs: StackOutputsSet,
    readonly clock: FakeClock,
    private readonly sessions?: LocalSessionReplicas,
  ) {
    this.dynamodb = sessions ? undefined : mockClient(DynamoDBClient);
    const { rds, cloudwatch, dynamodb, s3, route53 } = this;
    const regionOfArn = (arn: string) => (arn === outputs.primary.clusterArn ? HOME : DR);
    const serve = (service: string, command: string, answer: (input: Input, region: string) => unknown) =>
      async (input: Input, getClient: () => { config: { region: () => Promise<string> } }) => {
        const region = await getClient().config.region();
        this.calls.push({ service, command, region, input });
        if (this.down.has(region)) throw Object.assign(new Error(`connect ETIMEDOUT ${service}.${region}.amazonaws.com:443`), { name: "TimeoutError" });
        return answer(input, region);
      };

    rds.on(DescribeGlobalClustersCommand).callsFake(
      serve("rds", "DescribeGlobalClusters", () => {
        if (this.target !== undefined) {
          this.pending -= 1;
          if (this.pending <= 0) this.end();
        }
        return {
          GlobalClusters: [
            {
              GlobalClusterIdentifier: outputs.primary.globalClusterId,
              GlobalClusterResourceId: "cluster-0a1b2c3d4e5f6a7b8",
              GlobalClusterArn: `arn:aws:rds::123456789012:global-cluster:${outputs.primary.globalClusterId}`,
              Status: this.status,
              Engine: "aurora-postgresql",
              EngineVersion: this.engineVersions[this.writer],
              DatabaseName: "payments",
              StorageEncrypted: true,
              DeletionProtection: true,
              Endpoint: outputs.primary.globalWriterEndpoint,
              GlobalClusterMembers: [HOME, DR].map((region) => ({
                DBClusterArn: this.clusterArnOf(region),
                Readers: region === this.writer ? [this.clusterArnOf(region === HOME ? DR : HOME)] : [],
                IsWriter: region === this.writer,
                GlobalWriteForwardingStatus: "disabled",
                SynchronizationStatus: this.syncStatus[region],
              })),
              ...(this.operation ? { FailoverState: this.operation } : {}),
            },
          ],
        };
      }),
    );
    rds.on(DescribeDBClustersCommand).callsFake(
      serve("rds", "DescribeDBClusters", (input, region) => ({
        DBClusters: [
          {
            DBClusterIdentifier: input.DBClusterIdentifier,
            DBClusterArn: this.clusterArnOf(region),
            Status: this.clusterStatus[region],
            Engine: "aurora-postgresql",
            EngineVersion: this.engineVersions[region],
            MultiAZ: true,
            StorageEncrypted: true,
            GlobalWriteForwardingStatus: "disabled",
          },
        ],
      })),
    );
    const refused = () => {
      if (this.refuseMoves) throw Object.assign(new Error("The global cluster is not in a valid state for this operation"), { name: "InvalidGlobalClusterStateFault" });
    };
    const lostAnswer = (answer: Record<string, unknown>) => {
      if (!this.answerLost) return answer;
      throw Object.assign(new Error("socket hang up: no response within 10000 ms"), { name: "TimeoutError" });
    };
    rds.on(SwitchoverGlobalClusterCommand).callsFake(
      serve("rds", "SwitchoverGlobalCluster", (input) => refused() ?? lostAnswer(this.begin(regionOfArn(input.TargetDbClusterIdentifier as string), "switching-over", false))),
    );
    rds.on(FailoverGlobalClusterCommand).callsFake(
      serve("rds", "FailoverGlobalCluster", (input) => refused() ?? lostAnswer(this.begin(regionOfArn(input.TargetDbClusterIdentifier as string), "failing-over", input.AllowDataLoss === true))),
    );
    cloudwatch.on(GetMetricDataCommand).callsFake(
      serve("cloudwatch", "GetMetricData", (input, region) => {
        const end = (input.EndTime as Date).getTime();
        const query = (input.MetricDataQueries as { Id: string }[])[0]!;
        if (query.Id === "probe") {
          return {
            MetricDataResults: [
              { Id: "probe", Label: "ApiHealthy", Timestamps: this.probeValues.map((_, i) => new Date(end - 10_000 * (i + 1))), Values: this.probeValues, StatusCode: "Complete" },
            ],
            Messages: [],
          };
        }
        // One datapoint per minute, the newest a minute old, only from the cluster's time as a secondary.
        const since = region === this.writer ? Infinity : (this.secondarySince[region] ?? -Infinity);
        const points = [
          { at: end - 60_000, value: typeof this.lagMs === "function" ? this.lagMs(end - 60_000) : this.lagMs },
          { at: end - 120_000, value: 650 },
        ].filter((p) => p.at >= since);
        return {
          MetricDataResults: [
            { Id: "lag", Label: "AuroraGlobalDBRPOLag", Timestamps: points.map((p) => new Date(p.at)), Values: points.map((p) => p.value), StatusCode: "Complete" },
          ],
          Messages: [],
        };
      }),
    );
    route53.on(GetHealthCheckStatusCommand).callsFake(
      serve("route53", "GetHealthCheckStatus", () => ({
        HealthCheckObservations: ["us-east-1", "us-west-1", "eu-west-1", "ap-southeast-1"].map((checker, i) => ({
          Region: checker,
          IPAddress: `15.177.${i}.10`,
          StatusReport: { Status: "Success: HTTP Status Code 200, OK", CheckedTime: this.clock.now() },
        })),
      })),
    );
    dynamodb?.on(DescribeTableCommand).callsFake(
      serve("dynamodb", "DescribeTable", (input, region) => {
        if (this.missingTables.has(`${region}/${input.TableName}`)) {
          throw Object.assign(new Error(`Requested resource not found: Table: ${input.TableName} not found`), { name: "ResourceNotFoundException" });
        }
        return {
          Table: {
            TableName: input.TableName,
            TableStatus: "ACTIVE",
            TableArn: `arn:aws:dynamodb:${region}:123456789012:table/${input.TableName}`,
            Replicas: [HOME, DR].filter((r) => r !== region).map((r) => ({ RegionName: r, ReplicaStatus: "ACTIVE" })),
          },
        };
      }),
    );
    // A session delete (the drill clears its payments' sessions before reading them back).
    dynamodb?.on(DeleteItemCommand).callsFake(serve("dynamodb", "DeleteItem", () => ({})));
    s3.on(GetBucketReplicationCommand).callsFake(
      serve("s3", "GetBucketReplication", () => ({
        ReplicationConfiguration: {
          Role: "arn:aws:iam::123456789012:role/payments-dr-replication-dev",
          Rules: [
            {
              ID: outputs.global.replicationRuleId,
              Priority: 0,
              Status: "Enabled",
              Filter: { Prefix: "" },
              DeleteMarkerReplication: { Status: "Enabled" },
              Destination: { Bucket: outputs.dr.bucketArn, ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } } },
            },
          ],
        },
      })),
    );
  }

  /**
   * A region's `/health` as the deployed payment function answers it: the primary-region API
   * (REGION_ROLE primary) is 200 only while its cluster holds the writer and 503 otherwise; the
   * dr-region API is 200 while its database answers, read-only or not. A region in `down` does
   * not answer at all.
   */
  health(region: string): Route {
    return async () => {
      if (this.down.has(region)) throw new TypeError("fetch failed: connect ETIMEDOUT");
      if (region === DR) return { status: 200, body: JSON.stringify({ status: "ok", role: "dr" }) };
      const writable = this.writer === HOME && this.status === "available";
      return { status: writable ? 200 : 503, body: JSON.stringify(writable ? { status: "ok", role: "primary" } : { type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) };
    };
  }

  /** A move under way, as after a crash of the CLI that started it (a failover with data loss when `status` is failing-over and `dataLoss`). */
  startMove(to: string, status = "switching-over", dataLoss = false): void {
    this.begin(to, status, dataLoss);
  }

  clients(): ClientFactory {
    const inner = defaultClientFactory();
    const sessions = this.sessions;
    const record =
      <T>(service: string, create: (region: string) => T) =>
      (region: string): T => {
        this.clientRegions.push({ service, region });
        return create(region);
      };
    return {
      rds: record("rds", inner.rds),
      cloudwatch: record("cloudwatch", inner.cloudwatch),
      dynamodb: record("dynamodb", sessions ? (region) => sessions.clientIn(region) : inner.dynamodb),
      dynamodbBulk: record("dynamodb", sessions ? (region) => sessions.clientIn(region) : inner.dynamodbBulk),
      s3: record("s3", inner.s3),
      route53: () => record("route53", () => inner.route53())(ROUTE53_API_REGION),
    };
  }

  restore(): void {
    for (const mock of [this.rds, this.cloudwatch, this.dynamodb, this.s3, this.route53]) mock?.restore();
  }

  private clusterArnOf(region: string): string {
    return region === HOME ? this.outputs.primary.clusterArn : this.outputs.dr.clusterArn;
  }

  private begin(to: string, status: string, dataLoss: boolean): Record<string, unknown> {
    this.status = status;
    this.operation = { Status: "pending", FromDbClusterArn: this.clusterArnOf(this.writer), ToDbClusterArn: this.clusterArnOf(to), IsDataLossAllowed: dataLoss };
    this.target = to;
    this.pending = this.convergeAfter;
    return { GlobalCluster: { GlobalClusterIdentifier: this.outputs.primary.globalClusterId, Status: status } };
  }

  private end(): void {
    if (this.moveOutcome === "completes") return this.complete();
    if (this.moveOutcome === "cancelled" && this.operation && this.operation.Status !== "cancelling") {
      this.operation.Status = "cancelling";
      return;
    }
    this.status = "available";
    this.operation = undefined;
    this.target = undefined;
  }

  private complete(): void {
    this.secondarySince[this.writer] = this.clock.now().getTime();
    this.writer = this.target as string;
    this.status = "available";
    this.operation = undefined;
    this.target = undefined;
  }
}

/**
 * Each region's replica of the sessions table, shaped like the stack's (partition key sessionId),
 * as a dynalite of its own: nothing replicates between them, so a test sees which region a command
 * changed. Items are made by libs/payment-lambda's own toSessionItem, the writer of the real ones.
 */
export class LocalSessionReplicas {
  /** Every request a CLI client sent, with its region. */
  readonly requests: { command: string; region: string }[] = [];
  /** Scan page size forced on the CLI's clients, so a few items take several pages. */
  scanPageSize = 2;
  /** `<region>/<command>` requests that fail as during an outage (e.g. `us-east-2/DeleteItemCommand`). */
  readonly failing = new Set<string>();
  private readonly clients = new Map<string, DynamoDBClient>();
  /** The test's own reads and writes, per region: recorded nowhere. */
  private readonly documents: Record<string, DynamoDBDocumentClient>;

  private constructor(
    private readonly servers: Record<string, LocalDynamoDbServer>,
    readonly table: string,
  ) {
    this.documents = Object.fromEntries(
      Object.entries(servers).map(([region, server]) => [region, DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: server.endpoint, credentials: FAKE_AWS_CREDENTIALS }))]),
    );
  }

  static async start(table: string): Promise<LocalSessionReplicas> {
    const servers: Record<string, LocalDynamoDbServer> = {};
    try {
      for (const region of [HOME, DR]) servers[region] = await startDynalite([{ name: table, hashKey: SESSION_KEY_ATTRIBUTE }]);
    } catch (error) {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
      throw error;
    }
    return new LocalSessionReplicas(servers, table);
  }

  /** A client of `region`'s replica, recording each request and capping Scan pages at {@link scanPageSize}. */
  clientIn(region: string): DynamoDBClient {
    const server = this.servers[region];
    if (!server) throw new Error(`no sessions replica in ${region}`);
    if (!this.clients.has(region)) {
      const client = new DynamoDBClient({ region, endpoint: server.endpoint, credentials: FAKE_AWS_CREDENTIALS });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          this.requests.push({ command: context.commandName ?? "unknown", region });
          if (this.failing.has(`${region}/${context.commandName}`)) throw Object.assign(new Error(`connect ETIMEDOUT dynamodb.${region}.amazonaws.com:443`), { name: "TimeoutError" });
          if (context.commandName === "ScanCommand") (args.input as { Limit?: number }).Limit = this.scanPageSize;
          return next(args);
        },
        { step: "initialize", name: "sessionsTestSpy" },
      );
      this.clients.set(region, client);
    }
    return this.clients.get(region)!;
  }

  /** Writes a payment's session in `region`, as the payment function does, for a payment created at `createdAt`. */
  async putPayment(region: string, id: string, createdAt: string): Promise<void> {
    const payment = { id, merchantId: "m_1", amount: 1050, currency: "EUR" as const, status: "created", reference: null, description: null, createdAt };
    await this.documents[region]!.send(new PutCommand({ TableName: this.table, Item: toSessionItem(payment, Date.parse(createdAt)) }));
  }

  /** Writes an item as is (one that is not a payment's session). */
  async put(region: string, item: Record<string, unknown>): Promise<void> {
    await this.documents[region]!.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /** The session ids `region` holds, sorted. */
  async sessionIds(region: string): Promise<string[]> {
    const out = await this.documents[region]!.send(new ScanCommand({ TableName: this.table }));
    return (out.Items ?? []).map((item) => item[SESSION_KEY_ATTRIBUTE] as string).sort();
  }

  /** Empties both replicas, forgets the requests, fails none. */
  async clear(): Promise<void> {
    this.failing.clear();
    for (const region of [HOME, DR]) {
      const out = await this.documents[region]!.send(new ScanCommand({ TableName: this.table }));
      for (const item of out.Items ?? []) await this.documents[region]!.send(new DeleteCommand({ TableName: this.table, Key: { [SESSION_KEY_ATTRIBUTE]: item[SESSION_KEY_ATTRIBUTE] } }));
    }
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    for (const client of [...this.clients.values(), ...Object.values(this.documents)]) client.destroy();
    await Promise.all(Object.values(this.servers).map((server) => server.stop()));
  }
}

/** Time that moves only when the code sleeps. */
export class FakeClock implements Clock {
  private ms = Date.parse("2025-06-02T09:00:00.000Z");
  now(): Date {
    return new Date(this.ms);
  }
  async sleep(ms: number): Promise<void> {
    this.ms += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Route = (init: { method?: string; body?: string; headers?: Record<string, string> }, url: string) => Promise<{ status: number; body: string }>;

/** fetch answering from a table of URL prefix → handler (first match wins); unknown URLs refuse like a dead host. */
export function fakeFetch(routes: Record<string, Route>): Fetch & { urls: string[] } {
  const urls: string[] = [];
  const fn = (async (url: string, init = {}) => {
    urls.push(url);
    const route = Object.entries(routes).find(([prefix]) => url.startsWith(prefix))?.[1];
    if (!route) throw new TypeError(`fetch failed: getaddrinfo ENOTFOUND ${new URL(url).host}`);
    const { status, body } = await route(init, url);
    return { status, text: async () => body };
  }) as Fetch & { urls: string[] };
  fn.urls = urls;
  return fn;
}

export const healthy: Route = async () => ({ status: 200, body: JSON.stringify({ status: "ok", role: "primary" }) });
export const hangs: Route = () => new Promise(() => undefined);
/** An answer that takes `ms` (on jest's fake timers, for the timeouts of the real constants). */
export const answersAfter =
  (ms: number, status: number, body: string): Route =>
  () =>
    new Promise((resolve) => setTimeout(() => resolve({ status, body }), ms));

/** The global stack's outputs for the synth fixtures' regions. */
export function globalOutputs(primary: PrimaryRegionOutputs, dr: DrRegionOutputs): GlobalOutputs {
  return {
    createTimeConfig: { environmentSuffix: "dev", primaryRegion: primary.region, drRegion: dr.region },
    dnsFailover: "disabled: set payments-dr:domainName to enable DNS failover",
    primaryHealthCheckId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    drHealthCheckId: "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
    dashboardName: "payments-dr-dashboard-dev",
    replicationRuleId: "payments-dr-replicate-all",
    primaryRegion: primary.region,
    drRegion: dr.region,
    globalClusterId: primary.globalClusterId,
    primaryClusterArn: primary.clusterArn,
    drClusterArn: dr.clusterArn,
    primaryBucketName: primary.bucketName,
    drBucketName: dr.bucketName,
    sessionsTableName: primary.sessionsTableName,
  };
}
