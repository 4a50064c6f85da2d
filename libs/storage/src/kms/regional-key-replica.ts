import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { keyDeletionWindowDays } from "./deletion-window";
import { keyPolicyJson } from "./key-policy";

/** Arguments of {@link RegionalKeyReplica}. */
export interface RegionalKeyReplicaArgs {
  /** Names the replica's alias: a namer of the replica's region, not the primary's. */
  namer: ResourceNamer;
  /** ARN of a multi-region {@link RegionalKey} (`multiRegion: true`). */
  primaryKeyArn: pulumi.Input<string>;
  /** Shown in the KMS console. */
  description: string;
  /** The stack's deletion protection: a deleted replica then waits 30 days, not 7, and its policy refuses a shorter window to anyone. @default false */
  deletionProtection?: boolean;
}

/**
 * A replica, in another region, of a multi-region {@link RegionalKey}: it decrypts what the
 * primary encrypted, so replicated data stays readable there. Pass that region's provider in
 * `opts`. Rotation is not set here: it is a shared property of a multi-region key, set on the
 * primary, and the replica follows it.
 */
export class RegionalKeyReplica extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: RegionalKeyReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:RegionalKeyReplica", name, {}, opts);
    const deletionProtection = args.deletionProtection ?? false;

    const key = new aws.kms.ReplicaKey(
      `${name}-key`,
      {
        primaryKeyArn: args.primaryKeyArn,
        description: args.description,
        deletionWindowInDays: keyDeletionWindowDays(deletionProtection),
        // The key policy is not shared between regions: the replica gets its own, for its region.
        policy: keyPolicyJson(this, { deletionProtection }),
      },
      { parent: this },
    );
    // Not "data": the region's own RegionalKey (created by that region's stack) holds that alias.
    new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.namer.regional("kmsAlias", "data-replica")}`, targetKeyId: key.keyId }, { parent: this });

    this.keyArn = key.arn;
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
