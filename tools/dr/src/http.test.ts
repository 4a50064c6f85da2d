import { checkHealth } from "./http";
import { answersAfter, fakeFetch } from "./test-support";
import { HEALTH_TIMEOUT_MS } from "./thresholds";

afterEach(() => jest.useRealTimers());

it("a /health answering 200 in 5.5 s is healthy, as to Route 53 (4 s to connect, then 2 s to answer): failover must not take it for down", async () => {
  jest.useFakeTimers();
  const url = "https://api.example.com/health";
  const health = checkHealth(fakeFetch({ [url]: answersAfter(5_500, 200, JSON.stringify({ status: "ok", role: "primary" })) }), url, HEALTH_TIMEOUT_MS);
  await jest.advanceTimersByTimeAsync(5_500);
  expect(await health).toMatchObject({ ok: true, httpStatus: 200, role: "primary" });
});

it("only a 200 is healthy, as to Route 53: a redirect, a 403 (WAF) or a 404 is not", async () => {
  const url = "https://api.example.com/health";
  for (const status of [302, 403, 404]) {
    expect(await checkHealth(fakeFetch({ [url]: async () => ({ status, body: "" }) }), url, HEALTH_TIMEOUT_MS)).toMatchObject({ ok: false, httpStatus: status, error: `HTTP ${status}` });
  }
});
