import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { secretsManagerCredentials } from "./credentials";

const SECRET = { username: "payments_app", password: "s3cret-pw", port: 5432, dbname: "payments" };

/** Secrets Manager's GetSecretValue (AWS JSON 1.1): the first `hangs` requests are never answered. */
async function secretsManager(hangs: number) {
  const requests: { target: string | undefined; body: { SecretId?: string } }[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      requests.push({ target: request.headers["x-amz-target"] as string | undefined, body: JSON.parse(body) });
      if (requests.length <= hangs) return void held.push(response);
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({ SecretString: JSON.stringify(SECRET) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      held.forEach((response) => response.destroy());
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("the DB secret from Secrets Manager", () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  // The secret is read in the first request's cold start: a Secrets Manager that accepts and never
  // answers must cost that request its two short attempts (a 503), not hang it, and the next request
  // must try again rather than be served the cached failure.
  it("gives up on a Secrets Manager that never answers after two 2 s attempts, and fetches again on the next use", async () => {
    const endpoint = await secretsManager(2);
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
    });
    try {
      const credentials = secretsManagerCredentials("payments-db-secret");
      const started = Date.now();
      await expect(credentials.get()).rejects.toThrow();
      const took = Date.now() - started;
      expect(endpoint.requests).toHaveLength(2);
      expect(took).toBeGreaterThanOrEqual(3900);
      // Without its limits the SDK would wait for an answer indefinitely; the slack is for a busy machine.
      expect(took).toBeLessThan(6000);

      expect(await credentials.get()).toEqual(SECRET);
      expect(endpoint.requests).toHaveLength(3);
      expect(endpoint.requests.map((request) => [request.target, request.body.SecretId])).toEqual(Array(3).fill(["secretsmanager.GetSecretValue", "payments-db-secret"]));
    } finally {
      await endpoint.close();
    }
  });
});
