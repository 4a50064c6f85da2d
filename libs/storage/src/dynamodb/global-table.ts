import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** What every global table of the product is given: where it lives, its keys and its copy in the DR region. */
export interface GlobalTableArgs {
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
  /** Protect the table and its replica from deletion. Production: true. @default false */
  deletionProtection?: boolean;
}

/** The settings every global table shares; each table adds its name, key schema and TTL. */
export type GlobalTableSettings = Pick<
  aws.dynamodb.TableArgs,
  "billingMode" | "streamEnabled" | "streamViewType" | "pointInTimeRecovery" | "serverSideEncryption" | "deletionProtectionEnabled" | "replicas"
>;

/**
 * An on-demand global table (version 2019.11.21), encrypted with the region's key, with
 * point-in-time recovery, and its replica in the DR region (DESIGN §5).
 */
export function globalTableSettings(args: GlobalTableArgs): GlobalTableSettings {
  const deletionProtection = args.deletionProtection ?? false;
  return {
    billingMode: "PAY_PER_REQUEST",
    // Replication turns streams on; left implicit, every update would try to turn them off.
    streamEnabled: true,
    streamViewType: "NEW_AND_OLD_IMAGES",
    pointInTimeRecovery: { enabled: true },
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
  };
}
