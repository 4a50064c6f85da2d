import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { awsPrincipals, everyoneIn, glob, isRedacted, isSet, jsonDocument, list, pinnedKeys, statements, unverifiable } from "../values";
import { attachesToLambdaRole, mayBelongToLambda } from "./lambda-roles";

/**
 * AWS managed policies that are administrator access or one call from it: IAMFullAccess attaches
 * any policy (AdministratorAccess included) to its holder; PowerUserAccess is everything but IAM.
 */
const ADMIN_MANAGED_POLICIES: readonly string[] = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

/** Actions of several services: an Action pattern matching them all grants every action. */
const SAMPLE_ACTIONS = ["s3:GetObject", "iam:AttachRolePolicy", "kms:Decrypt", "dynamodb:Scan", "secretsmanager:GetSecretValue", "sts:AssumeRole"];
/** IAM actions that give their caller any permission: a pattern matching any of them lets it grant itself more. */
const IAM_ESCALATION_ACTIONS = ["iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey", "iam:PassRole"];
/** Sample ARNs of IAM's own resources, in any account: a Resource pattern that matches one of them reaches every role, policy or user. */
const IAM_RESOURCES = (partition: string) => ["role/any", "policy/any", "user/any"].map((path) => `arn:${partition}:iam::123456789012:${path}`);
/** Resources of several services: a Resource pattern matching them all (`*`, `arn:*`, `arn:aws:*:*:*:*`) is every resource. */
const SAMPLE_RESOURCES = (partition: string) => [
  ...IAM_RESOURCES(partition),
  `arn:${partition}:s3:::any-bucket/any-key`,
  `arn:${partition}:dynamodb:us-east-1:123456789012:table/any`,
  `arn:${partition}:kms:us-east-1:123456789012:key/any`,
];

/** Where each IAM type keeps its permission policy documents. */
export function policyDocuments(resource: CheckedResource): { where: string; document: PlanValue }[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:iam/role:Role":
      return list(inputs.inlinePolicies).map((p, i) => ({ where: `inline policy ${p?.name ?? i}`, document: p?.policy }));
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/userPolicy:UserPolicy":
    case "aws:iam/groupPolicy:GroupPolicy":
    case "aws:iam/policy:Policy":
      return [{ where: "policy", document: inputs.policy }];
    default:
      return [];
  }
}

/** Managed policy ARNs a resource attaches, and to whom when the resource names several holders. */
function attachedPolicyArns(resource: CheckedResource): { arn: PlanValue; to?: string }[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:iam/role:Role":
      return list(inputs.managedPolicyArns).map((arn) => ({ arn }));
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
    case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
    case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
      return [{ arn: inputs.policyArn }];
    case "aws:iam/policyAttachment:PolicyAttachment": {
      const holders = [...list(inputs.roles).map((n) => `role ${n}`), ...list(inputs.users).map((n) => `user ${n}`), ...list(inputs.groups).map((n) => `group ${n}`)];
      return [{ arn: inputs.policyArn, to: holders.join(", ") || undefined }];
    }
    case "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
      return list(inputs.policyArns).map((arn) => ({ arn, to: `role ${inputs.roleName}` }));
    case "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive":
      return list(inputs.policyArns).map((arn) => ({ arn, to: `user ${inputs.userName}` }));
    case "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive":
      return list(inputs.policyArns).map((arn) => ({ arn, to: `group ${inputs.groupName}` }));
    default:
      return [];
  }
}

/**
 * No administrator access: no Allow of every action on every resource, inline or managed, nor of
 * IAM's own actions on IAM's resources (with them a role grants itself the rest), and no AWS
 * managed admin policy attached. `NotAction` and `NotResource` ("everything but …") count as
 * every action and every resource; a Resource counts as every resource when it matches the ARNs
 * of every service (`*`, `arn:*`, `arn:aws:*:*:*:*`). Least privilege is each component's job;
 * this is the floor.
 */
export function iamNoAdmin(resource: CheckedResource): string[] {
  const problems: string[] = [];
  for (const { where, document } of policyDocuments(resource)) {
    if (document === undefined) continue;
    if (isRedacted(document)) {
      problems.push(unverifiable(where));
      continue;
    }
    const parsed = jsonDocument(document);
    if (!parsed) {
      problems.push(`${where} is not a readable JSON policy document`);
      continue;
    }
    for (const grant of statements(parsed).map(adminGrant)) if (grant !== undefined) problems.push(`${where} allows ${grant}`);
  }
  for (const { arn, to } of attachedPolicyArns(resource)) {
    if (isSet(arn) && ADMIN_MANAGED_POLICIES.some((name) => arn.endsWith(`:policy/${name}`))) problems.push(`attaches ${arn}${to ? ` to ${to}` : ""}`);
  }
  return problems;
}

/** What an Action or Resource side of a statement reaches: everything, or IAM's own share of it. */
interface Reach {
  readonly all: boolean;
  readonly text: string;
}

