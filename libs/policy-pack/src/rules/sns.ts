import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding, StackRule } from "../model";
import { isRedacted, isSet, jsonDocument, list, statements, unverifiable } from "../values";

const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const TOPIC = "aws:sns/topic:Topic";

/**
 * Every SNS topic has a policy that refuses a publish not made over TLS, from everyone (SNS
 * developer guide, security best practices, "Enforce encryption of data in transit"): SNS's
 * default policy has no such refusal, and nothing else makes SNS refuse plain HTTP. A topic's
 * inline `policy` and each TopicPolicy that targets it are judged alike; a topic with neither
 * keeps the default, and fails. A TopicPolicy that targets no topic of the stack is judged too.
 */
export const snsTlsOnly: StackRule = (resources) => {
  const findings: Finding[] = [];
  const topics = resources.filter((r) => r.type === TOPIC);
  // A TopicPolicy on a topic this stack does not create (an ARN from config, another stack or a
  // lookup) is judged on its own, as when the rule was per resource: it escapes no check.
  for (const policy of resources.filter((r) => r.type === TOPIC_POLICY && !topics.some((topic) => targetsTopic(r, topic)))) {
    const problem = tlsProblem(policy.inputs.policy);
    if (problem !== undefined) findings.push({ resource: policy, message: `targets no topic of this stack: ${problem}` });
  }
  for (const topic of topics) {
    const policies = [
      ...(isSet(topic.inputs.policy) ? [{ label: "its inline policy", document: topic.inputs.policy }] : []),
      ...resources.filter((r) => r.type === TOPIC_POLICY && targetsTopic(r, topic)).map((policy) => ({ label: `its TopicPolicy ${policy.name}`, document: policy.inputs.policy })),
    ];
    if (policies.length === 0) findings.push({ resource: topic, message: "no TopicPolicy targets this topic, and it has no inline policy: SNS's default policy does not refuse a publish without TLS" });
    for (const { label, document } of policies) {
      const problem = tlsProblem(document);
      if (problem !== undefined) findings.push({ resource: topic, message: `${label}: ${problem}` });
    }
  }
  return findings;
};

/** A TopicPolicy's `arn` is its topic's: by the value it was given, or by the topic's name at its end. */
function targetsTopic(policy: CheckedResource, topic: CheckedResource): boolean {
  if (policy.inputSources?.arn?.includes(topic.key)) return true;
  const name = topic.inputs.name;
  return isSet(name) && typeof policy.inputs.arn === "string" && policy.inputs.arn.endsWith(`:${name}`);
}

function tlsProblem(policy: PlanValue): string | undefined {
  if (isRedacted(policy)) return unverifiable("the policy");
  const document = jsonDocument(policy);
  if (!document) return "the policy is not a readable JSON document";
  return statements(document).some(deniesPublishWithoutTls) ? undefined : 'no Deny statement for everyone on sns:Publish when "aws:SecureTransport" is "false"';
}

function deniesPublishWithoutTls(statement: Record<string, PlanValue>): boolean {
  const everyone = statement.Principal === "*" || list(statement.Principal?.AWS).includes("*");
  const publish = list(statement.Action).some((action) => ["sns:publish", "sns:*", "*"].includes(String(action).toLowerCase()));
  const insecure = list(statement.Condition?.Bool?.["aws:SecureTransport"]).some((v) => String(v).toLowerCase() === "false");
  return statement.Effect === "Deny" && everyone && publish && insecure;
}
