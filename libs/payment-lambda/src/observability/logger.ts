import { Logger } from "@aws-lambda-powertools/logger";
import type { ObservabilitySettings } from "../config/settings";

/** Structured JSON logs. Callers log ids and outcomes, never headers, bodies or credentials. */
export function createLogger(settings: ObservabilitySettings): Logger {
  return new Logger({ serviceName: settings.serviceName, logLevel: settings.logLevel });
}

/** The part of an error that may be logged. */
export interface LoggableError {
  name: string;
  /** A SQLSTATE, an errno code or an SDK error name. */
  code?: string;
  message: string;
}

/**
 * An error reduced to name, code and message: no stack trace, and none of the extra fields
 * that drivers attach (a pg error's `detail` quotes row values, an SDK error its request).
 */
export function loggableError(error: unknown): LoggableError {
  if (!(error instanceof Error)) return { name: "NonError", message: String(error).slice(0, 200) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, ...(typeof code === "string" ? { code } : {}), message: error.message.slice(0, 500) };
}
