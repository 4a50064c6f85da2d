import { checkValidationRecordMoved } from "./validation-record-upgrade";

// The decision alone; index.test.ts shows the program refusing through it before any resource.
describe("checkValidationRecordMoved", () => {
  const before1fdf6b3 = { customDomainTarget: "d-abc123.execute-api.us-east-2.amazonaws.com", createTimeConfig: undefined };

  it("refuses a stack deployed with a domain and without createTimeConfig (it may hold the record), naming the key and the runbook step", () => {
    expect(() => checkValidationRecordMoved(before1fdf6b3, false, "dev")).toThrow(
      /payments-dr:validationRecordMigration: stack dev was deployed with a custom domain before primary-region owned .*Upgrading: the certificate validation record moves to primary-region \(once\).*Pulumi\.dev\.yaml/,
    );
  });

  it("lets it through while the migration is under way", () => {
    expect(() => checkValidationRecordMoved(before1fdf6b3, true, "dev")).not.toThrow();
  });

  it("lets through a stack deployed since it exports createTimeConfig, one deployed without a domain, and a first deploy", () => {
    expect(() => checkValidationRecordMoved({ ...before1fdf6b3, createTimeConfig: { environmentSuffix: "dev" } }, false, "dev")).not.toThrow();
    expect(() => checkValidationRecordMoved({ customDomainTarget: undefined, createTimeConfig: { environmentSuffix: "dev" } }, false, "dev")).not.toThrow();
    expect(() => checkValidationRecordMoved({ customDomainTarget: undefined, createTimeConfig: undefined }, false, "dev")).not.toThrow();
  });
});
