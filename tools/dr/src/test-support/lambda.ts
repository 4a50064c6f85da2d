import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { DR, HOME } from "./deployment";
import type { FakeWorld } from "./fake-world";

/** What Lambda keeps unreserved in an account's region (PutFunctionConcurrency refuses to reserve into it). */
const UNRESERVED_MINIMUM = 100;

/** One deployed function: its reserved concurrency (undefined: none) and its tags. */
export interface FakeFunction {
  region: string;
  reserved: number | undefined;
  tags: Record<string, string>;
}

/** Each region's payment and /health functions as the stacks deploy them (README's defaults: 50 and 5). */
export function deployedFunctions(world: FakeWorld): Record<string, FakeFunction> {
  const functions: Record<string, FakeFunction> = {};
  for (const [region, out] of [
    [HOME, world.outputs.primary],
    [DR, world.outputs.dr],
  ] as const) {
    functions[out.lambdaName] = { region, reserved: 50, tags: { "payments-dr:stack": region === HOME ? "primary-region" : "dr-region" } };
    functions[out.healthLambdaName] = { region, reserved: 5, tags: { "payments-dr:stack": region === HOME ? "primary-region" : "dr-region" } };
  }
  return functions;
}

/** Lambda's concurrency and tagging API over {@link FakeWorld.functions}: by name (concurrency) or ARN (tags), in the function's own region only. */
export function fakeLambda(world: FakeWorld): AwsClientStub<LambdaClient> {
  const lambda = mockClient(LambdaClient);
  const byName = (name: unknown, region: string): FakeFunction => {
    const fn = world.functions[String(name)];
    if (!fn || fn.region !== region) throw Object.assign(new Error(`Function not found: ${String(name)}`), { name: "ResourceNotFoundException" });
    return fn;
  };
  const byArn = (arn: unknown, region: string): FakeFunction => {
    const match = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)$/.exec(String(arn));
    if (!match || match[1] !== region || match[2] !== "123456789012") throw Object.assign(new Error(`Invalid ARN: ${String(arn)}`), { name: "InvalidParameterValueException" });
    return byName(match[3], region);
  };
  lambda.on(GetFunctionConcurrencyCommand).callsFake(
    world.serve("lambda", "GetFunctionConcurrency", (input, region) => {
      const { reserved } = byName(input.FunctionName, region);
      return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
    }),
  );
  lambda.on(PutFunctionConcurrencyCommand).callsFake(
    world.serve("lambda", "PutFunctionConcurrency", (input, region) => {
      const fn = byName(input.FunctionName, region);
      // As AWS: the region's reservations must leave at least 100 of the account's concurrency unreserved.
      const others = Object.values(world.functions).filter((f) => f.region === region && f !== fn).reduce((sum, f) => sum + (f.reserved ?? 0), 0);
      if (others + (input.ReservedConcurrentExecutions as number) > world.lambdaConcurrencyLimit - UNRESERVED_MINIMUM) {
        throw Object.assign(new Error(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${UNRESERVED_MINIMUM}].`), {
          name: "InvalidParameterValueException",
        });
      }
      fn.reserved = input.ReservedConcurrentExecutions as number;
      return { ReservedConcurrentExecutions: input.ReservedConcurrentExecutions };
    }),
  );
  lambda.on(DeleteFunctionConcurrencyCommand).callsFake(
    world.serve("lambda", "DeleteFunctionConcurrency", (input, region) => {
      byName(input.FunctionName, region).reserved = undefined;
      return {};
    }),
  );
  lambda.on(ListTagsCommand).callsFake(world.serve("lambda", "ListTags", (input, region) => ({ Tags: { ...byArn(input.Resource, region).tags } })));
  lambda.on(TagResourceCommand).callsFake(
    world.serve("lambda", "TagResource", (input, region) => {
      Object.assign(byArn(input.Resource, region).tags, input.Tags);
      return {};
    }),
  );
  lambda.on(UntagResourceCommand).callsFake(
    world.serve("lambda", "UntagResource", (input, region) => {
      const fn = byArn(input.Resource, region);
      for (const key of input.TagKeys as string[]) delete fn.tags[key];
      return {};
    }),
  );
  return lambda;
}
