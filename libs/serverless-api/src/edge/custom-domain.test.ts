import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Plan } from "@payments-dr/synth";
import { API_GATEWAY_REGIONAL_ZONE_IDS } from "@payments-dr/synth";
import type { CustomDomainArgs } from "./custom-domain";
import { ServerlessApi } from "../serverless-api";
import { apiArgs, PRIMARY, synthInRegion } from "../synth-fixture.testing";
import type { ValidationRecord } from "./validation-record";

/** The arguments of every DomainName created: which resources its certificate ARN waits for is visible only on them. */
const mockDomainNameArgs: { regionalCertificateArn?: pulumi.Input<string> }[] = [];
jest.mock("@pulumi/aws/apigateway/domainName", () => {
  const actual = jest.requireActual("@pulumi/aws/apigateway/domainName");
  class DomainName extends actual.DomainName {
    constructor(name: string, args: { regionalCertificateArn?: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
      super(name, args, opts);
      mockDomainNameArgs.push(args);
    }
  }
  return { ...actual, DomainName };
});

const DR = "us-east-2";
const DOMAIN = { name: "pay.example.com", hostedZoneId: "Z0123456789ABC" };
const CERTIFICATE = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const DOMAIN_NAME = "aws:apigateway/domainName:DomainName";
const MAPPING = "aws:apigateway/basePathMapping:BasePathMapping";
const DOMAIN_TYPES = [CERTIFICATE, VALIDATION, RECORD, DOMAIN_NAME, MAPPING];

function synthWithDomain(region: string, domain: CustomDomainArgs = DOMAIN): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const api = new ServerlessApi("api", apiArgs(namer, { domain, regionRole: region === PRIMARY ? "primary" : "dr" }), { provider });
    return {
      apiId: api.apiId,
      apiUrl: api.apiUrl,
      customDomainTarget: api.customDomainTarget,
      customDomainZoneId: api.customDomainZoneId,
      certificateValidationRecord: api.certificateValidationRecord,
    };
  }, region);
}

/** The DR region's API, relying on the validation record the primary region's stack exports. */
function synthDr(ownersRecord: ValidationRecord): Promise<Plan> {
  return synthWithDomain(DR, { ...DOMAIN, validationRecord: { mode: "existing", record: ownersRecord } });
}

