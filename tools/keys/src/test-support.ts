import { randomBytes } from "node:crypto";
import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetApiKeysCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  NotFoundException,
  TooManyRequestsException,
  type ApiKey,
} from "@aws-sdk/client-api-gateway";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { API_KEYS_TABLE_KEY, reservationItemId } from "@payments-dr/api-keys";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { FAKE_AWS_CREDENTIALS, startDynalite, type LocalDynamoDbServer } from "@payments-dr/testing";
import { mockClient } from "aws-sdk-client-mock";
import type { ClientFactory } from "./aws";
import type { KeysOutputs } from "./outputs";
import { run } from "./run";

export const HOME = "us-east-1";
export const DR = "us-east-2";

/** The regional stacks' outputs the CLI reads (as `pulumi stack output --json` prints them). */
export const outputs: KeysOutputs = {
  primary: { region: HOME, apiId: "a1b2c3d4e5", apiStage: "v1", apiName: "payments-dr-api-use1-dev", usagePlanId: "plan-use1", apiKeysTableName: "payments-dr-api-keys-dev" },
  dr: { region: DR, apiId: "f6g7h8i9j0", apiStage: "v1", apiName: "payments-dr-api-use2-dev", usagePlanId: "plan-use2" },
};

/** A directory for `--outputs`. */
export function outputsDir(): string {
  return stackOutputsDir({ "primary-region": outputs.primary, "dr-region": outputs.dr });
}

/**
 * A local DynamoDB-compatible server (dynalite, in memory) with the keys table shaped like the
 * stack's (hash key `keyId`, S). It stands for both regions' replicas of the global table.
 */
export class LocalKeysTable {
  /** Every item a CLI client received in a Scan answer, as sent over the wire (still marshalled). */
  readonly scanned: Record<string, unknown>[] = [];
  /** Every Scan request a CLI client sent: its region and whether it asked for a strongly consistent read. */
  readonly scans: { region: string; consistent: boolean }[] = [];
  /** Scan page size forced on the CLI's clients, so a few items take several pages. */
  scanPageSize = 2;
  /** Regions whose replica does not answer Scans (a network failure). */
  readonly unreachable = new Set<string>();
  private readonly db: DynamoDBDocumentClient;
  private readonly regional = new Map<string, DynamoDBClient>();

  private constructor(
    private readonly server: LocalDynamoDbServer,
    private readonly client: DynamoDBClient,
    readonly name: string,
  ) {
    this.db = DynamoDBDocumentClient.from(client);
  }

  static async start(name = outputs.primary.apiKeysTableName): Promise<LocalKeysTable> {
    const server = await startDynalite([{ name, hashKey: API_KEYS_TABLE_KEY }]);
    const client = new DynamoDBClient({ region: HOME, endpoint: server.endpoint, credentials: FAKE_AWS_CREDENTIALS });
    return new LocalKeysTable(server, client, name);
  }

  /** A client "in" a region: every region's replica is this one table. */
  clientIn(region: string): DynamoDBClient {
    if (!this.regional.has(region)) {
      const client = new DynamoDBClient({ region, endpoint: this.server.endpoint, credentials: FAKE_AWS_CREDENTIALS });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== "ScanCommand") return next(args);
          (args.input as { Limit?: number }).Limit = this.scanPageSize;
          this.scans.push({ region, consistent: (args.input as { ConsistentRead?: boolean }).ConsistentRead === true });
          if (this.unreachable.has(region)) throw Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" });
          const result = await next(args);
          this.scanned.push(...(((result.output as { Items?: Record<string, unknown>[] }).Items) ?? []));
          return result;
        },
        { step: "initialize", name: "keysTestScanSpy" },
      );
      this.regional.set(region, client);
    }
    return this.regional.get(region)!;
  }

  /** Every stored item, as stored. */
  async items(): Promise<Record<string, unknown>[]> {
    const out = await this.db.send(new ScanCommand({ TableName: this.name }));
    return out.Items ?? [];
  }

  /** Every stored key item: neither a usage key reservation nor a usage item. */
  async keyItems(): Promise<Record<string, unknown>[]> {
    return (await this.items()).filter((item) => !/#/.test(item[API_KEYS_TABLE_KEY] as string));
  }

  /** The usage key value reserved for `merchantId` (see reservationItemId in @payments-dr/api-keys). */
  async reserved(merchantId: string): Promise<string | undefined> {
    return (await this.item(reservationItemId(merchantId)))?.usageKey as string | undefined;
  }

  async item(keyId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.name, Key: { [API_KEYS_TABLE_KEY]: keyId }, ConsistentRead: true }));
    return out.Item;
  }

  /** Writes an item as is, bypassing the CLI's checks (a hand edit, another tool's write). */
  async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.name, Item: item }));
  }

  async clear(): Promise<void> {
    for (const item of await this.items()) await this.db.send(new DeleteCommand({ TableName: this.name, Key: { [API_KEYS_TABLE_KEY]: item[API_KEYS_TABLE_KEY] } }));
  }

  async stop(): Promise<void> {
    for (const client of [this.client, ...this.regional.values()]) client.destroy();
    await this.server.stop();
  }
}

