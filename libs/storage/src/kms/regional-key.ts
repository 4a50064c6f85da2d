import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { keyDeletionWindowDays } from "./deletion-window";
import { keyPolicyJson } from "./key-policy";

/** Arguments of {@link RegionalKey}. */
export interface RegionalKeyArgs {
  /** Names the key's alias, in the key's region. */
  namer: ResourceNamer;
  /** Shown in the KMS console. */
  description: string;
  /** Create a multi-region primary key, so a {@link RegionalKeyReplica} can copy it to another region. @default false */
  multiRegion?: boolean;
  /** The stack's deletion protection: a deleted key then waits 30 days, not 7, and its policy refuses a shorter window to anyone. @default false */
  deletionProtection?: boolean;
  /**
   * Leave the key in AWS when the stack is destroyed: set it when the key encrypts a final
   * snapshot the stack keeps (`skipFinalSnapshot: false`), or that snapshot becomes unreadable
   * once the key's deletion window ends. @default false
   */
  retainOnDelete?: boolean;
}

/** The customer-managed KMS key of one region, with rotation on and an alias. */
export class RegionalKey extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: RegionalKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:RegionalKey", name, {}, opts);
    const multiRegion = args.multiRegion ?? false;
    const deletionProtection = args.deletionProtection ?? false;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: keyDeletionWindowDays(deletionProtection),
        multiRegion,
        policy: keyPolicyJson(this, { deletionProtection }),
      },
      { parent: this, retainOnDelete: args.retainOnDelete ?? false },
    );
    new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.namer.regional("kmsAlias", "data")}`, targetKeyId: key.keyId }, { parent: this });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId });
  }
}
