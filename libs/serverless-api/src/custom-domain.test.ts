import type { Plan } from "@payments-dr/synth";
import { API_GATEWAY_REGIONAL_ZONE_IDS } from "@payments-dr/synth";
import { ServerlessApi } from "./serverless-api";
import { apiArgs, PRIMARY, synthInRegion } from "./synth-fixture.testing";


const DOMAIN = { name: "pay.example.com", hostedZoneId: "Z0123456789ABC" };
const CERTIFICATE = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const DOMAIN_NAME = "aws:apigateway/domainName:DomainName";
const MAPPING = "aws:apigateway/basePathMapping:BasePathMapping";
const DOMAIN_TYPES = [CERTIFICATE, VALIDATION, RECORD, DOMAIN_NAME, MAPPING];

function synthWithDomain(region: string, domain = DOMAIN): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const api = new ServerlessApi("api", apiArgs(namer, { domain, regionRole: region === PRIMARY ? "primary" : "dr" }), { provider });
    return { apiId: api.apiId, apiUrl: api.apiUrl, customDomainTarget: api.customDomainTarget, customDomainZoneId: api.customDomainZoneId };
  }, region);
}

describe("ServerlessApi custom domain", () => {
  let primary: Plan;
  let dr: Plan;
  beforeAll(async () => {
    // One at a time: the mock runtime is global.
    primary = await synthWithDomain("us-east-1");
    dr = await synthWithDomain("us-east-2");
  });

  it("requests a DNS-validated certificate for the name in each region", () => {
    for (const plan of [primary, dr]) {
      expect(plan.one(CERTIFICATE).inputs).toEqual({ domainName: "pay.example.com", validationMethod: "DNS" });
      expect(plan.one(CERTIFICATE).region).toBe(plan.one(DOMAIN_NAME).region);
    }
  });

  it("writes the validation record into the hosted zone, overwriting the other region's identical record", () => {
    const records = [primary, dr].map((plan) => plan.one(RECORD).inputs);
    for (const record of records) {
      expect(record).toMatchObject({ zoneId: DOMAIN.hostedZoneId, type: "CNAME", ttl: 300, allowOverwrite: true });
      expect(record.name).toMatch(/^_[0-9a-f]+\.pay\.example\.com\.$/);
      expect(record.records).toEqual([expect.stringMatching(/\.acm-validations\.aws\.$/)]);
    }
    // Both regions' stacks manage the same record: without allowOverwrite the second fails.
    expect(records[0].name).toBe(records[1].name);
  });

  it("serves the name from a regional TLS 1.2 domain with the validated certificate, mapped to the stage", () => {
    const validation = primary.one(VALIDATION).inputs;
    expect(validation.validationRecordFqdns).toEqual([primary.one(RECORD).inputs.name.replace(/\.$/, "")]);
    expect(primary.one(DOMAIN_NAME).inputs).toEqual({
      domainName: "pay.example.com",
      regionalCertificateArn: validation.certificateArn,
      endpointConfiguration: { types: "REGIONAL" },
      securityPolicy: "TLS_1_2",
    });
    expect(primary.one(MAPPING).inputs).toEqual({ domainName: "pay.example.com", restApi: primary.outputs.apiId, stageName: "v1" });
  });

  it("pitfall: failover record pointing at an execute-api hostname — customDomainTarget is the domain's regional endpoint, never the API's hostname", () => {
    for (const [plan, region] of [[primary, "us-east-1"], [dr, "us-east-2"]] as const) {
      const { customDomainTarget, customDomainZoneId, apiId, apiUrl } = plan.outputs;
      // API Gateway routes by Host/SNI: only the custom domain's endpoint answers for pay.example.com.
      expect(customDomainTarget).toMatch(new RegExp(`^d-[a-z0-9]+\\.execute-api\\.${region}\\.amazonaws\\.com$`));
      expect(customDomainTarget).not.toContain(apiId);
      expect(apiUrl).not.toContain(customDomainTarget);
      expect(customDomainZoneId).toBe(API_GATEWAY_REGIONAL_ZONE_IDS[region]);
    }
    expect(primary.outputs.customDomainTarget).not.toBe(dr.outputs.customDomainTarget);
  });

  it("creates no certificate, record, domain or mapping without a domain, and exports no target", async () => {
    const plain = await synthInRegion(({ provider, namer }) => {
      const api = new ServerlessApi("api", apiArgs(namer), { provider });
      return { customDomainTarget: api.customDomainTarget, customDomainZoneId: api.customDomainZoneId, apiId: api.apiId };
    });
    for (const type of DOMAIN_TYPES) expect(plain.ofType(type)).toEqual([]);
    expect(plain.outputs).not.toHaveProperty("customDomainTarget");
    expect(plain.outputs).not.toHaveProperty("customDomainZoneId");
  });

  it("parents the domain's resources to the component", () => {
    for (const type of DOMAIN_TYPES) expect(primary.one(type).parent).toBe("api");
  });
});