type Input = Record<string, unknown>;

/** A usage key as the fake API Gateway keeps it. */
interface FakeApiKey {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
  tags?: Record<string, string>;
}

/**
 * API Gateway's control plane throttles each account and region: 10 requests per second with a
 * burst of 40, over all its operations (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
export const CONTROL_PLANE_LIMITS = { perSecond: 10, burst: 40 } as const;

/**
 * API Gateway's API keys and usage plans in two regions behind aws-sdk-client-mock, answering
 * with the real APIs' shapes (GetApiKeys' nameQuery is a prefix match and pages), and throttling
 * as the real control plane does (CONTROL_PLANE_LIMITS, TooManyRequestsException) on a clock that
 * only the CLI's waits advance: calls take no time here, so a CLI that never waits is throttled
 * at the burst's end. aws-sdk-client-mock answers below the SDK, so there is no SDK retry here
 * (the real client tries a throttled call twice: AWS_CALL_LIMITS). Every call records the region
 * of the client that made it.
 */
class FakeApiGateway {
  readonly keys: Record<string, FakeApiKey[]> = { [HOME]: [], [DR]: [] };
  /** `<usagePlanId>/<apiKeyId>` per region. */
  readonly planKeys: Record<string, Set<string>> = { [HOME]: new Set(), [DR]: new Set() };
  readonly calls: { command: string; region: string; input: Input }[] = [];
  /** GetApiKeys page size. */
  pageSize = 2;
  /** Milliseconds the CLI has waited (KeysHarness's sleep): what refills the throttle's tokens. */
  private elapsedMs = 0;
  /** Each region's throttle: tokens left, as of `at` (elapsedMs). */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly failures = new Map<string, (input: Input) => Error | undefined>();
  private readonly hooks = new Map<string, (input: Input) => Promise<void>>();
  private readonly mock = mockClient(APIGatewayClient);
  private readonly plans: Record<string, string> = { [HOME]: outputs.primary.usagePlanId, [DR]: outputs.dr.usagePlanId };
  private readonly stages: Record<string, { apiId: string; stage: string }> = {
    [HOME]: { apiId: outputs.primary.apiId, stage: outputs.primary.apiStage },
    [DR]: { apiId: outputs.dr.apiId, stage: outputs.dr.apiStage },
  };

