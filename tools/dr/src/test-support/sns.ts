import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import type { FakeWorld } from "./fake-world";

/** One subscription of an alert topic, as a test sets it up. */
export interface FakeSubscription {
  protocol: string;
  endpoint: string;
  /**
   * Absent: confirmed with --authenticate-on-unsubscribe true. `deleted`: unsubscribed, still listed.
   * `pending-listed`: listed with its ARN, its attributes saying PendingConfirmation. `confirmed-unstated`:
   * confirmed, its attributes without ConfirmationWasAuthenticated.
   */
  state?: "pending" | "pending-listed" | "confirmed-unauthenticated" | "confirmed-unstated" | "deleted";
}

/**
 * The alert topics' subscriptions (`world.alertSubscriptions`, by topic ARN). As SNS answers:
 * ListSubscriptionsByTopic names an unconfirmed subscription `PendingConfirmation` in place of its
 * ARN, and an unsubscribed one `Deleted`, in pages; GetSubscriptionAttributes takes only a real
 * subscription ARN.
 */
export function fakeSns(world: FakeWorld): AwsClientStub<SNSClient> {
  const sns = mockClient(SNSClient);
  const arnOf = (topicArn: string, index: number) => `${topicArn}:0000000${index}-aaaa-bbbb-cccc-dddddddddddd`;
  sns.on(ListSubscriptionsByTopicCommand).callsFake(
    world.serve("sns", "ListSubscriptionsByTopic", (input) => {
      const topicArn = input.TopicArn as string;
      const all = world.alertSubscriptions[topicArn];
      if (!all) throw Object.assign(new Error("Topic does not exist"), { name: "NotFoundException" });
      const start = Number(input.NextToken ?? 0);
      const page = all.slice(start, start + world.subscriptionPageSize);
      const next = start + page.length;
      return {
        Subscriptions: page.map((s, i) => ({
          SubscriptionArn: s.state === "pending" ? "PendingConfirmation" : s.state === "deleted" ? "Deleted" : arnOf(topicArn, start + i),
          Owner: "123456789012",
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          TopicArn: topicArn,
        })),
        NextToken: next < all.length ? String(next) : undefined,
      };
    }),
  );
  sns.on(GetSubscriptionAttributesCommand).callsFake(
    world.serve("sns", "GetSubscriptionAttributes", (input) => {
      const arn = input.SubscriptionArn as string;
      for (const [topicArn, subscriptions] of Object.entries(world.alertSubscriptions)) {
        const index = subscriptions.findIndex((_, i) => arnOf(topicArn, i) === arn);
        const found = subscriptions[index];
        if (found && found.state !== "pending" && found.state !== "deleted") {
          const attributes: Record<string, string> = { SubscriptionArn: arn, TopicArn: topicArn, PendingConfirmation: String(found.state === "pending-listed") };
          if (found.state !== "confirmed-unstated") attributes.ConfirmationWasAuthenticated = String(found.state !== "confirmed-unauthenticated" && found.state !== "pending-listed");
          return { Attributes: attributes };
        }
      }
      throw Object.assign(new Error("Subscription does not exist"), { name: "NotFoundException" });
    }),
  );
  return sns;
}
