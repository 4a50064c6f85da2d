import { defaultClientFactory, ROUTE53_API_REGION, type ClientFactory } from "../aws";
import type { StackOutputsSet } from "../outputs";
import type { FakeClock } from "./clock";
import { fakeCloudWatch } from "./cloudwatch";
import { DR, HOME } from "./deployment";
import { fakeDynamoDb } from "./dynamodb";
import { deployedFunctions, fakeLambda, type FakeFunction } from "./lambda";
import { regionHealth, type Route } from "./fetch";
import { fakeRds } from "./rds";
import { fakeRoute53 } from "./route53";
import { fakeS3 } from "./s3";
import { fakeSns, type FakeSubscription } from "./sns";
import type { LocalSessionReplicas } from "./session-replicas";

/** A command's input as the mock sees it. */
export type Input = Record<string, unknown>;

/** What a mock's `callsFake` hands a handler besides the input: the client that sent the command. */
type ClientOf = () => { config: { region: () => Promise<string> } };

/**
 * An in-memory Aurora global database in two regions behind aws-sdk-client-mock, answering with
 * the shapes the real APIs return (one file per service beside this one). Every call records the
 * region of the client that made it. With `sessions`, DynamoDB is those local replicas instead of
 * the mock (which would stub every DynamoDBClient, theirs too).
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
  /**
   * A completed move shows as over (FailoverState gone, status available) one describe before the
   * new writer is named: the other order from the one this fake otherwise shows, which AWS does
   * not rule out.
   */
  writerNamedAfterClear = false;
  /** The newest lag datapoint's value, or a function of that datapoint's time (epoch ms). */
  lagMs: number | ((at: number) => number) = 800;
  /** How long before a GetMetricData call the newest lag datapoint's minute starts: a minute just ended, as CloudWatch shows it. */
  lagDatapointAgeMs = 60_000;
  /**
   * When each region's cluster last became a secondary (epoch ms; absent: long ago). Aurora
   * publishes AuroraGlobalDBRPOLag for secondaries only, so a cluster has no lag datapoint while
   * it is the writer, and none from before its demotion.
   */
  readonly secondarySince: Record<string, number> = {};
  /**
   * The health probe's datapoints of the primary (1 healthy, 0 not), newest first, 10 s apart, in
   * the DR region. Unless a test sets them: failing while us-east-1 is `down` or its /health
   * fenced (the probe asks the same /health), passing otherwise.
   */
  get probeValues(): number[] {
    return this.probeValuesSet ?? (this.down.has(HOME) || this.healthFenced(HOME) ? [0, 0, 0] : [1, 1, 1]);
  }
  set probeValues(values: number[]) {
    this.probeValuesSet = values;
  }
  private probeValuesSet: number[] | undefined;
  /**
   * How GetMetricData answers each query: `Complete`, or a StatusCode for a query it could not
   * answer (`InternalError`, `Forbidden`), which comes with HTTP 200 and no datapoints.
   */
  metricDataStatus: "Complete" | "InternalError" | "Forbidden" = "Complete";
  /** Datapoints per GetMetricData page: more come `PartialData`, with a NextToken. */
  metricDataPageSize = 100_800;
  /** How far CloudWatch's clock runs ahead of this machine's (ms): the probe's timestamps move by it. */
  probeClockAheadMs = 0;
  engineVersions: Record<string, string> = { [HOME]: "16.6", [DR]: "16.6" };
  clusterStatus: Record<string, string> = { [HOME]: "available", [DR]: "available" };
  syncStatus: Record<string, string> = { [HOME]: "connected", [DR]: "connected" };
  /** Route 53 health checks (by id) an operator disabled: Route 53 treats them as healthy. */
  readonly disabledHealthChecks = new Set<string>();
  /** Route 53 health checks (by id) an operator inverted: Route 53 reverses their verdict (a disabled one's too). */
  readonly invertedHealthChecks = new Set<string>();
  /** Regions whose cluster is not a member of the global cluster (an old primary not yet added back after a failover). */
  readonly absentMembers = new Set<string>();
  /** Regions whose every API call fails as during an outage. */
  readonly down = new Set<string>();
  /** `<service>/<Command>` calls that fail with the error given (e.g. `route53/GetHealthCheck`). */
  readonly failing = new Map<string, () => Error>();
  /** `<region>/<table>` pairs whose DynamoDB table (replica) does not exist. */
  readonly missingTables = new Set<string>();
  /** Each region's payment and /health functions by name: reserved concurrency and tags (`dr fence`). */
  readonly functions: Record<string, FakeFunction>;
  /** The account's Lambda concurrency in each region (AWS's default 1000): reservations must leave 100 of it unreserved. */
  lambdaConcurrencyLimit = 1000;
  /** Each region's alert topic (by ARN) and its subscriptions: one on-call address each, confirmed as the README says, unless a test says otherwise. */
  readonly alertSubscriptions: Record<string, FakeSubscription[]>;
  /** Subscriptions per ListSubscriptionsByTopic page (SNS's is 100). */
  subscriptionPageSize = 100;
  readonly calls: { service: string; command: string; region: string; input: unknown }[] = [];
  /** Regions of every client the code asked the factory for. */
  readonly clientRegions: { service: string; region: string }[] = [];
  private pending = 0;
  /** The writer has moved; the FailoverState clears at the next describe. */
  private settling = false;
  private target: string | undefined;
  private readonly mocks: { restore(): void }[];

  constructor(
    readonly outputs: StackOutputsSet,
    readonly clock: FakeClock,
    private readonly sessions?: LocalSessionReplicas,
  ) {
    this.functions = deployedFunctions(this);
    this.alertSubscriptions = Object.fromEntries([outputs.primary.alertTopicArn, outputs.dr.alertTopicArn].map((arn) => [arn, [{ protocol: "email", endpoint: "oncall@example.com" }]]));
    this.mocks = [fakeLambda(this), fakeRds(this), fakeCloudWatch(this), fakeRoute53(this), fakeS3(this), fakeSns(this), ...(sessions ? [] : [fakeDynamoDb(this)])];
  }

  /** A mock's handler for `answer`: records the call with its client's region, and times out instead while that region is `down`. */
  serve(service: string, command: string, answer: (input: Input, region: string) => unknown) {
    return async (input: Input, getClient: ClientOf) => {
      const region = await getClient().config.region();
      this.calls.push({ service, command, region, input });
      if (this.down.has(region)) throw Object.assign(new Error(`connect ETIMEDOUT ${service}.${region}.amazonaws.com:443`), { name: "TimeoutError" });
      const failure = this.failing.get(`${service}/${command}`);
      if (failure) throw failure();
      return answer(input, region);
    };
  }

  /** Whether `region`'s /health function is throttled to 0 (`dr fence`, or by hand): its /health then answers API Gateway's 500. */
  healthFenced(region: string): boolean {
    const name = region === HOME ? this.outputs.primary.healthLambdaName : this.outputs.dr.healthLambdaName;
    return this.functions[name]?.reserved === 0;
  }

  /** A region's `/health` as the deployed payment function answers it ({@link regionHealth}). */
  health(region: string): Route {
    return regionHealth(this, region);
  }

  /** A move under way, as after a crash of the CLI that started it (a failover with data loss when `status` is failing-over and `dataLoss`). */
  startMove(to: string, status = "switching-over", dataLoss = false): void {
    this.status = status;
    this.operation = { Status: "pending", FromDbClusterArn: this.clusterArnOf(this.writer), ToDbClusterArn: this.clusterArnOf(to), IsDataLossAllowed: dataLoss };
    this.target = to;
    this.pending = this.convergeAfter;
  }

  /**
   * One describe of the global cluster: a move under way ends, as `moveOutcome` says, after
   * {@link convergeAfter} of them. As in RDS, its FailoverState turns from `pending` to the
   * move's own status, and a completed move names the new writer one describe before its
   * FailoverState clears.
   */
  advanceMove(): void {
    if (this.target === undefined) {
      if (this.settling) {
        this.settling = false;
        this.status = "available";
        this.operation = undefined;
      }
      return;
    }
    this.pending -= 1;
    if (this.operation && this.operation.Status === "pending") this.operation.Status = this.status;
    if (this.pending <= 0) this.endMove();
  }

  clusterArnOf(region: string): string {
    return region === HOME ? this.outputs.primary.clusterArn : this.outputs.dr.clusterArn;
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
      lambda: record("lambda", inner.lambda),
      route53: () => record("route53", () => inner.route53())(ROUTE53_API_REGION),
      sns: record("sns", inner.sns),
    };
  }

  restore(): void {
    for (const mock of this.mocks) mock.restore();
  }

  private endMove(): void {
    if (this.moveOutcome === "completes") return this.completeMove();
    if (this.moveOutcome === "cancelled" && this.operation && this.operation.Status !== "cancelling") {
      this.operation.Status = "cancelling";
      return;
    }
    this.status = "available";
    this.operation = undefined;
    this.target = undefined;
  }

  private completeMove(): void {
    if (this.writerNamedAfterClear && this.operation) {
      this.operation = undefined;
      this.status = "available";
      this.pending = 1;
      return;
    }
    this.secondarySince[this.writer] = this.clock.now().getTime();
    this.writer = this.target as string;
    this.target = undefined;
    this.settling = true;
  }
}
