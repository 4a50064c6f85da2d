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
