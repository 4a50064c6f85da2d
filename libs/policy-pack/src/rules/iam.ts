import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isRedacted, jsonDocument, list, statements, unverifiable } from "../values";

const ADMIN_ACTIONS = ["*", "*:*"];

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

/** Managed policy ARNs a resource attaches. */
function attachedPolicyArns(resource: CheckedResource): PlanValue[] {
  switch (resource.type) {
    case "aws:iam/role:Role":
      return list(resource.inputs.managedPolicyArns);
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
    case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
    case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
    case "aws:iam/policyAttachment:PolicyAttachment":
      return [resource.inputs.policyArn];
    default:
      return [];
  }
}

/**
 * No administrator access: no Allow of every action on every resource, inline or managed, and
 * no AdministratorAccess attachment. Least privilege is each component's job; this is the floor.
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
    if (statements(parsed).some(grantsEverything)) problems.push(`${where} allows Action "*" on Resource "*"`);
  }
  for (const arn of attachedPolicyArns(resource)) {
    if (typeof arn === "string" && /:policy\/AdministratorAccess$/.test(arn)) problems.push(`attaches ${arn}`);
  }
  return problems;
}

function grantsEverything(statement: Record<string, PlanValue>): boolean {
  return statement.Effect === "Allow" && list(statement.Action).some((a) => ADMIN_ACTIONS.includes(a)) && list(statement.Resource).includes("*");
}
