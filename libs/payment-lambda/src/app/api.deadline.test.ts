import type { Context } from "aws-lambda";
import type { HealthStatus } from "../health/health-check";
import { getHealth } from "../test-support/events";
import { testApi, testSettings, type TestApi } from "../test-support/runtime";
import { RESPONSE_MARGIN_MS } from "./api";

// The handler's own deadline (RESPONSE_MARGIN_MS before Lambda's): the route's work is stood in for
// by a /health check that answers when told to, so the deadline is the only thing under test.
describe("the request's deadline", () => {
  let api: TestApi;
  beforeEach(() => {
    // Never connected: the health check below does not reach the database.
    api = testApi(testSettings("postgres://unused@127.0.0.1:9/payments"));
  });
  afterEach(() => api.close());

  const BUDGET_MS = 200;
  const context = { getRemainingTimeInMillis: () => RESPONSE_MARGIN_MS + BUDGET_MS } as unknown as Context;
  const healthAnswersAfter = (ms: number) =>
    jest.spyOn(api.runtime.health, "status").mockImplementation(() => new Promise<HealthStatus>((resolve) => setTimeout(() => resolve({ healthy: true, role: "primary" }), ms)));

  // A payment whose COMMIT was answered as the deadline struck is committed: it is answered as such,
  // not as a 503 that would make the client doubt it.
  it("work that ends shortly after the deadline (while the interrupted work unwinds) is answered as it ended", async () => {
    healthAnswersAfter(BUDGET_MS + 100);
    const interrupt = jest.spyOn(api.runtime.db, "interrupt");
    const response = await api.handler(getHealth(), context);
    expect(interrupt).toHaveBeenCalledWith("deadline");
    expect(response.statusCode).toBe(200);
    expect(api.metrics.counts.DatabaseUnavailable).toBeUndefined();
  });

  it("work still running once it has had its time to unwind → 503 + Retry-After, without waiting for it", async () => {
    healthAnswersAfter(BUDGET_MS + 2000);
    const started = Date.now();
    const response = await api.handler(getHealth(), context);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 1000);
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ "Retry-After": "2" });
    expect(api.metrics.counts.DatabaseUnavailable).toBe(1);
  });
});
