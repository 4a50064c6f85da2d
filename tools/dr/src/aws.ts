import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { GetHealthCheckCommand, GetHealthCheckStatusCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetBucketReplicationCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { AWS_CALL_LIMITS, isAwsError, messageOf, perRegion } from "@payments-dr/cli-support";
import { AURORA_RPO_LAG_METRIC, auroraRpoLagQuery } from "@payments-dr/monitoring/aurora-lag";
import { PAYMENT_SESSION_PREFIX, PROBE_METRIC, SESSION_KEY_ATTRIBUTE } from "@payments-dr/payment-lambda";
import type { Clock } from "./clock";
import { LAG_LOOKBACK_SECONDS, PROBE_LOOKBACK_SECONDS } from "./thresholds";


/** The period of a lag reading: a datapoint stamped `at` covers [at, at + 60 s). */
export const LAG_PERIOD_SECONDS = 60;


/** Pages of one GetMetricData read at most: the lookbacks hold a few dozen datapoints, far under a page. */
const MAX_METRIC_PAGES = 5;

/** Route 53 is a global service whose API (and health-check data) lives in us-east-1. */
export const ROUTE53_API_REGION = "us-east-1";

/**
 * Creates SDK clients, always for an explicit region (the default credential chain, never the
 * default region). Tests inject one that records every region it was asked for.
 */
export interface ClientFactory {
  rds(region: string): RDSClient;
  cloudwatch(region: string): CloudWatchClient;
  dynamodb(region: string): DynamoDBClient;
  /** DynamoDB for bulk work (`clear-sessions`): patient with throttling, where `dynamodb` must answer fast. */
  dynamodbBulk(region: string): DynamoDBClient;
  s3(region: string): S3Client;
  /** Lambda (`fence`, `unfence`, and the fence shown by `status`). */
  lambda(region: string): LambdaClient;
  /** Route 53's API is global: its client is pinned to {@link ROUTE53_API_REGION}. */
  route53(): Route53Client;
  /** SNS (the alert topics' subscriptions, shown by `status`). */
  sns(region: string): SNSClient;
}

/** One health-probe datapoint. */
export interface ProbeSample {
  at: Date;
  healthy: boolean;
}


/**
 * Bulk deletes of a whole window of sessions may be throttled (a table's capacity, or an
 * on-demand table's ramp): more attempts, and the SDK's adaptive mode slows down to what DynamoDB
 * accepts instead of failing the run. The same bounds on each attempt.
 */
const BULK_CALL_LIMITS = { ...AWS_CALL_LIMITS, maxAttempts: 8, retryMode: "adaptive" } as const;

/** One client per service and region, created on first use. */
export function defaultClientFactory(): ClientFactory {
  const route53 = perRegion((region) => new Route53Client({ region, ...AWS_CALL_LIMITS }));
  return {
    rds: perRegion((region) => new RDSClient({ region, ...AWS_CALL_LIMITS })),
    cloudwatch: perRegion((region) => new CloudWatchClient({ region, ...AWS_CALL_LIMITS })),
    dynamodb: perRegion((region) => new DynamoDBClient({ region, ...AWS_CALL_LIMITS })),
    dynamodbBulk: perRegion((region) => new DynamoDBClient({ region, ...BULK_CALL_LIMITS })),
    s3: perRegion((region) => new S3Client({ region, ...AWS_CALL_LIMITS })),
    lambda: perRegion((region) => new LambdaClient({ region, ...AWS_CALL_LIMITS })),
    route53: () => route53(ROUTE53_API_REGION),
    sns: perRegion((region) => new SNSClient({ region, ...AWS_CALL_LIMITS })),
  };
}

interface GlobalClusterMember {
  clusterArn: string;
  isWriter: boolean;
  /** `connected`, or `pending-resync` after a failover with data loss until the member catches up. */
  synchronizationStatus?: string;
}

export interface GlobalClusterView {
  id: string;
  /** `available`, `switching-over`, `failing-over`, `modifying`, ... */
  status: string;
  engineVersion?: string;
  members: GlobalClusterMember[];
  /** A switchover/failover AWS is carrying out (DescribeGlobalClusters' FailoverState). */
  operation?: { status: string; fromClusterArn?: string; toClusterArn?: string; dataLossAllowed?: boolean };
}

export interface ClusterView {
  arn: string;
  identifier: string;
  status: string;
  engineVersion?: string;
}

export interface HealthCheckView {
  /**
   * Route 53's own verdict: healthy when more than 18% of its checkers see success (always, when
   * the check is disabled), then reversed when it is inverted: a disabled and inverted check is
   * always unhealthy (Route 53 API, HealthCheckConfig `Disabled`: "If you want to stop routing
   * traffic to a resource, change the value of Inverted").
   */
  healthy: boolean;
  checkersHealthy: number;
  checkersTotal: number;
  /**
   * Route 53 then holds it healthy whatever its checkers see (unhealthy, if also inverted): the
   * failover record no longer follows `/health`.
   */
  disabled: boolean;
  /** Route 53 then reverses its verdict (a disabled check's too). */
  inverted: boolean;
}

/** A DynamoDB item key, as the low-level API passes it. */
export type ItemKey = Record<string, AttributeValue>;

/** One page of {@link Aws.paymentSessionKeys}. */
export interface SessionKeysPage {
  /** Items the page read, before the filter (ScannedCount). */
  scanned: number;
  /** The keys of the items that matched. */
  keys: ItemKey[];
  /** Where the next page starts; undefined on the last page. */
  next?: ItemKey;
}

/** One subscription of an alert topic. */
export interface AlertSubscription {
  protocol: string;
  endpoint: string;
  /**
   * `pending`: waiting for its confirmation (SNS deletes it unconfirmed after 48 h); `deleted`:
   * unsubscribed, listed until SNS removes it.
   */
  state: "confirmed" | "pending" | "deleted";
  /**
   * Whether only the topic's owner can unsubscribe it (confirmed with
   * `--authenticate-on-unsubscribe true`); false when anyone holding an alert's unsubscribe link
   * can; null when not confirmed, or its attributes could not be read.
   */
  authenticated: boolean | null;
}

/** An alert topic's subscriptions, and why some could not be told apart (GetSubscriptionAttributes refused). */
export interface AlertSubscriptions {
  subscriptions: AlertSubscription[];
  attributesError?: string;
}

/** Pages of ListSubscriptionsByTopic read at most (100 subscriptions each): an alert topic holds a few. */
const MAX_SUBSCRIPTION_PAGES = 5;

export interface LagReading {
  seconds: number;
  at: Date;
}

/** The AWS calls the DR commands make, each against an explicit region. */
export class Aws {
  constructor(
    private readonly clients: ClientFactory,
    private readonly clock: Clock,
  ) {}

  async globalCluster(region: string, id: string): Promise<GlobalClusterView> {
    const out = await this.clients.rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }));
    const cluster = out.GlobalClusters?.[0];
    if (!cluster) throw new Error(`global cluster ${id} not found (asked ${region})`);
    const state = cluster.FailoverState;
    return {
      id,
      status: cluster.Status ?? "unknown",
      engineVersion: cluster.EngineVersion,
      members: (cluster.GlobalClusterMembers ?? []).map((m) => ({
        clusterArn: m.DBClusterArn ?? "",
        isWriter: m.IsWriter === true,
        synchronizationStatus: m.SynchronizationStatus,
      })),
      operation: state?.Status
        ? {
            status: state.Status,
            fromClusterArn: state.FromDbClusterArn,
            toClusterArn: state.ToDbClusterArn,
            dataLossAllowed: state.IsDataLossAllowed,
          }
        : undefined,
    };
  }

  async cluster(region: string, identifier: string): Promise<ClusterView> {
    const out = await this.clients.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
    const cluster = out.DBClusters?.[0];
    if (!cluster) throw new Error(`cluster ${identifier} not found in ${region}`);
    return {
      arn: cluster.DBClusterArn ?? "",
      identifier: cluster.DBClusterIdentifier ?? identifier,
      status: cluster.Status ?? "unknown",
      engineVersion: cluster.EngineVersion,
    };
  }

  /**
   * The latest `AuroraGlobalDBRPOLag` (CloudWatch, AWS/RDS, milliseconds) of a secondary cluster,
   * read in the secondary's own region: Maximum over 1-minute periods, newest datapoint in the
   * last 5 minutes. Undefined when there is none (e.g. the cluster is the writer). For Aurora
   * PostgreSQL, AWS's switchover/failover guide names this metric (how far the secondary is behind
   * for user transactions: the commits a failover would lose), not AuroraGlobalDBReplicationLag.
   * Read with the alarms' Metrics Insights query, whatever dimensions Aurora publishes it with
   * (libs/monitoring auroraRpoLagQuery).
   */
  async replicationLag(region: string, clusterIdentifier: string): Promise<LagReading | undefined> {
    const [newest] = await this.datapoints(region, LAG_LOOKBACK_SECONDS, {
      Id: "lag",
      Label: AURORA_RPO_LAG_METRIC,
      Expression: auroraRpoLagQuery(clusterIdentifier),
      Period: LAG_PERIOD_SECONDS,
    });
    return newest ? { seconds: newest.value / 1000, at: newest.at } : undefined;
  }

  /**
   * The health probe's datapoints of `target` (libs/payment-lambda's PROBE_METRIC: 1 healthy,
   * 0 not, one per probe) published in `region`, Minimum per 10 s, newest first, over the last
   * `lookbackSeconds`: the view of a region's /health from inside AWS in another region.
   */
  async probeSamples(region: string, target: string, lookbackSeconds = PROBE_LOOKBACK_SECONDS): Promise<ProbeSample[]> {
    const points = await this.datapoints(region, lookbackSeconds, {
      Id: "probe",
      MetricStat: {
        Metric: { Namespace: PROBE_METRIC.namespace, MetricName: PROBE_METRIC.name, Dimensions: [{ Name: PROBE_METRIC.targetDimension, Value: target }] },
        Period: 10,
        Stat: "Minimum",
      },
    });
    return points.map((p) => ({ at: p.at, healthy: p.value >= 1 }));
  }

  /**
   * One metric's datapoints in `region` over the last `lookbackSeconds`, newest first. GetMetricData
   * reports a query it could not answer in the result's StatusCode, not as an error: `InternalError`
   * or `Forbidden` come back with HTTP 200 and no (or some) datapoints, which would read as "no
   * data" (a probe not reporting, a cluster without lag); they are errors here. `PartialData` means
   * more datapoints follow with NextToken, which is followed (a few pages at most).
   */
  private async datapoints(region: string, lookbackSeconds: number, query: MetricDataQuery & { Id: string }): Promise<{ at: Date; value: number }[]> {
    const end = this.clock.now();
    const start = new Date(end.getTime() - lookbackSeconds * 1000);
    const points: { at: Date; value: number }[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await this.clients
        .cloudwatch(region)
        .send(new GetMetricDataCommand({ StartTime: start, EndTime: end, ScanBy: "TimestampDescending", MetricDataQueries: [query], NextToken: nextToken }));
      const result = out.MetricDataResults?.find((r) => r.Id === query.Id);
      if (result?.StatusCode === "InternalError" || result?.StatusCode === "Forbidden") {
        const said = [...(result.Messages ?? []), ...(out.Messages ?? [])].map((m) => [m.Code, m.Value].filter(Boolean).join(": ")).filter(Boolean);
        throw new Error(`GetMetricData of ${query.Label ?? query.MetricStat?.Metric?.MetricName ?? query.Id} in ${region} answered ${result.StatusCode}${said.length ? ` (${said.join("; ")})` : ""}`);
      }
      (result?.Timestamps ?? []).forEach((at, i) => {
        const value = result?.Values?.[i];
        if (typeof value === "number") points.push({ at: new Date(at), value });
      });
      nextToken = out.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_METRIC_PAGES);
    return points.sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  async healthCheck(id: string): Promise<HealthCheckView> {
    const route53 = this.clients.route53();
    const [out, check] = await Promise.all([
      route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })),
      route53.send(new GetHealthCheckCommand({ HealthCheckId: id })),
    ]);
    const observations = out.HealthCheckObservations ?? [];
    const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith("Success")).length;
    const seen = observations.length > 0 && healthy / observations.length > 0.18;
    const disabled = check.HealthCheck?.HealthCheckConfig?.Disabled === true;
    const inverted = check.HealthCheck?.HealthCheckConfig?.Inverted === true;
    // Disabled sets the verdict to healthy; Inverted then reverses whatever the verdict is.
    const verdict = disabled || seen;
    return { healthy: inverted ? !verdict : verdict, checkersHealthy: healthy, checkersTotal: observations.length, disabled, inverted };
  }

  async tableReplicas(region: string, table: string): Promise<{ tableStatus: string; replicas: { region: string; status: string }[] }> {
    const out = await this.clients.dynamodb(region).send(new DescribeTableCommand({ TableName: table }));
    return {
      tableStatus: out.Table?.TableStatus ?? "unknown",
      replicas: (out.Table?.Replicas ?? []).map((r) => ({ region: r.RegionName ?? "unknown", status: r.ReplicaStatus ?? "unknown" })),
    };
  }

  /**
   * One Scan page of the keys of the payment sessions whose `createdAt` lies in [since, until]
   * (inclusive). `createdAt` is `toISOString()` text, so BETWEEN on strings compares times as long
   * as `since` and `until` are in that format too.
   */
  async paymentSessionKeys(region: string, table: string, window: { since: string; until: string }, startKey?: ItemKey): Promise<SessionKeysPage> {
    const out = await this.clients.dynamodbBulk(region).send(
      new ScanCommand({
        TableName: table,
        FilterExpression: "begins_with(#key, :payment) AND #createdAt BETWEEN :since AND :until",
        ProjectionExpression: "#key",
        ExpressionAttributeNames: { "#key": SESSION_KEY_ATTRIBUTE, "#createdAt": "createdAt" },
        ExpressionAttributeValues: { ":payment": { S: PAYMENT_SESSION_PREFIX }, ":since": { S: window.since }, ":until": { S: window.until } },
        ExclusiveStartKey: startKey,
      }),
    );
    return { scanned: out.ScannedCount ?? 0, keys: out.Items ?? [], next: out.LastEvaluatedKey };
  }

  /**
   * Deletes one session item; false when it was already gone (a previous run, its TTL, or this
   * call's own first attempt whose answer was lost, which counts it as gone rather than deleted).
   */
  async deleteSession(region: string, table: string, key: ItemKey): Promise<boolean> {
    try {
      await this.clients
        .dynamodbBulk(region)
        .send(new DeleteItemCommand({ TableName: table, Key: key, ConditionExpression: "attribute_exists(#key)", ExpressionAttributeNames: { "#key": SESSION_KEY_ATTRIBUTE } }));
      return true;
    } catch (error) {
      if (isAwsError(error, "ConditionalCheckFailedException")) return false;
      throw error;
    }
  }

  /**
   * The subscriptions of an alert topic. ListSubscriptionsByTopic names an unconfirmed one
   * `PendingConfirmation` instead of an ARN, and one unsubscribed `Deleted` until SNS drops it; a
   * confirmed one's ConfirmationWasAuthenticated (GetSubscriptionAttributes) says whether an
   * alert's unsubscribe link can remove it. A refused GetSubscriptionAttributes (it takes no
   * topic ARN, so a policy scoped to the topics denies it) leaves that unknown, the rest shown.
   */
  async alertSubscriptions(region: string, topicArn: string): Promise<AlertSubscriptions> {
    const sns = this.clients.sns(region);
    const listed: { arn: string; protocol: string; endpoint: string }[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
      for (const s of out.Subscriptions ?? []) listed.push({ arn: s.SubscriptionArn ?? "", protocol: s.Protocol ?? "unknown", endpoint: s.Endpoint ?? "" });
      nextToken = out.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_SUBSCRIPTION_PAGES);
    let attributesError: string | undefined;
    const subscriptions = await Promise.all(
      listed.map(async ({ arn, protocol, endpoint }): Promise<AlertSubscription> => {
        if (arn === "Deleted") return { protocol, endpoint, state: "deleted", authenticated: null };
        if (!arn.startsWith("arn:")) return { protocol, endpoint, state: "pending", authenticated: null };
        try {
          const { Attributes: attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
          if (attributes?.PendingConfirmation === "true") return { protocol, endpoint, state: "pending", authenticated: null };
          return { protocol, endpoint, state: "confirmed", authenticated: attributes?.ConfirmationWasAuthenticated === "true" };
        } catch (error) {
          attributesError ??= `GetSubscriptionAttributes: ${messageOf(error)}`;
          return { protocol, endpoint, state: "confirmed", authenticated: null };
        }
      }),
    );
    return { subscriptions, ...(attributesError ? { attributesError } : {}) };
  }

  async bucketReplication(region: string, bucket: string): Promise<{ id: string; status: string; destinationBucket?: string }[]> {
    const out = await this.clients.s3(region).send(new GetBucketReplicationCommand({ Bucket: bucket }));
    return (out.ReplicationConfiguration?.Rules ?? []).map((r) => ({
      id: r.ID ?? "",
      status: r.Status ?? "unknown",
      destinationBucket: r.Destination?.Bucket,
    }));
  }

  /** A function's reserved concurrency (GetFunctionConcurrency); undefined when it has none (it draws on the account's unreserved pool). */
  async reservedConcurrency(region: string, functionName: string): Promise<number | undefined> {
    const out = await this.clients.lambda(region).send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
    return out.ReservedConcurrentExecutions;
  }

  /** Sets a function's reserved concurrency (PutFunctionConcurrency); 0 throttles every invocation. */
  async putReservedConcurrency(region: string, functionName: string, value: number): Promise<void> {
    await this.clients.lambda(region).send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: value }));
  }

  /** Removes a function's reserved concurrency (DeleteFunctionConcurrency). */
  async deleteReservedConcurrency(region: string, functionName: string): Promise<void> {
    await this.clients.lambda(region).send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
  }

  /** A function's tags (ListTags, by its ARN). */
  async functionTags(region: string, functionArn: string): Promise<Record<string, string>> {
    const out = await this.clients.lambda(region).send(new ListTagsCommand({ Resource: functionArn }));
    return out.Tags ?? {};
  }

  async tagFunction(region: string, functionArn: string, tags: Record<string, string>): Promise<void> {
    await this.clients.lambda(region).send(new TagResourceCommand({ Resource: functionArn, Tags: tags }));
  }

  async untagFunction(region: string, functionArn: string, keys: string[]): Promise<void> {
    await this.clients.lambda(region).send(new UntagResourceCommand({ Resource: functionArn, TagKeys: keys }));
  }

  async switchover(region: string, globalClusterId: string, targetClusterArn: string): Promise<void> {
    await this.clients
      .rds(region)
      .send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterId, TargetDbClusterIdentifier: targetClusterArn }));
  }

  async failover(region: string, globalClusterId: string, targetClusterArn: string): Promise<void> {
    await this.clients.rds(region).send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: globalClusterId,
        TargetDbClusterIdentifier: targetClusterArn,
        AllowDataLoss: true,
      }),
    );
  }
}
