// Which IAM policies may be a Lambda function's: the roles Lambda can assume, and the role
// policies and managed policies that belong to them in the stack (by name, ARN or, under the
// engine, property dependency).
import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isSet, jsonDocument, list, statements } from "../values";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
const ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";
const LAMBDA_SERVICE = "lambda.amazonaws.com";

/**
 * Whether the resource's permission policies may be a Lambda function's: false only when every
 * role they belong to is a role of the stack that Lambda cannot assume. A role policy whose role
 * is not in the stack, or a managed policy attached to no role of the stack, may be a function's.
 * A managed policy belongs to the roles of every attachment (RolePolicyAttachment,
 * PolicyAttachment's roles, RolePolicyAttachmentsExclusive) and of the roles' managedPolicyArns.
 * User and group policies are never a function's.
 */
export function mayBelongToLambda(resource: CheckedResource, resources: readonly CheckedResource[]): boolean {
  const roles = resources.filter((r) => r.type === ROLE);
  switch (resource.type) {
    case ROLE:
      return isLambdaRole(resource);
    case ROLE_POLICY: {
      const holders = roles.filter((role) => namesRole(resource.inputs.role, resource.inputSources?.role, role));
      return holders.length === 0 || holders.some(isLambdaRole);
    }
    case POLICY: {
      // Each attachment's role names, with the input they are computed from.
      const attached = resources.flatMap((r): { name: PlanValue; sources?: readonly string[] }[] => {
        if (r.type === ROLE_POLICY_ATTACHMENT && namesPolicy(r.inputs.policyArn, r.inputSources?.policyArn, resource)) return [{ name: r.inputs.role, sources: r.inputSources?.role }];
        if (r.type === POLICY_ATTACHMENT && namesPolicy(r.inputs.policyArn, r.inputSources?.policyArn, resource)) return list(r.inputs.roles).map((name) => ({ name, sources: r.inputSources?.roles }));
        if (r.type === ROLE_POLICY_ATTACHMENTS_EXCLUSIVE && list(r.inputs.policyArns).some((arn) => namesPolicy(arn, r.inputSources?.policyArns, resource))) {
          return [{ name: r.inputs.roleName, sources: r.inputSources?.roleName }];
        }
        return [];
      });
      const holders = [
        ...attached.flatMap(({ name, sources }) => rolesNamed(name, sources, roles)),
        ...roles.filter((role) => list(role.inputs.managedPolicyArns).some((arn) => namesPolicy(arn, role.inputSources?.managedPolicyArns, resource))),
      ];
      return holders.length === 0 || holders.some((role) => role === undefined || isLambdaRole(role));
    }
    default:
      // User and group policies are not a function's.
      return false;
  }
}

/**
 * Whether the resource attaches managed policies to a role that may be a Lambda function's: a
 * Lambda role's own managedPolicyArns, or an attachment to a Lambda role or to a role not in the stack.
 */
export function attachesToLambdaRole(resource: CheckedResource, resources: readonly CheckedResource[]): boolean {
  const roles = resources.filter((r) => r.type === ROLE);
  const mayBeLambda = (name: PlanValue, sources?: readonly string[]) => rolesNamed(name, sources, roles).some((role) => role === undefined || isLambdaRole(role));
  const inputs = resource.inputs;
  switch (resource.type) {
    case ROLE:
      return isLambdaRole(resource);
    case ROLE_POLICY_ATTACHMENT:
      return mayBeLambda(inputs.role, resource.inputSources?.role);
    case POLICY_ATTACHMENT:
      return list(inputs.roles).some((name) => mayBeLambda(name, resource.inputSources?.roles));
    case ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
      return mayBeLambda(inputs.roleName, resource.inputSources?.roleName);
    default:
      return false;
  }
}

/**
 * The roles of the stack that a role name (or ARN) among an attachment's stands for, `[undefined]`
 * for a role not in the stack. A list's dependencies are the whole list's: they do not say which
 * name is which role. A name is the role it names; failing that, it may be any role its input is
 * computed from.
 */
function rolesNamed(name: PlanValue, sources: readonly string[] | undefined, roles: readonly CheckedResource[]): (CheckedResource | undefined)[] {
  const named = roles.filter((role) => namesRole(name, undefined, role));
  const held = named.length > 0 ? named : roles.filter((role) => namesRole(name, sources, role));
  return held.length > 0 ? held : [undefined];
}

/** Lambda may assume the role: its trust policy allows the lambda.amazonaws.com service. */
function isLambdaRole(role: CheckedResource): boolean {
  const trust = jsonDocument(role.inputs.assumeRolePolicy);
  return trust !== undefined && statements(trust).some((s) => s.Effect === "Allow" && list(s.Principal?.Service).includes(LAMBDA_SERVICE));
}

/** `value` (a role name or ARN) is computed from the role, or is its name or ARN. */
function namesRole(value: PlanValue, sources: readonly string[] | undefined, role: CheckedResource): boolean {
  if (sources?.includes(role.key)) return true;
  const name = role.inputs.name;
  return isSet(value) && isSet(name) && (value === name || value === role.inputs.arn || value.endsWith(`:role/${name}`));
}

/** `value` (a policy ARN) is computed from the policy, or is its ARN. */
function namesPolicy(value: PlanValue, sources: readonly string[] | undefined, policy: CheckedResource): boolean {
  if (sources?.includes(policy.key)) return true;
  const name = policy.inputs.name;
  return isSet(value) && isSet(name) && (value === policy.inputs.arn || (value.includes(":policy/") && value.endsWith(`/${name}`)));
}
