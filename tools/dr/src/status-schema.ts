/**
 * The shape of `dr status --json` (schemaVersion 1). Scripts depend on it: change it only by
 * adding optional fields, or bump schemaVersion. {@link validateStatusReport} is what the test
 * checks real output against.
 */
/** A DynamoDB global table: its status where it was read, and its other replicas. */
export interface GlobalTableStatus {
  table: string;
  tableStatus: string | null;
  replicas: { region: string; status: string }[];
  error?: string;
}

export interface StatusReport {
  schemaVersion: 1;
  generatedAt: string;
  globalCluster: {
    id: string;
    status: string | null;
    engineVersion: string | null;
    /** A switchover/failover in progress (RDS FailoverState), else null. */
    operation: { status: string; fromRegion: string | null; toRegion: string | null } | null;
    error?: string;
  };
  /** The region whose cluster is the global writer, null when it cannot be told. */
  writerRegion: string | null;
  regions: RegionStatus[];
  sessions: GlobalTableStatus;
  /** The API keys table: authentication in a region needs its replica there. */
  apiKeys: GlobalTableStatus;
  s3Replication: { sourceBucket: string; rules: { id: string; status: string; destinationBucket: string | null }[]; error?: string };
  /** The DR region's probe of the primary's /health (absent from reports before it existed). */
  primaryProbe?: ProbeStatus;
}

/**
 * What the health probe in `region` saw of `target`'s /health over the last 2 minutes: the
 * newest datapoint, and how many of the newest failed in a row (its alarm fires at 3).
 */
export interface ProbeStatus {
  region: string;
  target: string;
  /** The newest datapoint, null when there is none (no probe deployed, or it stopped reporting). */
  healthy: boolean | null;
  at: string | null;
  failedInARow: number;
  error?: string;
}

export interface RegionStatus {
  region: string;
  stack: "primary-region" | "dr-region";
  role: "writer" | "reader" | "absent" | "unknown";
  cluster: {
    identifier: string;
    status: string | null;
    engineVersion: string | null;
    synchronizationStatus: string | null;
    error?: string;
  };
  /**
   * Latest CloudWatch `AuroraGlobalDBRPOLag` of this cluster in seconds (only a reader
   * has one), read in this region; null when there is no datapoint.
   */
  replicationLagSeconds: number | null;
  lagError?: string;
  route53HealthCheck: { id: string; healthy: boolean | null; checkersHealthy: number | null; checkersTotal: number | null; disabled: boolean | null; inverted: boolean | null; error?: string };
  /** `/health`; `role` is the role the payment function answered for (absent when the answer was not its own). */
  api: { url: string; ok: boolean; httpStatus: number | null; role?: string; latencyMs: number; error?: string };
  /**
   * `dr fence`: `fenced` when the payment or `/health` function has reserved concurrency 0; each
   * function's reserved concurrency (null: none) and its `payments-dr:fence-restore` tag (null:
   * absent, so at 0 it was fenced by hand). Absent from reports before it existed, and when the
   * outputs name no functions.
   */
  fence?: FenceStatus;
  /**
   * The region's alert topic and its subscriptions: who its alarms page. Absent from reports
   * before it existed, and when the outputs name no topic.
   */
  alerts?: AlertsStatus;
}

export interface AlertsStatus {
  topicArn: string;
  /**
   * `state` pending: waiting for its confirmation (SNS deletes it after 48 h); deleted:
   * unsubscribed. `authenticated`: only the topic's owner can unsubscribe it; false when an
   * alert's unsubscribe link can; null when not confirmed, or not read (see `error`).
   */
  subscriptions: { protocol: string; endpoint: string; state: "confirmed" | "pending" | "deleted"; authenticated: boolean | null }[];
  error?: string;
}

export interface FenceStatus {
  fenced: boolean | null;
  functions: { role: "api" | "health"; name: string; reservedConcurrency: number | null; restore: string | null }[];
  error?: string;
}

