import { messageOf } from "@payments-dr/cli-support";
import { Agent, fetch as undiciFetch } from "undici";
import { HEALTH_TIMEOUT_MS } from "./thresholds";

/** The subset of WHATWG fetch the CLI uses; tests inject a fake. */
export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/**
 * The CLI's fetch: every request on a new connection. A drill sends its payments to the failover
 * domain and must follow Route 53 when the record flips; a kept-alive connection would stay with
 * the region it first reached (the DNS answer is only read when connecting).
 */
const freshConnections = new Agent({ pipelining: 0 });
export const fetchOnFreshConnection: Fetch = (url, init) => undiciFetch(url, { ...init, dispatcher: freshConnections });

export interface HttpResult {
  /** Undefined when no answer came (refused, DNS, TLS, timeout). */
  status?: number;
  body?: string;
  error?: string;
  latencyMs: number;
}

/**
 * One request with a hard deadline: the timer wins even against a fetch that ignores the abort
 * signal, so a region whose API hangs reads as "not answering" instead of hanging the CLI.
 */
export async function request(
  fetchFn: Fetch,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  timeoutMs = HEALTH_TIMEOUT_MS,
): Promise<HttpResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const response = await Promise.race([fetchFn(url, { ...init, signal: controller.signal }), deadline]);
    const body = await Promise.race([response.text(), deadline]);
    return { status: response.status, body, latencyMs: Date.now() - started };
  } catch (error) {
    return { error: messageOf(error), latencyMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthResult {
  url: string;
  ok: boolean;
  httpStatus: number | null;
  /** The role the payment function answered for (its REGION_ROLE), when the answer is its own. */
  role?: string;
  latencyMs: number;
  error?: string;
}

/** GET a region's `/health`: ok only on 200 (stricter than Route 53, which takes any 2xx or 3xx; the payment function answers 200 or 503). */
export async function checkHealth(fetchFn: Fetch, url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthResult> {
  const result = await request(fetchFn, url, { method: "GET" }, timeoutMs);
  const ok = result.status === 200;
  const role = roleIn(result.body);
  const error = result.error ?? (ok ? undefined : `HTTP ${result.status}`);
  return { url, ok, httpStatus: result.status ?? null, ...(role ? { role } : {}), latencyMs: result.latencyMs, ...(error ? { error } : {}) };
}

/** `role` of the payment function's `/health` body; undefined for anything else (a gateway error, HTML). */
function roleIn(body: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? "");
    const role = (parsed as { role?: unknown } | null)?.role;
    return typeof role === "string" ? role : undefined;
  } catch {
    return undefined;
  }
}
