import * as pulumi from "@pulumi/pulumi";

/** The config namespace shared by the three stacks: `pulumi config set payments-dr:<key> …`. */
export const CONFIG_NAMESPACE = "payments-dr";

/**
 * Bad arguments of a component, found while the program runs: `where` names the component
 * (`Type "name"`). Thrown as a `RunError`, so the preview prints the message alone.
 */
export function invalid(where: string, problem: string): never {
  throw new pulumi.RunError(`${where}: ${problem}`);
}

/**
 * Bad stack configuration. A `RunError` prints as one clear message at preview time,
 * without a stack trace, and the program stops before any resource is registered.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Invalid stack config ${CONFIG_NAMESPACE}:${key}: ${problem}`);
    this.name = "ConfigError";
  }
}
