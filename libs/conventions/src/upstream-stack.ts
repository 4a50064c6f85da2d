import * as pulumi from "@pulumi/pulumi";

/**
 * A StackReference that knows the output types of the stack it reads. A missing output
 * fails the preview with the output's and the stack's names (e.g. when the upstream stack
 * has not been deployed yet).
 */
export class UpstreamStack<T> {
  private readonly ref: pulumi.StackReference;

  constructor(logicalName: string, stackName: string) {
    this.ref = new pulumi.StackReference(logicalName, { name: stackName });
  }

  /**
   * An output of the upstream stack, required to exist: an optional output (such as
   * `customDomainTarget`) is read only where the config says it must be there.
   */
  output<K extends keyof T & string>(key: K): pulumi.Output<NonNullable<T[K]>> {
    return this.ref.requireOutput(key) as pulumi.Output<NonNullable<T[K]>>;
  }

  /** An output that an upstream stack deployed by older code may not have yet: `undefined` then. */
  outputIfDeployed<K extends keyof T & string>(key: K): pulumi.Output<T[K] | undefined> {
    return this.ref.getOutput(key) as pulumi.Output<T[K] | undefined>;
  }
}
