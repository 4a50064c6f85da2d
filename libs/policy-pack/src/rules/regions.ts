import type { CheckedResource, PolicyContext } from "../model";
import { isSet, list } from "../values";

/**
 * Everything lives in the configured primary or DR region: the providers, the resources, and
 * the replicas and sources a resource names in other regions.
 */
export function allowedRegions(resource: CheckedResource, ctx: PolicyContext): string[] {
  if (!resource.custom || !(resource.type.startsWith("aws:") || resource.type === "pulumi:providers:aws")) return [];
  const allowed = [ctx.primaryRegion, ctx.drRegion];
  const inputs = resource.inputs;
  if (resource.region === null) return [`no region: create it through an explicit provider for ${allowed.join(" or ")}`];
  const named: { what: string; region: string }[] = [{ what: "region", region: resource.region }];
  if (isSet(inputs.region) && inputs.region !== resource.region) named.push({ what: "region input", region: inputs.region });
  if (isSet(inputs.sourceRegion)) named.push({ what: "sourceRegion", region: inputs.sourceRegion });
  for (const replica of list(inputs.replicas)) {
    const region = replica?.regionName ?? replica?.region;
    if (isSet(region)) named.push({ what: "replica", region });
  }
  return named.filter(({ region }) => !allowed.includes(region)).map(({ what, region }) => `${what} ${region} is not the primary (${ctx.primaryRegion}) or DR (${ctx.drRegion}) region`);
}
