import type { CheckedResource, PolicyContext } from "../model";

/** The recovery window this policy expects of protected stacks. */
const MIN_RECOVERY_WINDOW_DAYS = 7;

/**
 * Advisory: a protected (production) stack keeps a deleted secret recoverable for a week. Dev
 * stacks may delete at once (0 days), so a destroyed stack can be redeployed under the same names.
 */
export function secretsRecoveryWindow(resource: CheckedResource, ctx: PolicyContext): string[] {
  if (resource.type !== "aws:secretsmanager/secret:Secret" || !ctx.deletionProtection) return [];
  // AWS's default window is 30 days.
  const days = resource.inputs.recoveryWindowInDays ?? 30;
  return typeof days === "number" && days >= MIN_RECOVERY_WINDOW_DAYS ? [] : [`recoveryWindowInDays is ${days} in a stack with deletionProtection`];
}
