import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { validateCertificate, type ValidationRecord, type ValidationRecordOwnership } from "./validation-record";
import { API_TLS } from "./tls-policy";

/** The API's custom domain: the same name in both regions, in an existing public hosted zone. */
export interface CustomDomainArgs {
  /** e.g. `pay.example.com`. */
  name: string;
  /** The public Route 53 zone the name lives in. */
  hostedZoneId: string;
  /**
   * Which stack owns the certificate's DNS validation record (one record serves both regions):
   * the primary region creates it, the DR region passes `{ mode: "existing", record }` with the
   * record the primary exports.
   * @default { mode: "create" }
   */
  validationRecord?: ValidationRecordOwnership;
}

/** Where Route 53 alias records for the domain must point in this region. */
export interface CustomDomainTarget {
  /** The domain's regional endpoint (`d-….execute-api.<region>.amazonaws.com`). */
  regionalDomainName: pulumi.Output<string>;
  /** The hosted zone of that endpoint, for the alias record. */
  regionalZoneId: pulumi.Output<string>;
  /** This region's certificate of the domain. */
  certificateArn: pulumi.Output<string>;
  /** The certificate's validation record, where this stack owns it. */
  ownedValidationRecord?: pulumi.Output<ValidationRecord>;
}

/**
 * The custom domain in this region: an ACM certificate validated through DNS (through the one
 * validation record both regions' certificates share), a regional domain name serving it, and
 * the mapping of its root to the stage.
 *
 * This is what DNS failover needs (DESIGN §10): API Gateway routes by the Host header and SNI,
 * so a failover record pointing at the raw `execute-api` hostname of the other region gets a
 * 403 or a certificate mismatch. Each region answers for the same name through its own
 * domain name, and the failover records alias its regional endpoint.
 */
export function createCustomDomain(
  name: string,
  inputs: { domain: Required<CustomDomainArgs>; api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; parent: pulumi.Resource },
): CustomDomainTarget {
  const { domain, api, stage, parent } = inputs;
  const opts = { parent };

  const certificate = new aws.acm.Certificate(`${name}-certificate`, { domainName: domain.name, validationMethod: "DNS" }, opts);
  const validated = validateCertificate(name, {
    certificate,
    domainName: domain.name,
    hostedZoneId: domain.hostedZoneId,
    ownership: domain.validationRecord,
    parent,
  });

  const domainName = new aws.apigateway.DomainName(
    `${name}-domain`,
    {
      domainName: domain.name,
      // The validated ARN: the domain waits until the certificate is issued.
      regionalCertificateArn: validated.certificateArn,
      endpointConfiguration: { types: "REGIONAL" },
      ...API_TLS,
    },
    opts,
  );
  new aws.apigateway.BasePathMapping(`${name}-base-path`, { domainName: domainName.domainName, restApi: api.id, stageName: stage.stageName }, opts);

  return {
    regionalDomainName: domainName.regionalDomainName,
    regionalZoneId: domainName.regionalZoneId,
    certificateArn: certificate.arn,
    ownedValidationRecord: validated.ownedRecord,
  };
}
