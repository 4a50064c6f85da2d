import type * as pulumi from "@pulumi/pulumi";

/** The value of an Output, once it has one (under the mock runtime: a test awaits it). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
