import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { functionScheduleOptions } from "../options";
import { serviceTrustPolicy } from "./trust-policy";

/** Arguments of {@link scheduleFunction}. */
export interface FunctionScheduleArgs {
  namer: ResourceNamer;
  /** The function's role in physical names: the schedule group and schedule take it, the scheduler's role `<role>-sched`. */
  role: string;
  fn: aws.lambda.Function;
  /** An EventBridge Scheduler expression, e.g. `rate(1 hour)`. */
  scheduleExpression: string;
  description: string;
  /** A run that waits longer than this for the function (in Scheduler or in Lambda's queue) is dropped. */
  maxEventAgeSeconds: number;
  /** The event, which may hold Scheduler's context attributes (`<aws.scheduler.scheduled-time>`). @default "{}" */
  input?: string;
}

/**
 * Runs `fn` on a schedule: EventBridge Scheduler invokes it asynchronously, through a role that
 * may invoke this function and nothing else, with Lambda's own retries off (a failed run is not
 * repeated; the next one is due). Children of `parent`, named `<name>-async`, `-schedule-group`,
 * `-scheduler-role`, `-scheduler-invoke` and `-schedule`.
 */
export function scheduleFunction(name: string, args: FunctionScheduleArgs, parent: pulumi.Resource): aws.scheduler.Schedule {
  const { namer, role, fn } = args;
  const parentOpts = { parent };
  const asyncConfig = new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: args.maxEventAgeSeconds },
    parentOpts,
  );

  // Its own schedule group: Scheduler's role trust can name a group, not a schedule, and this
  // group holds this schedule only. Same role as the function's name, whose 64-character
  // limit is the group's and the schedule's too.
  const scheduleName = namer.regional("display", role);
  const group = new aws.scheduler.ScheduleGroup(`${name}-schedule-group`, { name: scheduleName }, parentOpts);
  const schedulerRole = new aws.iam.Role(
    `${name}-scheduler-role`,
    {
      name: namer.regional("iamRole", `${role}-sched`),
      // The group's ARN names the account too (arn:aws:scheduler:<region>:<account>:schedule-group/<name>).
      assumeRolePolicy: group.arn.apply((groupArn) => JSON.stringify(serviceTrustPolicy("scheduler.amazonaws.com", groupArn.split(":")[4]!, groupArn))),
    },
    parentOpts,
  );
  const invokePolicy = new aws.iam.RolePolicy(
    `${name}-scheduler-invoke`,
    {
      role: schedulerRole.id,
      name: namer.regional("iamPolicy", `${role}-invoke`),
      policy: fn.arn.apply((functionArn) => JSON.stringify(invokeFunctionPolicy(functionArn))),
    },
    parentOpts,
  );
  return new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      name: scheduleName,
      groupName: group.name,
      description: args.description,
      scheduleExpression: args.scheduleExpression,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn.arn,
        roleArn: schedulerRole.arn,
        input: args.input ?? "{}",
        // Retries of the delivery to Lambda only; a failed run is not repeated.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: args.maxEventAgeSeconds },
      },
    },
    functionScheduleOptions(parent, [invokePolicy, asyncConfig]),
  );
}

/** The schedule's only permission: invoke the one function. */
function invokeFunctionPolicy(functionArn: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "InvokeFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn }],
  };
}