  constructor() {
    const serve =
      (command: string, answer: (input: Input, region: string) => unknown) =>
      async (input: Input, getClient: () => { config: { region: () => Promise<string> } }) => {
        const region = await getClient().config.region();
        this.calls.push({ command, region, input });
        this.take(region);
        await this.hooks.get(`${region}:${command}`)?.(input);
        const failure = this.failures.get(`${region}:${command}`);
        const error = failure?.(input);
        if (error) throw error;
        return answer(input, region);
      };
    this.mock.on(GetApiKeysCommand).callsFake(
      serve("GetApiKeys", (input, region) => {
        const matching = this.keys[region]!.filter((k) => k.name.startsWith((input.nameQuery as string | undefined) ?? ""));
        const from = Number(input.position ?? 0);
        const page = matching.slice(from, from + this.pageSize);
        const items: ApiKey[] = page.map((k) => ({ id: k.id, name: k.name, enabled: k.enabled, ...(input.includeValues ? { value: k.value } : {}) }));
        return { items, ...(from + this.pageSize < matching.length ? { position: String(from + this.pageSize) } : {}) };
      }),
    );
    this.mock.on(CreateApiKeyCommand).callsFake(
      serve("CreateApiKey", (input, region) => {
        // API Gateway: two API keys with one value are the same key.
        if (this.keys[region]!.some((k) => k.value === input.value)) throw new ConflictException({ message: "API Key already exists", $metadata: {} });
        const key: FakeApiKey = {
          id: randomBytes(5).toString("hex"),
          name: input.name as string,
          value: input.value as string,
          enabled: input.enabled === true,
          tags: input.tags as Record<string, string>,
        };
        this.keys[region]!.push(key);
        return { id: key.id, name: key.name, value: key.value, enabled: key.enabled };
      }),
    );
    this.mock.on(CreateUsagePlanKeyCommand).callsFake(
      serve("CreateUsagePlanKey", (input, region) => {
        if (input.usagePlanId !== this.plans[region]) throw new NotFoundException({ message: "Invalid Usage Plan ID specified", $metadata: {} });
        if (!this.keys[region]!.some((k) => k.id === input.keyId)) throw new NotFoundException({ message: "Invalid API Key identifier specified", $metadata: {} });
        const entry = `${input.usagePlanId}/${input.keyId}`;
        if (this.planKeys[region]!.has(entry)) throw new ConflictException({ message: "Usage Plan Key already exists", $metadata: {} });
        this.planKeys[region]!.add(entry);
        return { id: input.keyId, type: "API_KEY" };
      }),
    );
    this.mock.on(GetUsagePlanKeysCommand).callsFake(
      serve("GetUsagePlanKeys", (input, region) => {
        if (input.usagePlanId !== this.plans[region]) throw new NotFoundException({ message: "Invalid Usage Plan ID specified", $metadata: {} });
        const inPlan = this.planKeysOf(region);
        const from = Number(input.position ?? 0);
        const items = inPlan.slice(from, from + this.pageSize).map((k) => ({ id: k.id, type: "API_KEY", name: k.name, value: k.value }));
        return { items, ...(from + this.pageSize < inPlan.length ? { position: String(from + this.pageSize) } : {}) };
      }),
    );
    this.mock.on(GetUsagePlanKeyCommand).callsFake(
      serve("GetUsagePlanKey", (input, region) => {
        const key = this.planKeysOf(region).find((k) => input.usagePlanId === this.plans[region] && k.id === input.keyId);
        if (!key) throw new NotFoundException({ message: "Invalid Usage Plan Key identifier specified", $metadata: {} });
        return { id: key.id, type: "API_KEY", name: key.name, value: key.value };
      }),
    );
    this.mock.on(FlushStageAuthorizersCacheCommand).callsFake(
      serve("FlushStageAuthorizersCache", (input, region) => {
        const { apiId, stage } = this.stages[region]!;
        if (input.restApiId !== apiId || input.stageName !== stage) throw new NotFoundException({ message: "Invalid stage identifier specified", $metadata: {} });
        return {};
      }),
    );
    this.mock.on(DeleteUsagePlanKeyCommand).callsFake(
      serve("DeleteUsagePlanKey", (input, region) => {
        const entry = `${input.usagePlanId}/${input.keyId}`;
        if (!this.planKeys[region]!.delete(entry)) throw new NotFoundException({ message: "Invalid Usage Plan Key identifier specified", $metadata: {} });
        return {};
      }),
    );
  }

  /** The CLI waited `ms`. */
  advance(ms: number): void {
    this.elapsedMs += ms;
  }