/** The administrator access an Allow statement grants, as text; `undefined` when it grants none. */
function adminGrant(statement: Record<string, PlanValue>): string | undefined {
  if (statement.Effect !== "Allow") return undefined;
  const actions = actionReach(statement);
  const resources = resourceReach(statement);
  if (!actions || !resources) return undefined;
  const grant = `${actions.text} on ${resources.text}`;
  return actions.all && resources.all ? grant : `${grant}: IAM's own actions on its roles and policies, with which it can grant itself any permission`;
}

/** Every action (`*`, `*:*`, a NotAction), or an IAM escalation action (`iam:*`, `iam:AttachRolePolicy`, …); `undefined` for less. */
function actionReach(statement: Record<string, PlanValue>): Reach | undefined {
  if (statement.NotAction !== undefined) return { all: true, text: `every action but ${list(statement.NotAction).join(", ")} (NotAction)` };
  const patterns = list(statement.Action).filter(isSet);
  const every = patterns.find((p) => coversAll(p, SAMPLE_ACTIONS, true));
  if (every !== undefined) return { all: true, text: `Action "${every}"` };
  // One escalation action is enough: iam:AttachRolePolicy alone attaches AdministratorAccess to the role itself.
  const iam = patterns.find((p) => coversAny(p, IAM_ESCALATION_ACTIONS, true));
  return iam === undefined ? undefined : { all: false, text: `Action "${iam}"` };
}

/** Every resource (`*`, `arn:*`, a NotResource), or every IAM role, policy or user; `undefined` for less. */
function resourceReach(statement: Record<string, PlanValue>): Reach | undefined {
  if (statement.NotResource !== undefined) return { all: true, text: `every resource but ${list(statement.NotResource).join(", ")} (NotResource)` };
  const patterns = list(statement.Resource).filter(isSet);
  const every = patterns.find((p) => coversAll(p, SAMPLE_RESOURCES(partitionOf(p)), false));
  if (every !== undefined) return { all: true, text: `Resource "${every}"` };
  // Every role, every policy or every user: an escalation action needs no more.
  const iam = patterns.find((p) => coversAny(p, IAM_RESOURCES(partitionOf(p)), false));
  return iam === undefined ? undefined : { all: false, text: `Resource "${iam}"` };
}

function coversAll(pattern: string, samples: readonly string[], ignoreCase: boolean): boolean {
  const matcher = glob(pattern, ignoreCase);
  return samples.every((sample) => matcher.test(sample));
}

function coversAny(pattern: string, samples: readonly string[], ignoreCase: boolean): boolean {
  const matcher = glob(pattern, ignoreCase);
  return samples.some((sample) => matcher.test(sample));
}

/** The partition an ARN pattern names (`aws`, `aws-cn`, …), `aws` when it names none. */
function partitionOf(pattern: string): string {
  return /^arn:([^:*?]+):/.exec(pattern)?.[1] ?? "aws";
}

/**
 * Action names no AWS service has, differing in their first and last characters: a pattern that
 * matches them after a service's prefix matches every action of that service, present and future.
 */
const UNLISTED_ACTION_NAMES = ["QzxUnlistedAction", "k7"];

/**
 * AWS managed policies named …FullAccess (AmazonDynamoDBFullAccess, AmazonS3FullAccess,
 * CloudWatchFullAccessV2, AWSLambda_FullAccess): each allows every action of its service(s).
 */
const AWS_MANAGED_FULL_ACCESS = /^arn:[\w-]+:iam::aws:policy\/(?:[\w+=,.@-]+\/)*\w*FullAccess\w*$/;

/**
 * No Lambda role's policy allows every action of a service (`dynamodb:*`, `kms:*`, `s3*`, `*`) or
 * uses an Allow with NotAction, which allows every action of every service it does not list. A
 * function's credentials sit in its environment, held by code that parses merchants' requests;
 * `dynamodb:*` on its own table still deletes the table or turns off its point-in-time recovery,
 * and `kms:*` on its key schedules the key's deletion, so neither the Resource nor a condition
 * excuses it. A prefix (`s3:Get*`, `dynamodb:Describe*`) names a family of actions, not the
 * service: it passes here. Which policies are a function's: see {@link mayBelongToLambda}; roles
 * only AWS services assume (replication, flow logs, the scheduler) act as their service does,
 * whatever they are allowed, and are not checked. AWS managed policies attached by ARN are not
 * in the stack: those named …FullAccess are refused by name, the others are not read.
 */
