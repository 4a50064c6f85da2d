import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { startSilentServer } from "@payments-dr/testing";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { AWS_CALL_LIMITS, boundedCredentialChain, perRegion } from "./clients";

describe("perRegion", () => {
  it("creates one client per region, on first use, and hands it out again after", () => {
    const created: string[] = [];
    const client = perRegion((region) => {
      created.push(region);
      return { region };
    });
    expect(created).toEqual([]);
    const first = client("us-east-1");
    expect(client("us-east-1")).toBe(first);
    expect(client("us-east-2")).toEqual({ region: "us-east-2" });
    expect(created).toEqual(["us-east-1", "us-east-2"]);
  });
});

describe("AWS_CALL_LIMITS", () => {
  it("gives up on an endpoint that accepts the connection and never answers (the SDK only warns without throwOnRequestTimeout)", async () => {
    const silent = await startSilentServer();
    // The CLI's handler settings, with a shorter answer time so the test need not wait 2 × 10 s.
    const rds = new RDSClient({
      ...AWS_CALL_LIMITS,
      requestHandler: { ...AWS_CALL_LIMITS.requestHandler, requestTimeout: 300 },
      region: "us-east-2",
      endpoint: silent.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const started = Date.now();
      await expect(rds.send(new DescribeGlobalClustersCommand({}))).rejects.toThrow(/requestTimeout|timed out|timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      rds.destroy();
      await silent.close();
    }
  }, 15_000);

  it("bounds the credential chain's own calls too: an SSO region that never answers fails the command, not holds it", async () => {
    const silent = await startSilentServer();
    // An on-call SSO profile with a valid cached token, its SSO endpoint the silent server.
    const home = scratchDir("sso-home-");
    const startUrl = "https://example.awsapps.com/start";
    mkdirSync(path.join(home, ".aws", "sso", "cache"), { recursive: true });
    writeFileSync(
      path.join(home, ".aws", "sso", "cache", `${createHash("sha1").update(startUrl).digest("hex")}.json`),
      JSON.stringify({ accessToken: "token", expiresAt: new Date(Date.now() + 3_600_000).toISOString(), region: "us-east-1", startUrl }),
    );
    const config = path.join(home, "config");
    writeFileSync(config, `[profile on-call]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = OnCall\n`);
    const saved = { ...process.env };
    for (const name of Object.keys(process.env).filter((n) => n.startsWith("AWS_"))) delete process.env[name];
    Object.assign(process.env, { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"), AWS_PROFILE: "on-call", AWS_ENDPOINT_URL_SSO: silent.url });
    // The CLI's settings, with a shorter answer time so the test need not wait 2 × 10 s.
    const limits = { ...AWS_CALL_LIMITS, requestHandler: { ...AWS_CALL_LIMITS.requestHandler, requestTimeout: 300 } };
    const rds = new RDSClient({ ...limits, credentialDefaultProvider: boundedCredentialChain(limits), region: "us-east-2" });
    try {
      const started = Date.now();
      await expect(rds.send(new DescribeGlobalClustersCommand({}))).rejects.toThrow(/requestTimeout|timed out|timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(silent.connections).toBeGreaterThan(0);
    } finally {
      process.env = saved;
      rds.destroy();
      await silent.close();
    }
  }, 15_000);
});
