import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_KEYS_TABLE_KEY } from "@payments-dr/api-keys";
import { globalTableSettings, type GlobalTableArgs } from "./global-table";

/** Arguments of {@link ApiKeysTable}. */
export type ApiKeysTableArgs = GlobalTableArgs;

/**
 * The merchants' API keys (salted hashes, never the keys), a DynamoDB global table replicated
 * to the DR region: each region's authorizer reads its own replica, so authentication keeps
 * working while the other region is down. Owned by the primary stack; the DR stack uses the
 * replica, which has the same name. No TTL: a revoked key's record stays, for the audit trail.
 * Besides the keys it holds usage items (`used#…`) and the merchants' usage key reservations
 * (`merchant#…`), under the same hash key: see @payments-dr/api-keys.
 */
export class ApiKeysTable extends pulumi.ComponentResource {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: ApiKeysTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:ApiKeysTable", name, {}, opts);

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.namer.global("dynamodbTable", "api-keys"),
        hashKey: API_KEYS_TABLE_KEY,
        attributes: [{ name: API_KEYS_TABLE_KEY, type: "S" }],
        ...globalTableSettings(args),
      },
      { parent: this },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
