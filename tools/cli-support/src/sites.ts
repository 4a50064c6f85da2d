import { RefusedError } from "./errors";

/**
 * The region a command-line option names, as both CLIs take it: a region name, or `primary` /
 * `dr` for the region that stack deployed. Any other name is refused, with this deployment's two.
 */
export function siteNamed<T extends { region: string }>(name: string, sites: { primary: T; dr: T }, option: string): T {
  if (name === "primary") return sites.primary;
  if (name === "dr") return sites.dr;
  const site = [sites.primary, sites.dr].find((s) => s.region === name);
  if (!site) throw new RefusedError(`${option} ${name} is not one of this deployment's regions (${sites.primary.region}, ${sites.dr.region})`);
  return site;
}
