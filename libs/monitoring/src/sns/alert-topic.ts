import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { alertTopicPolicy } from "./alert-topic-policy";

/** Arguments of {@link AlertTopic}. */
export interface AlertTopicArgs {
  /** Names the topic, in its region. */
  namer: ResourceNamer;
  /** The region's customer-managed key; its policy must let CloudWatch use it (RegionalKey's does). */
  kmsKeyArn: pulumi.Input<string>;
  /** Subscribed to the topic when set; AWS mails a confirmation link that must be followed. */
  email?: string;
}

/** The encrypted SNS topic that a region's alarms publish to. */
export class AlertTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:monitoring:AlertTopic", name, {}, opts);

    const topic = new aws.sns.Topic(`${name}-topic`, { name: args.namer.regional("snsTopic", "alerts"), kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
    const policy = pulumi
      .all([topic.arn, aws.getCallerIdentityOutput({}, { parent: this }).accountId, aws.getPartitionOutput({}, { parent: this }).partition])
      .apply(([topicArn, accountId, partition]) => JSON.stringify(alertTopicPolicy({ topicArn, accountId, partition })));
    new aws.sns.TopicPolicy(`${name}-policy`, { arn: topic.arn, policy }, { parent: this });
    if (args.email !== undefined) {
      new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.email }, { parent: this });
    }

    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