  /** One request of `region`'s throttle, or TooManyRequestsException when none is left. */
  private take(region: string): void {
    const { perSecond, burst } = CONTROL_PLANE_LIMITS;
    const bucket = this.buckets.get(region) ?? { tokens: burst, at: 0 };
    const tokens = Math.min(burst, bucket.tokens + ((this.elapsedMs - bucket.at) * perSecond) / 1000);
    if (tokens < 1) {
      this.buckets.set(region, { tokens, at: this.elapsedMs });
      throw new TooManyRequestsException({ message: "Too Many Requests", $metadata: {} });
    }
    this.buckets.set(region, { tokens: tokens - 1, at: this.elapsedMs });
  }

  /** Every key of `region`'s usage plan. */
  planKeysOf(region: string): FakeApiKey[] {
    return [...this.planKeys[region]!].map((entry) => this.keys[region]!.find((k) => `${this.plans[region]}/${k.id}` === entry)!);
  }

  /** Makes every `command` call in `region` fail with the error `make` returns (none: it is answered). */
  fail(region: string, command: string, make: (input: Input) => Error | undefined): void {
    this.failures.set(`${region}:${command}`, make);
  }

  /** Runs `hook` before answering each `command` call in `region` (another run may act meanwhile); the call is answered once it resolves. */
  before(region: string, command: string, hook: (input: Input) => Promise<void>): void {
    this.hooks.set(`${region}:${command}`, hook);
  }

  /** A key made earlier (by a previous run or by hand). */
  add(region: string, key: Omit<FakeApiKey, "id"> & { id?: string }): FakeApiKey {
    const stored = { id: randomBytes(5).toString("hex"), ...key };
    this.keys[region]!.push(stored);
    return stored;
  }

  called(command: string, region?: string): { command: string; region: string; input: Input }[] {
    return this.calls.filter((c) => c.command === command && (region === undefined || c.region === region));
  }

  restore(): void {
    this.mock.restore();
  }
}

/** Clients for the tests: DynamoDB is the local table whatever the region; every region asked is recorded. */
export function testClients(table: LocalKeysTable, regions: { service: string; region: string }[]): ClientFactory {
  return {
    dynamodb: (region) => {
      regions.push({ service: "dynamodb", region });
      return table.clientIn(region);
    },
    apiGateway: (region) => {
      regions.push({ service: "apigateway", region });
      return new APIGatewayClient({ region, credentials: FAKE_AWS_CREDENTIALS });
    },
  };
}

/** The fixed time of every test run. */
export const NOW = new Date("2026-11-25T12:00:00.000Z");

/** A harness that runs `keys` against a local table and a fake API Gateway. */
export class KeysHarness {
  readonly regions: { service: string; region: string }[] = [];
  readonly apiGateway = new FakeApiGateway();
  private readonly dir = outputsDir();
  now = NOW;
  /** What the CLI waited for (ms), each answered at once; `onPause` runs first (e.g. to see what was done by then). */
  readonly pauses: number[] = [];
  onPause?: () => Promise<void>;

  constructor(readonly table: LocalKeysTable) {}

  async run(args: string[], options: { underNx?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await run([...args, "--outputs", this.dir], {
      workspace: "/nonexistent",
      underNx: options.underNx,
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
      clients: testClients(this.table, this.regions),
      now: () => this.now,
      sleep: async (ms) => {
        this.pauses.push(ms);
        this.apiGateway.advance(ms);
        await this.onPause?.();
      },
    });
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
  }

  restore(): void {
    this.apiGateway.restore();
  }
}

/**
 * Registers the usual jest hooks of a keys test file: one local table for the file, emptied
 * before each test, and a fresh harness each test (its fake API Gateway restored after it).
 * Returns a getter for the current test's harness.
 */
export function useKeysHarness(): () => KeysHarness {
  let table: LocalKeysTable | undefined;
  let keys: KeysHarness;
  beforeAll(async () => {
    table = await LocalKeysTable.start();
  });
  // When start() failed, its error is the one to see: no TypeError from here.
  afterAll(() => table?.stop());
  beforeEach(async () => {
    await table!.clear();
    table!.unreachable.clear();
    keys = new KeysHarness(table!);
  });
  afterEach(() => keys.restore());
  return () => keys;
}

/** Every API key in a text. */
export function apiKeysIn(text: string): string[] {
  return text.match(/pdr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g) ?? [];
}