export function lambdaRoleNoServiceWildcard(resources: readonly CheckedResource[]): Finding[] {
  const findings: Finding[] = [];
  for (const resource of resources.filter((r) => attachesToLambdaRole(r, resources))) {
    for (const { arn } of attachedPolicyArns(resource)) {
      if (isSet(arn) && AWS_MANAGED_FULL_ACCESS.test(arn)) findings.push({ resource, message: `attaches ${arn}, an AWS managed policy that allows every action of its service` });
    }
  }
  for (const resource of resources.filter((r) => mayBelongToLambda(r, resources))) {
    for (const { where, document } of policyDocuments(resource)) {
      // An unreadable document is iam-no-admin's finding.
      const parsed = jsonDocument(document);
      if (!parsed) continue;
      for (const grant of statements(parsed).map(serviceWideGrant)) if (grant !== undefined) findings.push({ resource, message: `${where} allows ${grant}` });
    }
  }
  return findings;
}

/** The whole services an Allow statement grants, as text; `undefined` when it names its actions. */
function serviceWideGrant(statement: Record<string, PlanValue>): string | undefined {
  if (statement.Effect !== "Allow") return undefined;
  if (statement.NotAction !== undefined) return `every action but ${list(statement.NotAction).join(", ")} (NotAction): every action of every other service`;
  const wide = list(statement.Action).filter(isSet).filter(coversService);
  return wide.length > 0 ? `${wide.map((p) => `Action "${p}"`).join(", ")}: every action of a service, not the ones the function calls` : undefined;
}

/**
 * The pattern matches every action of some service: the unlisted action names of the service its
 * first part names, wildcards filled in (`dynamodb:*` → `dynamodb:…`, `s3*` → `s3:…`, `*` → `:…`).
 */
function coversService(pattern: string): boolean {
  const service = pattern.split(":")[0].replace(/\*/g, "").replace(/\?/g, "x");
  const matcher = glob(pattern, true);
  return UNLISTED_ACTION_NAMES.every((name) => matcher.test(`${service}:${name}`));
}

/** Trust conditions that pin the caller to an account or organization. */
const ACCOUNT_PINS = ["aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:SourceAccount"];
/** For a named account or principal, the external id a third party must present counts too. */
const CALLER_PINS = [...ACCOUNT_PINS, "sts:ExternalId"];
/** What pins an AWS service to acting for this account's resources (the confused deputy). */
const SOURCE_PINS = ["aws:SourceAccount", "aws:SourceArn"];
/**
 * Services whose roles AWS documents with a bare trust policy, and that it does not say send the
 * source keys when they assume one: a condition on them could stop the service from using its
 * role. API Gateway's account-wide CloudWatch Logs role, S3 replication, ARC Region switch plans.
 */
const SERVICES_WITHOUT_SOURCE_KEYS: readonly string[] = ["apigateway.amazonaws.com", "s3.amazonaws.com", "arc-region-switch.amazonaws.com"];

/**
 * A role's trust policy lets in AWS services acting for this account's resources, or AWS
 * principals pinned by a condition: a service only with a condition on aws:SourceAccount or
 * aws:SourceArn (those of {@link SERVICES_WITHOUT_SOURCE_KEYS} aside), anyone (Principal "*",
 * AWS "*", a NotPrincipal) only with a condition on the caller's account or organization, and a
 * named account or IAM principal only with such a condition or an sts:ExternalId. Neither the synth plan nor the engine tells the pack the stack's own account,
 * so every AWS principal is treated as possibly another account's; a role of this account
 * pins it with aws:PrincipalAccount.
 */
export function iamTrustScoped(resource: CheckedResource): string[] {
  if (resource.type !== "aws:iam/role:Role") return [];
  const trust = resource.inputs.assumeRolePolicy;
  if (trust === undefined) return [];
  if (isRedacted(trust)) return [unverifiable("assumeRolePolicy")];
  const document = jsonDocument(trust);
  if (!document) return ["assumeRolePolicy is not a readable JSON policy document"];
  const problems: string[] = [];
  statements(document).forEach((statement, i) => {
    if (statement.Effect !== "Allow") return;
    const label = `assumeRolePolicy statement ${isSet(statement.Sid) ? statement.Sid : i}`;
    const everyone = everyoneIn(statement);
    if (everyone !== undefined) {
      if (pinnedKeys(statement, ACCOUNT_PINS).length === 0) {
        problems.push(`${label} lets any AWS account assume the role (${everyone}) with no condition on ${ACCOUNT_PINS.join(", ")}`);
      }
      return;
    }
    const services = list(statement.Principal?.Service).filter((p): p is string => isSet(p) && !SERVICES_WITHOUT_SOURCE_KEYS.includes(p));
    if (services.length > 0 && pinnedKeys(statement, SOURCE_PINS).length === 0) {
      problems.push(`${label} lets ${services.join(", ")} assume the role for any account's resources, with no condition on ${SOURCE_PINS.join(", ")}`);
    }
    const principals = awsPrincipals(statement);
    if (principals.length > 0 && pinnedKeys(statement, CALLER_PINS).length === 0) {
      problems.push(`${label} lets ${principals.join(", ")} assume the role with no condition on ${CALLER_PINS.join(", ")} (another account's, for all the pack can tell)`);
    }
  });
  return problems;
}
