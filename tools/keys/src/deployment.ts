import { siteNamed } from "@payments-dr/cli-support";
import type { KeysOutputs } from "./outputs";

/** One region's API, as its stack describes it. */
export interface Site {
  region: string;
  stack: "primary-region" | "dr-region";
  /** The REST API and its stage: `revoke` flushes that stage's authorizer cache. */
  apiId: string;
  apiStage: string;
  /** The REST API's name: the merchants' usage keys are named after it. */
  apiName: string;
  /** The usage plan with the per-merchant limits. */
  usagePlanId: string;
}

/** The two regions and the keys table (a global table: the same name in both). */
export class Deployment {
  readonly primary: Site;
  readonly dr: Site;
  readonly tableName: string;

  constructor(outputs: KeysOutputs) {
    this.primary = { region: outputs.primary.region, stack: "primary-region", ...api(outputs.primary) };
    this.dr = { region: outputs.dr.region, stack: "dr-region", ...api(outputs.dr) };
    this.tableName = outputs.primary.apiKeysTableName;
  }

  get sites(): Site[] {
    return [this.primary, this.dr];
  }

  /** `--region`: a region name, or `primary` / `dr`; default the primary-region stack's region. */
  resolve(region: string | undefined): Site {
    return region === undefined ? this.primary : siteNamed(region, this, "--region");
  }
}

/** What a site says of its regional stack's API. */
function api(outputs: KeysOutputs["dr"]): Pick<Site, "apiId" | "apiStage" | "apiName" | "usagePlanId"> {
  return { apiId: outputs.apiId, apiStage: outputs.apiStage, apiName: outputs.apiName, usagePlanId: outputs.usagePlanId };
}
