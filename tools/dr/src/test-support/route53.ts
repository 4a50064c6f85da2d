import { GetHealthCheckCommand, GetHealthCheckStatusCommand, Route53Client } from "@aws-sdk/client-route-53";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import type { FakeWorld } from "./fake-world";

/** Route 53's health checks: every checker sees the API healthy, just now; enabled and not inverted unless a test says otherwise. */
export function fakeRoute53(world: FakeWorld): AwsClientStub<Route53Client> {
  const route53 = mockClient(Route53Client);
  route53.on(GetHealthCheckStatusCommand).callsFake(
    world.serve("route53", "GetHealthCheckStatus", (input) => {
      // A fenced region's /health answers 500 to every checker.
      const region = input.HealthCheckId === world.outputs.global.primaryHealthCheckId ? world.outputs.primary.region : world.outputs.dr.region;
      const status = world.healthFenced(region) ? "Failure: HTTP Status Code 500, Internal Server Error" : "Success: HTTP Status Code 200, OK";
      return {
        HealthCheckObservations: ["us-east-1", "us-west-1", "eu-west-1", "ap-southeast-1"].map((checker, i) => ({
          Region: checker,
          IPAddress: `15.177.${i}.10`,
          StatusReport: { Status: status, CheckedTime: world.clock.now() },
        })),
      };
    }),
  );
  route53.on(GetHealthCheckCommand).callsFake(
    world.serve("route53", "GetHealthCheck", (input) => ({
      HealthCheck: {
        Id: input.HealthCheckId,
        CallerReference: "pulumi",
        HealthCheckConfig: { Type: "HTTPS", RequestInterval: 10, FailureThreshold: 3, Inverted: world.invertedHealthChecks.has(input.HealthCheckId as string), Disabled: world.disabledHealthChecks.has(input.HealthCheckId as string), EnableSNI: true },
        HealthCheckVersion: 1,
      },
    })),
  );
  return route53;
}
