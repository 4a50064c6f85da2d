import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { keyPolicyJson } from "./key-policy";

/** Days a deleted key waits before it is gone: the shortest AWS allows, since nothing is retained (DESIGN §4). */
export const KEY_DELETION_WINDOW_DAYS = 7;

/** Arguments of {@link RegionalKey}. */
export interface RegionalKeyArgs {
  /** Names the key's alias, in the key's region. */
  namer: ResourceNamer;
  /** Shown in the KMS console. */
  description: string;
  /** Create a multi-region primary key, so a {@link RegionalKeyReplica} can copy it to another region. @default false */
  multiRegion?: boolean;
}

/** The customer-managed KMS key of one region, with rotation on and an alias. */
export class RegionalKey extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: RegionalKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:RegionalKey", name, {}, opts);
    const multiRegion = args.multiRegion ?? false;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
        multiRegion,
        policy: keyPolicyJson(this),
      },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.namer.regional("kmsAlias", "data")}`, targetKeyId: key.keyId }, { parent: this });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId });
  }
}
