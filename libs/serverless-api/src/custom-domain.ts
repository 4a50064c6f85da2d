import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** The API's custom domain: the same name in both regions, in an existing public hosted zone. */
export interface CustomDomainArgs {
  /** e.g. `pay.example.com`. */
  name: string;
  /** The public Route 53 zone the name lives in. */
  hostedZoneId: string;
}

/** Where Route 53 alias records for the domain must point in this region. */
export interface CustomDomainTarget {
  /** The domain's regional endpoint (`d-….execute-api.<region>.amazonaws.com`). */
  regionalDomainName: pulumi.Output<string>;
  /** The hosted zone of that endpoint, for the alias record. */
  regionalZoneId: pulumi.Output<string>;
}

/**
 * The custom domain in this region: an ACM certificate validated through DNS, a regional
 * domain name serving it, and the mapping of its root to the stage.
 *
 * This is what DNS failover needs (DESIGN §10): API Gateway routes by the Host header and SNI,
 * so a failover record pointing at the raw `execute-api` hostname of the other region gets a
 * 403 or a certificate mismatch. Each region answers for the same name through its own
 * domain name, and the failover records alias its regional endpoint.
 */
export function createCustomDomain(
  name: string,
  inputs: { domain: CustomDomainArgs; api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; parent: pulumi.Resource },
): CustomDomainTarget {
  const { domain, api, stage, parent } = inputs;
  const opts = { parent };

  const certificate = new aws.acm.Certificate(`${name}-certificate`, { domainName: domain.name, validationMethod: "DNS" }, opts);
  const validationOption = certificate.domainValidationOptions.apply((options) => {
    const option = options.find((o) => o.domainName === domain.name);
    if (!option) throw new Error(`ACM returned no DNS validation record for ${domain.name}`);
    return option;
  });
  // ACM asks for the same CNAME for the same name in every region of the account, so the
  // certificates of both regional stacks share one record: each may (re)write it.
  const validationRecord = new aws.route53.Record(
    `${name}-certificate-validation-record`,
    {
      zoneId: domain.hostedZoneId,
      name: validationOption.resourceRecordName,
      type: validationOption.resourceRecordType,
      records: [validationOption.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    },
    opts,
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
    opts,
  );

  const domainName = new aws.apigateway.DomainName(
    `${name}-domain`,
    {
      domainName: domain.name,
      // The validated ARN: the domain waits until the certificate is issued.
      regionalCertificateArn: validation.certificateArn,
      endpointConfiguration: { types: "REGIONAL" },
      securityPolicy: "TLS_1_2",
    },
    opts,
  );
  new aws.apigateway.BasePathMapping(`${name}-base-path`, { domainName: domainName.domainName, restApi: api.id, stageName: stage.stageName }, opts);

  return { regionalDomainName: domainName.regionalDomainName, regionalZoneId: domainName.regionalZoneId };
}
