import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { built, LOCAL_API_DIST } from "../paths";
import { BENCH_MERCHANT } from "./load";

/** The local API as its own process (`serve.js`), so that its memory is its own. */
export interface ServingProcess {
  readonly url: string;
  /** The API key serve.js created for {@link BENCH_MERCHANT} and printed at start-up. */
  readonly apiKey: string;
  readonly pid: number;
  /** Resident set size now, in bytes (Linux /proc). */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

const STARTED = /payments API on (http:\/\/127\.0\.0\.1:\d+)/;
/** The start-up line that holds the API key (serve.ts startHint). */
const API_KEY_LINE = /export PDR_API_KEY=(pdr_[0-9a-f]{16}_[A-Za-z0-9_-]+)/;

/**
 * Starts `serve.js --port 0 --concurrency N --merchant <bench merchant> --quiet` against
 * `databaseUrl`, sessions off (its dynalite holds only the keys table), the authorizer cache at its default TTL.
 */
export function startServing(concurrency: number, databaseUrl: string, logLevel: string): Promise<ServingProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, POWERTOOLS_LOG_LEVEL: logLevel };
  delete env.SESSIONS_TABLE;
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn(process.execPath, [built(join(LOCAL_API_DIST, "serve.js"), "local-api"), "--port", "0", "--concurrency", String(concurrency), "--merchant", BENCH_MERCHANT, "--quiet"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const pid = child.pid ?? -1;
  const serving = (url: string, apiKey: string): ServingProcess => ({
    url,
    apiKey,
    pid,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  });

  return new Promise((resolve, reject) => {
    let ready = false;
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve.js did not start within 30 s:\n${stderr}`));
    }, 30_000);
    // The handler's logs follow the start line; they are read and dropped so the pipe never fills.
    child.stdout.on("data", (chunk: Buffer) => {
      if (ready) return;
      buffered += chunk.toString();
      const url = STARTED.exec(buffered)?.[1];
      const apiKey = API_KEY_LINE.exec(buffered)?.[1];
      if (!url || !apiKey) return;
      ready = true;
      clearTimeout(timer);
      resolve(serving(url, apiKey));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.js exited with code ${code} before it was ready:\n${stderr}`));
    });
  });
}
