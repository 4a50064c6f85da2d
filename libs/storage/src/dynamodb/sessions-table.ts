import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SESSION_KEY_ATTRIBUTE, SESSION_TTL_ATTRIBUTE } from "@payments-dr/payment-lambda";
import { globalTableSettings, type GlobalTableArgs } from "./global-table";

/** Arguments of {@link SessionsTable}. */
export type SessionsTableArgs = GlobalTableArgs;

/**
 * The DynamoDB global table holding session state, replicated to the DR region (DESIGN §5).
 * Session state only: the payment system of record is Aurora.
 */
export class SessionsTable extends pulumi.ComponentResource {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: SessionsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:SessionsTable", name, {}, opts);

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.namer.global("dynamodbTable", "sessions"),
        // The payment function's key: it writes and reads `payment#<id>` items by it.
        hashKey: SESSION_KEY_ATTRIBUTE,
        attributes: [{ name: SESSION_KEY_ATTRIBUTE, type: "S" }],
        // The attribute the payment function writes each item's expiry in.
        ttl: { attributeName: SESSION_TTL_ATTRIBUTE, enabled: true },
        ...globalTableSettings(args),
      },
      { parent: this },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
