import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { SESSION_KEY_ATTRIBUTE } from "@payments-dr/payment-lambda";
import { toSessionItem } from "@payments-dr/payment-lambda/testing";
import { FAKE_AWS_CREDENTIALS, startDynalite, type LocalDynamoDbServer } from "@payments-dr/testing";
import { DR, HOME } from "./deployment";

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