describe("ServerlessApi custom domain", () => {
  let primary: Plan;
  let dr: Plan;
  let exported: ValidationRecord;
  beforeAll(async () => {
    // One at a time: the mock runtime is global.
    primary = await synthWithDomain(PRIMARY);
    exported = primary.outputs.certificateValidationRecord;
    dr = await synthDr(exported);
  });

  it("requests a DNS-validated certificate for the name in each region", () => {
    for (const plan of [primary, dr]) {
      expect(plan.one(CERTIFICATE).inputs).toEqual({ domainName: "pay.example.com", validationMethod: "DNS" });
      expect(plan.one(CERTIFICATE).region).toBe(plan.one(DOMAIN_NAME).region);
    }
  });

  it("the primary region owns the one validation record: creates it in the hosted zone under its old name, and exports it", () => {
    const [record] = primary.ofType(RECORD);
    expect(primary.ofType(RECORD)).toHaveLength(1);
    // The logical name of earlier releases: existing primary stacks keep the record they hold.
    expect(record.name).toBe("api-certificate-validation-record");
    // No allowOverwrite: the primary creates the record, it never takes over someone else's.
    expect(record.inputs).toEqual({ zoneId: DOMAIN.hostedZoneId, name: exported.name, type: "CNAME", records: [exported.value], ttl: 300 });
    expect(exported.name).toMatch(/^_[0-9a-f]+\.pay\.example\.com\.$/);
    expect(exported.value).toMatch(/\.acm-validations\.aws\.$/);
    expect(primary.one(VALIDATION).inputs.validationRecordFqdns).toEqual([exported.name.replace(/\.$/, "")]);
  });

  it("the DR region creates no validation record, so destroying it never deletes the primary's; its certificate waits for that record by FQDN", () => {
    expect(dr.ofType(RECORD)).toEqual([]);
    expect(dr.one(VALIDATION).inputs).toEqual({ certificateArn: dr.one(VALIDATION).inputs.certificateArn, validationRecordFqdns: [exported.name.replace(/\.$/, "")] });
    expect(dr.one(VALIDATION).inputs.certificateArn).toMatch(/^arn:aws:acm:us-east-2:/);
    expect(dr.one(DOMAIN_NAME).inputs.regionalCertificateArn).toBe(dr.one(VALIDATION).inputs.certificateArn);
    expect(dr.outputs).not.toHaveProperty("certificateValidationRecord");
  });

  it("accepts the owner's record without its trailing dots or in upper case: Route 53 names are case-insensitive", async () => {
    const relaxed = { type: "CNAME", name: exported.name.replace(/\.$/, "").toUpperCase(), value: exported.value.replace(/\.$/, "") };
    expect((await synthDr(relaxed)).one(VALIDATION).inputs.validationRecordFqdns).toEqual([exported.name.replace(/\.$/, "")]);
  });

  it("stops the DR region when its certificate asks for another record than the owner exports (e.g. another AWS account)", async () => {
    const otherAccount = { type: "CNAME", name: "_0123456789abcdef0123456789abcdef.pay.example.com.", value: "_fedcba.xlfgrmvvlj.acm-validations.aws." };
    await expect(synthDr(otherAccount)).rejects.toThrow(
      /ServerlessApi "api": the certificate for pay\.example\.com in this region asks for the DNS validation record "CNAME _[0-9a-f]+\.pay\.example\.com\. → [^"]+", but the stack that owns that record exports "CNAME _0123456789abcdef0123456789abcdef\.pay\.example\.com\. → [^"]+"\. ACM asks for the same record only for the same name in the same AWS account/,
    );
  });

  it("stops the DR region when the owner's record has the same name but another value: the certificate would wait for a record ACM never sees", async () => {
    const otherValue = { ...exported, value: "_fedcba9876543210.xlfgrmvvlj.acm-validations.aws." };
    await expect(synthDr(otherValue)).rejects.toThrow(/ServerlessApi "api": the certificate for pay\.example\.com in this region asks for the DNS validation record/);
  });

  it("serves the name from a regional TLS 1.2 domain with the validated certificate, mapped to the stage", () => {
    const validation = primary.one(VALIDATION).inputs;
    expect(validation.validationRecordFqdns).toEqual([primary.one(RECORD).inputs.name.replace(/\.$/, "")]);
    expect(primary.one(DOMAIN_NAME).inputs).toEqual({
      domainName: "pay.example.com",
      regionalCertificateArn: validation.certificateArn,
      endpointConfiguration: { types: "REGIONAL" },
      securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06",
      endpointAccessMode: "STRICT",
    });
    expect(primary.one(MAPPING).inputs).toEqual({ domainName: "pay.example.com", restApi: primary.outputs.apiId, stageName: "v1" });
  });

  it("creates each region's domain only once its certificate is issued: the certificate ARN it takes comes from the validation", () => {
    expect(mockDomainNameArgs.length).toBeGreaterThanOrEqual(2);
    for (const args of mockDomainNameArgs) {
      // Output.resources() is what Pulumi makes the domain depend on (internal, but the only way to see it under mocks).
      const waitsFor = [...(args.regionalCertificateArn as unknown as { resources(): Set<unknown> }).resources()];
      expect(waitsFor.some((resource) => aws.acm.CertificateValidation.isInstance(resource))).toBe(true);
    }
  });

  it("pitfall: failover record pointing at an execute-api hostname — customDomainTarget is the domain's regional endpoint, never the API's hostname", () => {
    for (const [plan, region] of [[primary, PRIMARY], [dr, DR]] as const) {
      const { customDomainTarget, customDomainZoneId, apiId, apiUrl } = plan.outputs;
      // API Gateway routes by Host/SNI: only the custom domain's endpoint answers for pay.example.com.
      expect(customDomainTarget).toMatch(new RegExp(`^d-[a-z0-9]+\\.execute-api\\.${region}\\.amazonaws\\.com$`));
      expect(customDomainTarget).not.toContain(apiId);
      expect(apiUrl).not.toContain(customDomainTarget);
      expect(customDomainZoneId).toBe(API_GATEWAY_REGIONAL_ZONE_IDS[region]);
    }
    expect(primary.outputs.customDomainTarget).not.toBe(dr.outputs.customDomainTarget);
  });

  it("creates no certificate, record, domain or mapping without a domain, and exports no target or validation record", async () => {
    const plain = await synthInRegion(({ provider, namer }) => {
      const api = new ServerlessApi("api", apiArgs(namer), { provider });
      return {
        customDomainTarget: api.customDomainTarget,
        customDomainZoneId: api.customDomainZoneId,
        certificateValidationRecord: api.certificateValidationRecord,
        apiId: api.apiId,
      };
    });
    for (const type of DOMAIN_TYPES) expect(plain.ofType(type)).toEqual([]);
    expect(Object.keys(plain.outputs)).toEqual(["apiId"]);
  });

  it("parents the domain's resources to the component", () => {
    for (const type of DOMAIN_TYPES) expect(primary.one(type).parent).toBe("api");
    for (const type of DOMAIN_TYPES.filter((t) => t !== RECORD)) expect(dr.one(type).parent).toBe("api");
  });
});
