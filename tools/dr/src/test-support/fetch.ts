import { GATEWAY_PROBLEMS, gatewayProblemBody } from "@payments-dr/serverless-api/values";
import type { Fetch } from "../http";
import { DR, HOME } from "./deployment";
import type { FakeWorld } from "./fake-world";

export type Route = (init: { method?: string; body?: string; headers?: Record<string, string> }, url: string) => Promise<{ status: number; body: string }>;

/** fetch answering from a table of URL prefix → handler (first match wins); unknown URLs refuse like a dead host. */
export function fakeFetch(routes: Record<string, Route>): Fetch & { urls: string[] } {
  const urls: string[] = [];
  const fn = (async (url: string, init = {}) => {
    urls.push(url);
    const route = Object.entries(routes).find(([prefix]) => url.startsWith(prefix))?.[1];
    if (!route) throw new TypeError(`fetch failed: getaddrinfo ENOTFOUND ${new URL(url).host}`);
    const { status, body } = await route(init, url);
    return { status, text: async () => body };
  }) as Fetch & { urls: string[] };
  fn.urls = urls;
  return fn;
}

export const healthy: Route = async () => ({ status: 200, body: JSON.stringify({ status: "ok", role: "primary" }) });
export const hangs: Route = () => new Promise(() => undefined);
/** An answer that takes `ms` (on jest's fake timers, for the timeouts of the real constants). */
export const answersAfter =
  (ms: number, status: number, body: string): Route =>
  () =>
    new Promise((resolve) => setTimeout(() => resolve({ status, body }), ms));

/**
 * A region's `/health` as the deployed payment function answers it: the primary-region API
 * (REGION_ROLE primary) is 200 only while its cluster holds the writer and 503 otherwise; the
 * dr-region API is 200 while its database answers, read-only or not. A region in `down` does
 * not answer at all; one whose /health function is fenced (reserved concurrency 0) gets API
 * Gateway's 500 for a throttled function, in the DEFAULT_5XX problem the stack configures.
 */
export function regionHealth(world: FakeWorld, region: string): Route {
  return async () => {
    if (world.down.has(region)) throw new TypeError("fetch failed: connect ETIMEDOUT");
    if (world.healthFenced(region)) return { status: 500, body: JSON.stringify(gatewayProblemBody(GATEWAY_PROBLEMS.find((p) => p.responseType === "DEFAULT_5XX")!, "req-1")) };
    if (region === DR) return { status: 200, body: JSON.stringify({ status: "ok", role: "dr" }) };
    const writable = world.writer === HOME && world.status === "available";
    return { status: writable ? 200 : 503, body: JSON.stringify(writable ? { status: "ok", role: "primary" } : { type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) };
  };
}

/** Both regions' APIs up, each /health answering for its role as deployed ({@link regionHealth}). */
export function bothApisUp(world: FakeWorld): Fetch & { urls: string[] } {
  return fakeFetch({ [world.outputs.primary.healthUrl]: world.health(HOME), [world.outputs.dr.healthUrl]: world.health(DR) });
}