type Check = (value: unknown, at: string, errors: string[]) => void;

const str: Check = (v, at, e) => void (typeof v !== "string" && e.push(`${at}: expected string`));
const num: Check = (v, at, e) => void (typeof v !== "number" && e.push(`${at}: expected number`));
const bool: Check = (v, at, e) => void (typeof v !== "boolean" && e.push(`${at}: expected boolean`));
const nullable =
  (check: Check): Check =>
  (v, at, e) =>
    v === null ? undefined : check(v, at, e);
const optional =
  (check: Check): Check =>
  (v, at, e) =>
    v === undefined ? undefined : check(v, at, e);
const oneOf =
  (...values: unknown[]): Check =>
  (v, at, e) =>
    void (!values.includes(v) && e.push(`${at}: expected one of ${values.join(", ")}`));
const array =
  (item: Check): Check =>
  (v, at, e) =>
    Array.isArray(v) ? v.forEach((x, i) => item(x, `${at}[${i}]`, e)) : e.push(`${at}: expected array`);
const object =
  (fields: Record<string, Check>): Check =>
  (v, at, e) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return void e.push(`${at}: expected object`);
    const record = v as Record<string, unknown>;
    for (const [key, check] of Object.entries(fields)) check(record[key], `${at}.${key}`, e);
    for (const key of Object.keys(record)) if (!(key in fields)) e.push(`${at}.${key}: unexpected field`);
  };

const regionStatus = object({
  region: str,
  stack: oneOf("primary-region", "dr-region"),
  role: oneOf("writer", "reader", "absent", "unknown"),
  cluster: object({
    identifier: str,
    status: nullable(str),
    engineVersion: nullable(str),
    synchronizationStatus: nullable(str),
    error: optional(str),
  }),
  replicationLagSeconds: nullable(num),
  lagError: optional(str),
  route53HealthCheck: object({
    id: str,
    healthy: nullable(bool),
    checkersHealthy: nullable(num),
    checkersTotal: nullable(num),
    disabled: nullable(bool),
    inverted: nullable(bool),
    error: optional(str),
  }),
  api: object({ url: str, ok: bool, httpStatus: nullable(num), role: optional(str), latencyMs: num, error: optional(str) }),
  fence: optional(
    object({
      fenced: nullable(bool),
      functions: array(object({ role: oneOf("api", "health"), name: str, reservedConcurrency: nullable(num), restore: nullable(str) })),
      error: optional(str),
    }),
  ),
  alerts: optional(
    object({
      topicArn: str,
      subscriptions: array(object({ protocol: str, endpoint: str, state: oneOf("confirmed", "pending", "deleted"), authenticated: nullable(bool) })),
      error: optional(str),
    }),
  ),
});

const globalTableStatus = object({
  table: str,
  tableStatus: nullable(str),
  replicas: array(object({ region: str, status: str })),
  error: optional(str),
});

const statusReport = object({
  schemaVersion: oneOf(1),
  generatedAt: str,
  globalCluster: object({
    id: str,
    status: nullable(str),
    engineVersion: nullable(str),
    operation: nullable(object({ status: str, fromRegion: nullable(str), toRegion: nullable(str) })),
    error: optional(str),
  }),
  writerRegion: nullable(str),
  regions: array(regionStatus),
  sessions: globalTableStatus,
  apiKeys: globalTableStatus,
  s3Replication: object({
    sourceBucket: str,
    rules: array(object({ id: str, status: str, destinationBucket: nullable(str) })),
    error: optional(str),
  }),
  primaryProbe: optional(object({ region: str, target: str, healthy: nullable(bool), at: nullable(str), failedInARow: num, error: optional(str) })),
});

/** The schema violations of a value claiming to be a {@link StatusReport}; empty when it is one. */
export function validateStatusReport(value: unknown): string[] {
  const errors: string[] = [];
  statusReport(value, "$", errors);
  return errors;
}
