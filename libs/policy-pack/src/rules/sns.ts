import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isRedacted, isSet, jsonDocument, list, statements, unverifiable } from "../values";

const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const TOPIC = "aws:sns/topic:Topic";

/**
 * Every SNS topic policy refuses a publish not made over TLS, from everyone (SNS developer guide,
 * security best practices, "Enforce encryption of data in transit"): a topic policy replaces the
 * default one, and nothing else makes SNS refuse plain HTTP. A topic's inline `policy` is judged
 * the same way when it has one.
 */
export function snsTlsOnly(resource: CheckedResource): string[] {
  const field = resource.type === TOPIC_POLICY ? "policy" : resource.type === TOPIC && isSet(resource.inputs.policy) ? "policy" : undefined;
  if (field === undefined) return [];
  if (isRedacted(resource.inputs[field])) return [unverifiable("the policy")];
  const document = jsonDocument(resource.inputs[field]);
  if (!document) return ["the policy is not a readable JSON document"];
  return statements(document).some(deniesPublishWithoutTls) ? [] : ['no Deny statement for everyone on sns:Publish when "aws:SecureTransport" is "false"'];
}

function deniesPublishWithoutTls(statement: Record<string, PlanValue>): boolean {
  const everyone = statement.Principal === "*" || list(statement.Principal?.AWS).includes("*");
  const publish = list(statement.Action).some((action) => ["sns:publish", "sns:*", "*"].includes(String(action).toLowerCase()));
  const insecure = list(statement.Condition?.Bool?.["aws:SecureTransport"]).some((v) => String(v).toLowerCase() === "false");
  return statement.Effect === "Deny" && everyone && publish && insecure;
}
