import { DATABASE_BUDGET_MS, METRICS_NAMESPACE, MIN_TIMEOUT_MS } from "./contract";
import { ROUTE53_CHECK_TIMEOUTS_MS } from "../health/contract";
import type { PaymentLambdaEnvironment, RegionRole } from "./environment";

/** Where the database is: a URL (local runs, tests) or the AWS endpoints + secret. */
type DatabaseEndpoints =
  | {
      kind: "url";
      url: string;
      /** The reader connection's URL, where it differs (a region's two endpoints, in tests). @default url */
      readerUrl?: string;
    }
  | { kind: "aws"; secretId: string; writerHost: string; readerHost: string };

/** What the database layer needs; read by every function that connects (api, migrate, cleanup). */
export interface DatabaseSettings {
  endpoints: DatabaseEndpoints;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** Logger and metrics identity. */
export interface ObservabilitySettings {
  serviceName: string;
  metricsNamespace: string;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "CRITICAL" | "SILENT";
}

/** Everything the api function reads from its environment, validated once at cold start. */
export interface ApiSettings {
  regionRole: RegionRole;
  database: DatabaseSettings;
  /** Unset: sessions are off. */
  sessionsTable?: string;
  /** Where each key's `lastUsedAt` is recorded (in the key's usage item of this region); unset: not recorded. */
  apiKeysTable?: string;
  dynamodbEndpoint?: string;
  /** AWS_REGION, which Lambda sets: names this region's usage items. @default "local" */
  region: string;
  observability: ObservabilitySettings;
}

/** Everything the authorizer reads from its environment, validated once at cold start. */
export interface AuthorizerSettings {
  /** This region's replica of the API keys table. */
  apiKeysTable: string;
  dynamodbEndpoint?: string;
  observability: ObservabilitySettings;
}

/** Everything the health probe reads from its environment, validated once at cold start. */
export interface ProbeSettings {
  /** The `/health` URL probed. */
  url: string;
  /** Its label in the metric and the logs, e.g. `primary`. */
  target: string;
  intervalMs: number;
  timeouts: ProbeTimeouts;
  observability: ObservabilitySettings;
}

/** How long a probe waits: for the TCP connection, then, once connected, for the status. */
export interface ProbeTimeouts {
  connectMs: number;
  answerMs: number;
}

/** A bad environment. The message names the variables, never their values (DATABASE_URL holds a password). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join("; ")}`);
    this.name = "ConfigurationError";
  }
}

const LOG_LEVELS: readonly ObservabilitySettings["logLevel"][] = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"];

type Env = NodeJS.ProcessEnv | PaymentLambdaEnvironment;

/** Reads variables and collects what is wrong with them, by name. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** A non-blank value, trimmed, or undefined. */
  text(name: keyof PaymentLambdaEnvironment): string | undefined {
    const value = (this.env as Record<string, string | undefined>)[name]?.trim();
    return value ? value : undefined;
  }

  required(name: keyof PaymentLambdaEnvironment, why: string): string {
    const value = this.text(name);
    if (value === undefined) this.problems.push(`${name} is required ${why}`);
    return value ?? "";
  }

  millis(name: keyof PaymentLambdaEnvironment, max: number, fallback: number, min = MIN_TIMEOUT_MS): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) this.problems.push(`${name} must be a whole number of milliseconds`);
    else if (Number(value) < min || Number(value) > max) this.problems.push(`${name} must be between ${min} and ${max}`);
    else return Number(value);
    return fallback;
  }

  /** One of `allowed` (after `normalize`), or `fallback` when unset; required when there is no fallback. */
  oneOf<T extends string>(name: keyof PaymentLambdaEnvironment, allowed: readonly T[], fallback?: T, normalize = (value: string) => value): T {
    const value = this.text(name);
    const normalized = value === undefined ? undefined : normalize(value);
    if (normalized === undefined && fallback !== undefined) return fallback;
    if (allowed.includes(normalized as T)) return normalized as T;
    this.problems.push(`${name} must be ${allowed.map((a) => `"${a}"`).join(" or ")}`);
    return allowed[0]!;
  }

  /** @throws ConfigurationError when anything read was wrong. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigurationError(this.problems);
  }
}

function readDatabase(read: EnvReader): DatabaseSettings {
  const url = read.text("DATABASE_URL");
  const why = "when DATABASE_URL is unset";
  const endpoints: DatabaseEndpoints = url
    ? { kind: "url", url }
    : { kind: "aws", secretId: read.required("DB_SECRET_ID", why), writerHost: read.required("DB_WRITER_HOST", why), readerHost: read.required("DB_READER_HOST", why) };
  return {
    endpoints,
    // The budgets are both the defaults and the most accepted.
    connectTimeoutMs: read.millis("DB_CONNECT_TIMEOUT_MS", DATABASE_BUDGET_MS.connectTimeoutMs, DATABASE_BUDGET_MS.connectTimeoutMs),
    statementTimeoutMs: read.millis("DB_STATEMENT_TIMEOUT_MS", DATABASE_BUDGET_MS.statementTimeoutMs, DATABASE_BUDGET_MS.statementTimeoutMs),
  };
}

function readObservability(read: EnvReader): ObservabilitySettings {
  return {
    serviceName: read.text("POWERTOOLS_SERVICE_NAME") ?? "payments",
    metricsNamespace: read.text("POWERTOOLS_METRICS_NAMESPACE") ?? METRICS_NAMESPACE,
    logLevel: read.oneOf("POWERTOOLS_LOG_LEVEL", LOG_LEVELS, "INFO", (value) => value.toUpperCase()),
  };
}

/** The database settings of a function that connects. @throws ConfigurationError naming every bad variable. */
export function loadDatabaseSettings(env: Env): DatabaseSettings {
  const read = new EnvReader(env);
  const settings = readDatabase(read);
  read.done();
  return settings;
}

