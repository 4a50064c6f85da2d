import { RefusedError } from "./errors";
import { siteNamed } from "./sites";

const sites = { primary: { region: "us-east-1", name: "home" }, dr: { region: "us-east-2", name: "dr" } };

it("takes a region name, or primary / dr for the region that stack deployed", () => {
  expect(siteNamed("primary", sites, "--to")).toBe(sites.primary);
  expect(siteNamed("dr", sites, "--to")).toBe(sites.dr);
  expect(siteNamed("us-east-2", sites, "--to")).toBe(sites.dr);
});

it("refuses any other name, with the option and this deployment's regions", () => {
  expect(() => siteNamed("eu-west-1", sites, "--region")).toThrow(RefusedError);
  expect(() => siteNamed("eu-west-1", sites, "--region")).toThrow("--region eu-west-1 is not one of this deployment's regions (us-east-1, us-east-2)");
});
