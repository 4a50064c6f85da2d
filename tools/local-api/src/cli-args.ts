import { parseArgs } from "node:util";

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

/** The options of `nx run payment-lambda:serve -- …`. */
export interface ServeArgs {
  /** @default 3000; 0 picks a free port */
  port: number;
  /** Containers (worker threads). @default 1 */
  concurrency: number;
  /** "local": dynalite in-process. */
  sessions?: "local";
  /** No line per request. */
  quiet: boolean;
}

export const SERVE_USAGE = "usage: serve [--port N (default 3000, 0 = any free port)] [--concurrency N (default 1)] [--sessions local] [--quiet]";

export function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: "string" }, concurrency: { type: "string" }, sessions: { type: "string" }, quiet: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${SERVE_USAGE}`);
  }
  if (values.sessions !== undefined && values.sessions !== "local") throw new UsageError(`--sessions takes only "local"\n${SERVE_USAGE}`);
  return {
    port: intOption("port", values.port, 3000, 0, 65535),
    concurrency: intOption("concurrency", values.concurrency, 1, 1, 64),
    sessions: values.sessions,
    quiet: values.quiet ?? false,
  };
}
