import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { dashboardBody } from "./dashboard-body";
import type { DashboardInput } from "./dashboard-types";

/** A value whose strings may still be unknown while the program runs (e.g. stack outputs). */
type Inputs<T> = T extends string ? pulumi.Input<string> : T extends (infer U)[] ? Inputs<U>[] : { [K in keyof T]: Inputs<T[K]> };

/** Arguments of {@link CrossRegionDashboard}: the resources of {@link DashboardInput}, as inputs. */
export interface CrossRegionDashboardArgs extends Inputs<DashboardInput> {
  /** Names the dashboard, in the region of the component's provider. */
  namer: ResourceNamer;
}

/**
 * A CloudWatch dashboard showing both regions, created in the region of its provider. The
 * global stack creates one in each region, so the region that survives an outage still has one.
 */
export class CrossRegionDashboard extends pulumi.ComponentResource {
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: CrossRegionDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:monitoring:CrossRegionDashboard", name, {}, opts);
    const { namer, ...resources } = args;
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: namer.regional("display", "dashboard"),
        dashboardBody: pulumi.output(resources).apply((input) => JSON.stringify(dashboardBody(input))),
      },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
