import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host, InitError, type InvokeOutcome } from "./container";
import { ContainerPool } from "./pool";

// A function whose module-scope state shows which instance ran it, and which can be made to
// wait, fail or take its host thread down.
const FUNCTION = `
const instance = Math.random().toString(36).slice(2);
let invocations = 0;
exports.handler = async (event, context) => {
  invocations++;
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.throw) throw new RangeError(event.throw);
  if (event.exit) process.exit(3);
  const { platform } = await import("node:os");
  return { instance, invocations, mode: process.env.MODE, platform: platform(), stream: context.logStreamName };
};
`;

/** Long enough for every invocation here, except where a test sets a shorter one. */
const TIMEOUT_MS = 5000;
let dir: string;
const pools: ContainerPool[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pool-"));
  writeFileSync(join(dir, "function.js"), FUNCTION);
  writeFileSync(join(dir, "broken.js"), `if (!process.env.TABLE) throw new Error("TABLE is required"); exports.handler = async () => 1;`);
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startPool(size: number, threads: number, timeoutMs = TIMEOUT_MS): Promise<ContainerPool> {
  const pool = new ContainerPool({ modulePath: join(dir, "function.js"), env: { MODE: "local" }, size, threads, timeoutMs });
  pools.push(pool);
  await pool.start();
  return pool;
}

type Answer = { instance: string; invocations: number; mode: string; platform: string; stream: string };
const answer = (outcome: InvokeOutcome | { kind: string }) => (outcome as { result: Answer }).result;

describe("ContainerPool", () => {
  it("spreads its containers over its threads, each container its own module instance with the function's environment", async () => {
    const pool = await startPool(4, 2);
    expect(pool.stats()).toMatchObject({ size: 4, containers: 4, threads: 2, busy: 0 });
    // Four at once: every container serves one, each counting its own first invocation.
    const answers = (await Promise.all(Array.from({ length: 4 }, () => pool.invoke({ sleepMs: 50 })))).map(answer);
    expect(new Set(answers.map((one) => one.instance)).size).toBe(4);
    expect(answers.map((one) => one.invocations)).toEqual([1, 1, 1, 1]);
    expect(new Set(answers.map((one) => one.stream.split("/")[1])).size).toBe(2);
    expect(answers[0]).toMatchObject({ mode: "local", platform: process.platform });
  });

  it("defaults to one thread per container up to the vCPUs", async () => {
    const pool = new ContainerPool({ modulePath: join(dir, "function.js"), env: {}, size: 1, timeoutMs: TIMEOUT_MS });
    pools.push(pool);
    await pool.start();
    expect(pool.stats()).toMatchObject({ containers: 1, threads: 1 });
  });

  it("answers a handler's error as failed, and the container keeps serving", async () => {
    const pool = await startPool(1, 1);
    expect(await pool.invoke({ throw: "no" })).toEqual({ kind: "failed", error: { name: "RangeError", message: "no" } });
    expect(answer(await pool.invoke({})).invocations).toBe(2);
  });

  it("stops a timed-out container with the others on its host; the next request starts a new one", async () => {
    const pool = await startPool(2, 1, 1000);
    const slow = pool.invoke({ sleepMs: 3000 });
    // Started 500 ms later, it is still within its own budget when the slow one's ends (and its host stops).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sibling = pool.invoke({ sleepMs: 2000 });
    expect(await slow).toEqual({ kind: "timeout" });
    expect(await sibling).toMatchObject({ kind: "crashed", error: { name: "Exit" } });
    expect(pool.stats()).toMatchObject({ containers: 0, busy: 0 });
    const fresh = await pool.invoke({});
    expect(answer(fresh).invocations).toBe(1);
    expect(pool.stats()).toMatchObject({ containers: 1, threads: 1 });
  });

  it("reports an exit as a crash and recovers on the next request", async () => {
    const pool = await startPool(1, 1);
    expect(await pool.invoke({ exit: true })).toMatchObject({ kind: "crashed", error: { name: "Exit" } });
    expect(pool.stats()).toMatchObject({ containers: 0, threads: 0, busy: 0 });
    expect(answer(await pool.invoke({})).invocations).toBe(1);
  });

  it("skips an idle container that stopped with its host (a sibling's crash) and starts a new one for the next request", async () => {
    const pool = await startPool(2, 1);
    expect(await pool.invoke({ exit: true })).toMatchObject({ kind: "crashed" });
    expect(pool.stats()).toMatchObject({ containers: 0, threads: 0 });
    // The sibling was idle on the stopped host: handing it the request would fail it.
    expect(await pool.invoke({})).toMatchObject({ kind: "result", result: { invocations: 1 } });
    expect(pool.stats()).toMatchObject({ containers: 1, threads: 1 });
  });

  it("stops a host whose only container failed its init: what the init started does not linger", async () => {
    const host = Host.start({ modulePath: join(dir, "broken.js"), env: {} });
    await expect(host.load()).rejects.toThrow(/TABLE is required/);
    expect(host.isAlive).toBe(false);
  });

  it("refuses to start when the module fails its init, with the module's message", async () => {
    const pool = new ContainerPool({ modulePath: join(dir, "broken.js"), env: {}, size: 2, timeoutMs: TIMEOUT_MS });
    await expect(pool.start()).rejects.toThrow(InitError);
    await expect(new ContainerPool({ modulePath: join(dir, "broken.js"), env: {}, size: 1, timeoutMs: TIMEOUT_MS }).start()).rejects.toThrow(/TABLE is required/);
  });
});
