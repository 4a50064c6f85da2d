import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { REDACTED } from "./redact";
import { commentedSettings, readStackFiles, upstreamOutputs } from "./stack-files";

function tempDir(files: Record<string, string>): string {
  const dir = scratchDir("stack-files-");
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("readStackFiles", () => {
  it("reads the project name and the stack's config the way the CLI does, redacting encrypted values", () => {
    const dir = tempDir({
      "Pulumi.yaml": "name: dr-region\nruntime: nodejs\n",
      "Pulumi.prod.yaml": [
        "config:",
        "  payments-dr:environmentSuffix: prod",
        "  payments-dr:dbInstanceCount: 2",
        '  pulumi:disable-default-providers: ["aws"]',
        "  payments-dr:alertWebhook:",
        "    secure: AAABAJ0xyz",
        "  localKey: value",
      ].join("\n"),
    });
    expect(readStackFiles(dir, "prod")).toEqual({
      project: "dr-region",
      stack: "prod",
      config: {
        "payments-dr:environmentSuffix": "prod",
        "payments-dr:dbInstanceCount": "2",
        "pulumi:disable-default-providers": '["aws"]',
        "payments-dr:alertWebhook": REDACTED,
        "dr-region:localKey": "value",
      },
      secretKeys: ["payments-dr:alertWebhook"],
    });
  });

  // PULUMI_STACK=<org>/<stack> (Pulumi Cloud, as the wrapper suggests): the CLI reads that stack's
  // config from Pulumi.<stack>.yaml and the program's getStack() is <stack>; synth must see the same.
  it("reads an org-qualified stack's config from Pulumi.<stack>.yaml, as the CLI does", () => {
    const dir = tempDir({
      "Pulumi.yaml": "name: dr-region\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "config:\n  payments-dr:domainName: pay.example.com\n",
    });
    for (const name of ["acme/dev", "acme/dr-region/dev"]) {
      expect(readStackFiles(dir, name)).toEqual({ project: "dr-region", stack: "dev", config: { "payments-dr:domainName": "pay.example.com" }, secretKeys: [] });
    }
  });

  it("runs with no config when the stack has no file yet", () => {
    const dir = tempDir({ "Pulumi.yaml": "name: global\nruntime: nodejs\n" });
    expect(readStackFiles(dir, "dev").config).toEqual({});
  });
});

describe("commentedSettings", () => {
  it("reads the payments-dr settings offered commented out, by short key, with their YAML values as config strings; prose and set keys are not examples", () => {
    const dir = tempDir({
      "Pulumi.yaml": "name: dr-region\nruntime: nodejs\n",
      "Pulumi.dev.yaml": [
        "config:",
        "  # Optional: an address subscribed to the alert topics.",
        "  # payments-dr:alertEmail: oncall@example.com",
        "  payments-dr:dbInstanceCount: \"1\"",
        '  # payments-dr:managedRpoSeconds: "20"',
        "  #payments-dr:alarmThresholds: { api5xxPerMinute: 10 }",
        "  # See payments-dr:drBelowPrimary in the README.",
      ].join("\n"),
    });
    expect(commentedSettings(dir, "acme/dev")).toEqual({ alertEmail: "oncall@example.com", managedRpoSeconds: "20", alarmThresholds: '{"api5xxPerMinute":10}' });
  });
});

describe("upstreamOutputs", () => {
  it("offers each synthesized stack under its default name and under the name config gives it", () => {
    const dir = scratchDir("synth-");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "primary-region.json"), JSON.stringify({ project: "primary-region", stack: "dev", outputs: { vpcId: "vpc-1" } }));
    const upstream = upstreamOutputs(dir, { "payments-dr:primaryStack": "acme/primary-region/dev" });
    expect(upstream).toEqual({
      "organization/primary-region/dev": { vpcId: "vpc-1" },
      "acme/primary-region/dev": { vpcId: "vpc-1" },
    });
  });

  it("offers the DR stack under the name config gives it, and each stack under its own stack name", () => {
    const dir = scratchDir("synth-");
    writeFileSync(path.join(dir, "primary-region.json"), JSON.stringify({ project: "primary-region", stack: "prod", outputs: { vpcId: "vpc-1" } }));
    writeFileSync(path.join(dir, "dr-region.json"), JSON.stringify({ project: "dr-region", stack: "prod", outputs: { vpcId: "vpc-2" } }));
    const upstream = upstreamOutputs(dir, { "payments-dr:drStack": "acme/dr-region/prod" });
    expect(upstream).toEqual({
      "organization/primary-region/prod": { vpcId: "vpc-1" },
      "organization/dr-region/prod": { vpcId: "vpc-2" },
      "acme/dr-region/prod": { vpcId: "vpc-2" },
    });
  });
});

describe("readStackFiles and upstreamOutputs, when something is missing", () => {
  it("refuses a Pulumi.yaml without a project name", () => {
    expect(() => readStackFiles(tempDir({ "Pulumi.yaml": "runtime: nodejs\n" }), "dev")).toThrow(/Pulumi\.yaml has no project name/);
  });

  it("offers no upstream stack before any synth has run (no dist/synth yet)", () => {
    expect(upstreamOutputs(path.join(scratchDir("synth-"), "dist", "synth"), {})).toEqual({});
  });
});
