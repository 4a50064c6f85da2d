import type { Runtime } from "../app/runtime";
import { regionUnavailable, type Problem } from "../http/problems";
import type { Reply } from "../http/response";

/** GET /health: 200 when this region can serve its role, else a 503 problem. Says nothing more than that. */
export async function healthHandler(runtime: Runtime): Promise<Reply | Problem> {
  const { healthy, role } = await runtime.health.status();
  if (healthy) return { status: 200, body: { status: "ok", role } };
  runtime.metrics.count("HealthCheckFailed");
  return regionUnavailable(role);
}
