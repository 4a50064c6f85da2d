import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { artifactPath, PAYMENT_LAMBDA_ARTIFACTS } from "./artifacts";

const WORKSPACE = resolve(__dirname, "../../..");

// The stacks find the bundles through it, from a test (apps/<app>/src) and from the bundled program
// Pulumi runs (dist/apps/<app>): both must land on the same workspace-root path.
describe("artifactPath", () => {
  it("resolves an artifact against the nearest folder above that holds nx.json, from source or from a bundle", () => {
    const api = join(WORKSPACE, "dist/libs/payment-lambda/api");
    expect(artifactPath(PAYMENT_LAMBDA_ARTIFACTS.apiDir, join(WORKSPACE, "apps/primary-region/src"))).toBe(api);
    expect(artifactPath(PAYMENT_LAMBDA_ARTIFACTS.apiDir, join(WORKSPACE, "dist/apps/primary-region"))).toBe(api);
    expect(artifactPath(PAYMENT_LAMBDA_ARTIFACTS.sourceMigrationsDir)).toBe(join(WORKSPACE, "libs/payment-lambda/migrations"));
  });

  it("fails outside a workspace naming what it was looking for, rather than pointing a deploy at a wrong folder", () => {
    const outside = mkdtempSync(join(tmpdir(), "no-workspace-"));
    try {
      expect(() => artifactPath(PAYMENT_LAMBDA_ARTIFACTS.migrateDir, outside)).toThrow(`no nx.json above ${outside}: cannot find dist/libs/payment-lambda/migrate`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
