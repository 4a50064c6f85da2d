import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PrimaryRegionOutputs } from "@payments-dr/conventions";
import { invalid } from "../validation";

/** The DNS record ACM asks for to validate (and renew) a certificate, as the primary region's stack exports it. */
export type ValidationRecord = NonNullable<PrimaryRegionOutputs["certificateValidationRecord"]>;

/**
 * Which stack owns the certificate's DNS validation record. ACM asks for the same record for a
 * name in every region of an account, so one stack owns it for both regions: if each created
 * it, destroying either stack would delete the record the other's certificate renews with.
 * - `create`: this stack creates the record (and deletes it when destroyed): the primary region;
 * - `existing`: another stack owns it, and `record` is the record as that stack exports it; this
 *   stack's certificate waits for it and never writes or deletes it: the DR region. The preview
 *   stops if this certificate asks for another record (another account, or another name).
 */
export type ValidationRecordOwnership = { mode: "create" } | { mode: "existing"; record: pulumi.Input<ValidationRecord> };

/** A certificate once ACM has issued it. */
export interface ValidatedCertificate {
  /** The certificate's ARN, known only once it is issued. */
  certificateArn: pulumi.Output<string>;
  /** The validation record, where this stack owns it. */
  ownedRecord?: pulumi.Output<ValidationRecord>;
}

/**
 * Validates the certificate through DNS: creates the validation record where this stack owns
 * it, or waits for the owner's after checking it is the one ACM asks for here.
 */
export function validateCertificate(
  name: string,
  inputs: { certificate: aws.acm.Certificate; domainName: string; hostedZoneId: string; ownership: ValidationRecordOwnership; parent: pulumi.Resource },
): ValidatedCertificate {
  const { certificate, domainName, hostedZoneId, ownership, parent } = inputs;
  const requested = requestedRecord(certificate, domainName);

  if (ownership.mode === "create") {
    // No allowOverwrite: existing primary stacks already hold this record under this name, so
    // there is nothing to adopt, and silently taking over someone else's would make two owners again.
    const record = new aws.route53.Record(
      `${name}-certificate-validation-record`,
      { zoneId: hostedZoneId, name: requested.name, type: requested.type, records: [requested.value], ttl: 300 },
      { parent },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent },
    );
    return { certificateArn: validation.certificateArn, ownedRecord: requested };
  }

  const where = `ServerlessApi "${name}"`;
  const checked = pulumi.all([requested, ownership.record]).apply(([ours, owners]) => requireSameRecord(where, domainName, ours, owners));
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    { certificateArn: certificate.arn, validationRecordFqdns: [checked.apply((record) => fqdnOf(record.name))] },
    { parent },
  );
  return { certificateArn: validation.certificateArn };
}

/** The record ACM asks for to validate `domainName` on this certificate. */
function requestedRecord(certificate: aws.acm.Certificate, domainName: string): pulumi.Output<ValidationRecord> {
  return certificate.domainValidationOptions.apply((options) => {
    const option = options.find((o) => o.domainName === domainName);
    if (!option) throw new pulumi.RunError(`ACM returned no DNS validation record for ${domainName}`);
    return { name: option.resourceRecordName, type: option.resourceRecordType, value: option.resourceRecordValue };
  });
}

/**
 * The record this region's certificate asks for, if it is the one the owning stack exports:
 * otherwise the certificate would wait for a record nobody creates, and never be issued or renewed.
 */
function requireSameRecord(where: string, domainName: string, ours: ValidationRecord, owners: ValidationRecord): ValidationRecord {
  const same = ours.type === owners.type && fqdnOf(ours.name) === fqdnOf(owners.name) && fqdnOf(ours.value) === fqdnOf(owners.value);
  if (!same) {
    invalid(
      where,
      `the certificate for ${domainName} in this region asks for the DNS validation record ${describe(ours)}, ` +
        `but the stack that owns that record exports ${describe(owners)}. ACM asks for the same record only for the same ` +
        "name in the same AWS account: deploy both regional stacks to one account, with the same domainName.",
    );
  }
  return ours;
}

/** A DNS name as Route 53 reports it: lowercase, without the trailing dot. */
function fqdnOf(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

function describe(record: ValidationRecord): string {
  return `"${record.type} ${record.name} → ${record.value}"`;
}
