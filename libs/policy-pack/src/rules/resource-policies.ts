import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { everyoneIn, isRedacted, isServicePrincipal, isSet, jsonDocument, list, pinnedKeys, statements, unverifiable } from "../values";

/** Resources whose `policy` input is a resource policy: who outside the account may use the secret, key, topic, table, bucket or queue. */
const RESOURCE_POLICY_TYPES: ReadonlySet<string> = new Set([
  "aws:secretsmanager/secretPolicy:SecretPolicy",
  "aws:secretsmanager/secret:Secret",
  "aws:kms/key:Key",
  "aws:kms/replicaKey:ReplicaKey",
  "aws:kms/keyPolicy:KeyPolicy",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topic:Topic",
  "aws:dynamodb/resourcePolicy:ResourcePolicy",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:sqs/queuePolicy:QueuePolicy",
  // Their policies given inline, on the resource itself.
  "aws:sqs/queue:Queue",
  "aws:s3/bucket:Bucket",
]);

/**
 * Conditions that keep an Allow to everyone inside an account, an organization or one source
 * resource (`kms:CallerAccount` is KMS's own, in its documented "all principals of the account"
 * key policy statement).
 */
const SCOPING_CONDITIONS: readonly string[] = [
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceOrgID",
  "aws:PrincipalAccount",
  "aws:PrincipalOrgID",
  "aws:PrincipalArn",
  "kms:CallerAccount",
  // SNS's own: the console's default topic policy keeps Publish and Subscribe to the owner's account with it.
  "aws:SourceOwner",
];

const GRANT = "aws:kms/grant:Grant";

/**
 * No resource policy opens a secret, key, topic, table, bucket or queue to the world: an Allow to
 * everyone (Principal "*", AWS "*", a NotPrincipal) needs a condition that keeps it to an account,
 * an organization or one source resource. AWS services (Principal Service) are not "everyone".
 * A KMS grant, which works beside the key policy, goes only to a principal of the key's account.
 */
export function noPublicResourcePolicy(resource: CheckedResource): string[] {
  if (resource.type === GRANT) return grantProblems(resource);
  if (!RESOURCE_POLICY_TYPES.has(resource.type)) return [];
  const policy = resource.inputs.policy;
  if (policy === undefined || policy === "") return [];
  if (isRedacted(policy)) return [unverifiable("policy")];
  const document = jsonDocument(policy);
  if (!document) return ["policy is not a readable JSON policy document"];
  const problems: string[] = [];
  statements(document).forEach((statement, i) => {
    const everyone = everyoneIn(statement);
    if (statement.Effect !== "Allow" || everyone === undefined || pinnedKeys(statement, SCOPING_CONDITIONS).length > 0) return;
    const actions = list(statement.Action ?? statement.NotAction).join(", ") || "?";
    problems.push(`policy statement ${isSet(statement.Sid) ? statement.Sid : i} allows ${actions} to everyone (${everyone}) with no condition on ${SCOPING_CONDITIONS.join(", ")}`);
  });
  return problems;
}

/** `arn:<partition>:kms:<region>:<account>:key/<id>`: the key's account. */
const KEY_ARN = /^arn:[^:]+:kms:[^:]*:(\d{12}):key\//;

/**
 * The grantee and the retiring principal are AWS services or principals of the key's own
 * account, which the key's ARN tells (a key id or an alias does not: it is refused, since the
 * grantee cannot be checked against it).
 */
function grantProblems(grant: CheckedResource): string[] {
  const { keyId, operations } = grant.inputs;
  const problems: string[] = [];
  const keyAccount = isSet(keyId) ? KEY_ARN.exec(keyId)?.[1] : undefined;
  const what = list(operations).join(", ") || "?";
  for (const [field, principal] of [["granteePrincipal", grant.inputs.granteePrincipal], ["retiringPrincipal", grant.inputs.retiringPrincipal]] as const) {
    if (principal === undefined || principal === null) continue;
    if (isRedacted(principal)) {
      problems.push(unverifiable(field));
      continue;
    }
    if (isServicePrincipal(principal)) continue;
    const account = accountOf(principal);
    if (keyAccount === undefined) {
      problems.push(`${field} ${principal} (${what}): keyId ${isRedacted(keyId) ? "is redacted" : `${keyId ?? "unset"} is not a key ARN`}, so the grantee cannot be checked against the key's account; pass the key's ARN`);
    } else if (account !== keyAccount) {
      problems.push(`${field} ${principal} (${what}) is not a principal of the key's account ${keyAccount}: another account may use the key`);
    }
  }
  return problems;
}

/** The account of an account id or an IAM ARN (`arn:aws:iam::<account>:…`, `arn:aws:sts::<account>:…`). */
function accountOf(principal: PlanValue): string | undefined {
  if (!isSet(principal)) return undefined;
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}
