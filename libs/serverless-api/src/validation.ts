import { invalid } from "@payments-dr/conventions";

// Arguments that AWS would reject, or that would break the API under load, stop the preview with
// one line naming the component and the argument (`invalid`), instead of failing halfway through a deploy.
export { invalid };

/** An integer within [min, max], or a preview-time error naming the argument and why. */
export function requireInteger(where: string, arg: string, value: number, min: number, max: number, why = ""): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(where, `${arg} ${value} must be an integer from ${min} to ${max}${why ? `: ${why}` : ""}.`);
  }
}
