import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, ConfigReader, type StackContext } from "@payments-dr/conventions";

/** The config key that lets a DR stack deployed before 1fdf6b3 update without the check below. */
export const VALIDATION_RECORD_MIGRATION_KEY = "validationRecordMigration";

/**
 * Refuses, before any resource changes, to update a DR stack that may still hold the certificate's
 * DNS validation record in its state: with a custom domain and deployed before 1fdf6b3 (when
 * primary-region became the record's only owner), this program no longer declares it, so a plain
 * update deletes the CNAME from Route 53 and primary-region's certificate silently fails to renew.
 * Such a stack exports a custom domain and no `createTimeConfig` (exported since ed25c4d). A stack
 * deployed between the two holds no record: the same key lets it through.
 */
export function checkValidationRecordMoved(deployed: { customDomainTarget: unknown; createTimeConfig: unknown }, migrating: boolean, stack: string): void {
  if (migrating || deployed.customDomainTarget === undefined || deployed.createTimeConfig !== undefined) return;
  throw new ConfigError(
    VALIDATION_RECORD_MIGRATION_KEY,
    `stack ${stack} was deployed with a custom domain before primary-region owned the certificate's DNS validation record, ` +
      `so it may still hold that record: a plain update would delete it from Route 53 and the certificate would fail to renew. ` +
      `Follow docs/runbook.md "Upgrading: the certificate validation record moves to primary-region (once)", ` +
      `with ${CONFIG_NAMESPACE}:${VALIDATION_RECORD_MIGRATION_KEY} set to "true" in Pulumi.${stack}.yaml for that update (or if the stack was deployed after 1fdf6b3).`,
  );
}

/** Adds {@link checkValidationRecordMoved} to the checks the providers wait for (with a custom domain only). */
export function guardValidationRecordUpgrade(ctx: StackContext): void {
  if (!ctx.config.domain) return;
  const migrating = new ConfigReader().boolean(VALIDATION_RECORD_MIGRATION_KEY, false);
  const deployed = pulumi.all([ctx.deployedOutput("customDomainTarget"), ctx.deployedOutput("createTimeConfig")]);
  ctx.checkBeforeResources(
    deployed.apply(([customDomainTarget, createTimeConfig]) => checkValidationRecordMoved({ customDomainTarget, createTimeConfig }, migrating, ctx.config.stack)),
  );
}
