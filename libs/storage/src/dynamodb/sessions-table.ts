import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** Arguments of {@link SessionsTable}. */
export interface SessionsTableArgs {
  /** Names the table; the name is global (the same in every region). */
  namer: ResourceNamer;
  /** This region's customer-managed key. */
  kmsKeyArn: pulumi.Input<string>;
  /** The DR region's copy of the table. */
  replica: {
    /** e.g. `us-east-2`. */
    region: string;
    /** A key in the replica's region (e.g. the primary key's multi-region replica). */
    kmsKeyArn: pulumi.Input<string>;
  };
  /** Attribute holding each item's expiry, in epoch seconds. @default "expiresAt" */
  ttlAttribute?: string;
  /** Protect the table and its replica from deletion. Production: true. @default false */
  deletionProtection?: boolean;
}

/**
 * The DynamoDB global table (version 2019.11.21) holding session state, replicated to the DR
 * region (DESIGN §5). Session state only: the payment system of record is Aurora.
 */
export class SessionsTable extends pulumi.ComponentResource {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: SessionsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:SessionsTable", name, {}, opts);
    const ttlAttribute = args.ttlAttribute ?? "expiresAt";
    const deletionProtection = args.deletionProtection ?? false;

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.namer.global("dynamodbTable", "sessions"),
        billingMode: "PAY_PER_REQUEST",
        hashKey: "sessionId",
        attributes: [{ name: "sessionId", type: "S" }],
        // Replication turns streams on; left implicit, every update would try to turn them off.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        pointInTimeRecovery: { enabled: true },
        ttl: { attributeName: ttlAttribute, enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        deletionProtectionEnabled: deletionProtection,
        // Each replica is encrypted with a key of its own region and has its own PITR: set both
        // from day one, since changing a replica's key later recreates the replica.
        replicas: [
          {
            regionName: args.replica.region,
            kmsKeyArn: args.replica.kmsKeyArn,
            pointInTimeRecovery: true,
            propagateTags: true,
            deletionProtectionEnabled: deletionProtection,
          },
        ],
      },
      { parent: this },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