/** Logger and metrics settings of any of the functions. @throws ConfigurationError naming every bad variable. */
export function loadObservabilitySettings(env: Env): ObservabilitySettings {
  const read = new EnvReader(env);
  const settings = readObservability(read);
  read.done();
  return settings;
}

/** The api function's settings. @throws ConfigurationError naming every bad variable. */
export function loadApiSettings(env: Env): ApiSettings {
  const read = new EnvReader(env);
  const settings: ApiSettings = {
    regionRole: read.oneOf<RegionRole>("REGION_ROLE", ["primary", "dr"]),
    database: readDatabase(read),
    sessionsTable: read.text("SESSIONS_TABLE"),
    apiKeysTable: read.text("API_KEYS_TABLE"),
    dynamodbEndpoint: read.text("DYNAMODB_ENDPOINT"),
    region: read.text("AWS_REGION") ?? "local",
    observability: readObservability(read),
  };
  read.done();
  return settings;
}

/** The authorizer's settings. @throws ConfigurationError naming every bad variable. */
export function loadAuthorizerSettings(env: Env): AuthorizerSettings {
  const read = new EnvReader(env);
  const settings: AuthorizerSettings = {
    apiKeysTable: read.required("API_KEYS_TABLE", "by the authorizer"),
    dynamodbEndpoint: read.text("DYNAMODB_ENDPOINT"),
    observability: readObservability(read),
  };
  read.done();
  return settings;
}

const PROBE_LABEL = /^[a-z][a-z0-9-]{0,31}$/;

/** The health probe's settings. @throws ConfigurationError naming every bad variable. */
export function loadProbeSettings(env: Env): ProbeSettings {
  const read = new EnvReader(env);
  const url = read.required("PROBE_TARGET_URL", "by the health probe");
  if (url && !/^https?:$/.test(URL.parse(url)?.protocol ?? "")) read.problems.push("PROBE_TARGET_URL must be an http or https URL");
  const target = read.required("PROBE_TARGET", "by the health probe");
  if (target && !PROBE_LABEL.test(target)) read.problems.push("PROBE_TARGET must be 1–32 of a-z, 0-9 and -, starting with a letter");
  const settings: ProbeSettings = {
    url,
    target,
    intervalMs: read.millis("PROBE_INTERVAL_MS", 60_000, 10_000, 1000),
    timeouts: {
      connectMs: read.millis("PROBE_CONNECT_TIMEOUT_MS", 10_000, ROUTE53_CHECK_TIMEOUTS_MS.connect),
      answerMs: read.millis("PROBE_ANSWER_TIMEOUT_MS", 10_000, ROUTE53_CHECK_TIMEOUTS_MS.answer),
    },
    observability: readObservability(read),
  };
  if (probeTimeoutMs(settings.timeouts) >= settings.intervalMs) read.problems.push("PROBE_CONNECT_TIMEOUT_MS + PROBE_ANSWER_TIMEOUT_MS must be under PROBE_INTERVAL_MS");
  read.done();
  return settings;
}

/** The longest a probe can take: its connect timeout, then its answer timeout. */
export function probeTimeoutMs(timeouts: ProbeTimeouts): number {
  return timeouts.connectMs + timeouts.answerMs;
}
