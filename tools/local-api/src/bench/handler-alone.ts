import { spawn } from "node:child_process";
import { Client } from "pg";
import { WORKSPACE_ROOT } from "../paths";
import { directPaymentEvent } from "./direct-event";

/**
 * Run in a fresh process: loads the bundle, invokes the handler `warm` times, says so on stderr
 * (MEASURING), then times `count` sequential invocations (each with its own Idempotency-Key) and
 * reports on stderr, after a marker.
 */
const PROBE = `
const [bundle, eventJson, warm, count] = process.argv.slice(1);
const { handler } = require(bundle);
const template = JSON.parse(eventJson);
let n = 0;
const next = () => {
  const event = structuredClone(template);
  const key = "alone-" + n++;
  event.headers["Idempotency-Key"] = key;
  event.multiValueHeaders["Idempotency-Key"] = [key];
  return event;
};
(async () => {
  for (let i = 0; i < Number(warm); i++) await handler(next());
  process.stderr.write("\\nMEASURING\\n");
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < Number(count); i++) {
    const result = await handler(next());
    if (result.statusCode !== 201) throw new Error("status " + result.statusCode + ": " + result.body);
  }
  const used = process.cpuUsage(cpu);
  process.stderr.write("\\nRESULT " + JSON.stringify({ elapsedMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }) + "\\n");
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** What {@link measureHandlerAlone} found. */
export interface HandlerAloneResult {
  payments: number;
  perSecond: number;
  /** CPU ms per payment of the process running the handler (handler + pg client + its logs). */
  cpuMsPerPayment: number;
  /** CPU ms per payment of the PostgreSQL server, over the timed invocations only. */
  postgresCpuMsPerPayment: number;
}

/**
 * Waits until the handler's backends (application_name payments-…) have exited, and a moment for
 * the postmaster to reap them: a backend's CPU counts in the postmaster's only once reaped (read
 * before, the figure once came out at 0.04 ms per payment).
 */
async function handlerBackendsGone(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let i = 0; ; i++) {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'payments-%'");
      if (rows[0]?.n === 0) break;
      if (i === 100) throw new Error("the handler's PostgreSQL backend was still there 5 s after its process exited: its CPU cannot be read");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/**
 * The handler without the adapter and without the authorizer: the bundle in a process of its
 * own, invoked directly with the adapter's event for POST /payments carrying the authorizer
 * context of `keyId` (as API Gateway passes it after a cached allow), one payment at a time,
 * against `databaseUrl`. API_KEYS_TABLE is unset: no lastUsedAt write, no AWS SDK.
 */
export function measureHandlerAlone(
  apiBundle: string,
  databaseUrl: string,
  postgresCpuS: () => number,
  run: { keyId: string; logLevel: string; warm: number; count: number },
): Promise<HandlerAloneResult> {
  const { keyId, logLevel, warm, count } = run;
  const event = directPaymentEvent(keyId);
  const env = { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl, REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: logLevel };
  const child = spawn(process.execPath, ["-e", PROBE, apiBundle, JSON.stringify(event), String(warm), String(count)], { cwd: WORKSPACE_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  // Its logs are read and dropped, as the bench does with the adapter's.
  child.stdout.resume();
  let stderr = "";
  let postgresAtStart: number | undefined;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
    if (postgresAtStart === undefined && stderr.includes("\nMEASURING\n")) postgresAtStart = postgresCpuS();
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const line = /RESULT (\{.*\})/.exec(stderr)?.[1];
      if (code !== 0 || !line || postgresAtStart === undefined) return reject(new Error(`the handler-alone probe failed (exit ${code}): ${stderr.slice(-2000)}`));
      const { elapsedMs, cpuMs } = JSON.parse(line) as { elapsedMs: number; cpuMs: number };
      const start = postgresAtStart;
      handlerBackendsGone(databaseUrl).then(
        () => resolve({ payments: count, perSecond: count / (elapsedMs / 1000), cpuMsPerPayment: cpuMs / count, postgresCpuMsPerPayment: ((postgresCpuS() - start) * 1000) / count }),
        reject,
      );
    });
  });
}
