import type { Runtime } from "../app/runtime";
import type { Reply } from "../http/response";

/** GET /health: 200 when this region can serve its role, 503 otherwise. Says nothing more than that. */
export async function healthHandler(runtime: Runtime): Promise<Reply> {
  const { healthy, role } = await runtime.health.status();
  if (!healthy) runtime.metrics.count("HealthCheckFailed");
  return { status: healthy ? 200 : 503, body: { status: healthy ? "ok" : "unavailable", role } };
}
