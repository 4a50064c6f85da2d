import { merchantIdProblem } from "@payments-dr/api-keys";
import { parseArgs } from "node:util";
import { API_DEFAULTS, API_TIMEOUT_SECONDS } from "@payments-dr/conventions/values";

/** A bad command line: the message says what to pass instead. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A whole number in [min, max], from an option's text. */
export function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(text);
}

/** The merchant of the key created at start-up unless `--merchant` names another (also the benchmark's). */
export const DEFAULT_MERCHANT = "merchant-42";
/** The authorizer cache TTL unless `--auth-cache-ttl` says otherwise: the stack's default (authorizerCacheTtlSeconds). */
export const DEFAULT_AUTH_CACHE_TTL_S = API_DEFAULTS.authorizerCacheTtlSeconds;
/** API Gateway's limit on an authorizer's cache TTL. */
const MAX_AUTH_CACHE_TTL_S = 3600;

/** The options of `nx run payment-lambda:serve -- …`. */
export interface ServeArgs {
  /** @default 3000; 0 picks a free port */
  port: number;
  /** Containers, spread over at most one host thread per vCPU. @default 1 */
  concurrency: number;
  /** "local": a sessions table in the in-process dynalite. */
  sessions?: "local";
  /** The merchant of the API key created at start-up. @default "merchant-42" */
  merchant: string;
  /** How long the authorizer's answer for an Authorization header is reused; 0 = not cached. @default 60 */
  authCacheTtlS: number;
  /** The api function's timeout, 1–28 s. @default 10 (the stack's apiTimeoutSeconds) */
  timeoutS: number;
  /** No line per request. */
  quiet: boolean;
}

export const SERVE_USAGE =
  `usage: serve [--port N (default 3000, 0 = any free port)] [--concurrency N (default 1)] [--sessions local] [--merchant ID (default ${DEFAULT_MERCHANT})] ` +
  `[--auth-cache-ttl S (default ${DEFAULT_AUTH_CACHE_TTL_S}, 0 = off)] [--timeout-seconds S (default ${API_TIMEOUT_SECONDS.default}, up to ${API_TIMEOUT_SECONDS.max})] [--quiet]`;

export function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        concurrency: { type: "string" },
        sessions: { type: "string" },
        merchant: { type: "string" },
        "auth-cache-ttl": { type: "string" },
        "timeout-seconds": { type: "string" },
        quiet: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${SERVE_USAGE}`);
  }
  if (values.sessions !== undefined && values.sessions !== "local") throw new UsageError(`--sessions takes only "local"\n${SERVE_USAGE}`);
  const merchant = values.merchant ?? DEFAULT_MERCHANT;
  const merchantProblem = merchantIdProblem(merchant);
  if (merchantProblem) throw new UsageError(`--merchant ${merchantProblem}\n${SERVE_USAGE}`);
  return {
    port: intOption("port", values.port, 3000, 0, 65535),
    concurrency: intOption("concurrency", values.concurrency, 1, 1, 64),
    sessions: values.sessions,
    merchant,
    authCacheTtlS: intOption("auth-cache-ttl", values["auth-cache-ttl"], DEFAULT_AUTH_CACHE_TTL_S, 0, MAX_AUTH_CACHE_TTL_S),
    timeoutS: intOption("timeout-seconds", values["timeout-seconds"], API_TIMEOUT_SECONDS.default, API_TIMEOUT_SECONDS.min, API_TIMEOUT_SECONDS.max),
    quiet: values.quiet ?? false,
  };
}
