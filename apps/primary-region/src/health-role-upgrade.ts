import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "@payments-dr/conventions";

/**
 * Whether this stack's `/health` function may still connect as the app role: the stack was
 * deployed (it exports `createTimeConfig`) and its last deploy did not record `/health` on the
 * health role (`dbHealthSecretName`, exported only once that function runs with the health
 * secret). Its migrate run then leaves the app role its heartbeat grant: the run comes before the
 * `/health` function's update to the health secret, which may take a minute, and a `/health`
 * failing meanwhile would fail the primary over. The deploy after that takes the grant away (the
 * run's input changes, so it runs again). A first deploy has no old `/health`: false.
 */
export function healthStillOnAppRole(ctx: StackContext): pulumi.Output<boolean> {
  return pulumi
    .all([ctx.deployedOutput("createTimeConfig"), ctx.deployedOutput("dbHealthSecretName")])
    .apply(([createTimeConfig, healthSecretName]) => createTimeConfig !== undefined && healthSecretName === undefined);
}
