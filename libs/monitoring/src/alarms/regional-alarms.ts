import * as pulumi from "@pulumi/pulumi";
import { RECOVERY_TARGETS, type RegionRole, type ResourceNamer } from "@payments-dr/conventions";
import { FAILOVER_TIMING } from "@payments-dr/failover/timing";
import { auroraRpoLagQuery } from "../aurora-lag";
import { AURORA_WRITER_ROLE, DAY_SECONDS, NAMESPACE } from "../metrics";
import { AlarmSpec, createAlarms } from "./alarm-spec";
import { apiErrorsQuery } from "./api-errors";
import { AlarmThresholds, alarmThresholds, forMinutes } from "./thresholds";


/**
 * A fenced region (`dr fence`: reserved concurrency 0) throttles, fails its /health and answers
 * 5xx by design: raising the concurrency, or an `up`, would unfence it. Every alarm a fence raises says so.
 */
export function fencedRegionNote(region = "this region"): string {
  return `If \`dr status\` shows ${region} FENCED, that is expected until \`dr unfence\`: do not raise the reserved concurrency or run \`up\`.`;
}
const FENCED = fencedRegionNote();

/**
 * What Route 53 does when a region's /health fails 3 checks in a row: only the primary region's
 * check moves DNS, and only with a custom domain (the failover records); the DR record has none.
 */
function whenHealthFails(targets: RegionalAlarmTargets): string {
  const checks = `${FAILOVER_TIMING.failureThreshold} failed checks of /health`;
  if (targets.aurora.role === "dr") return `Route 53 sees this (DR) region fail after ${checks}: nothing moves, but a switchover or failover to it is refused or lands on a broken region.`;
  if (targets.certificate) return `Route 53 moves DNS to the DR region after ${checks}; its database takes no writes until it is moved.`;
  return `Route 53 sees this region fail after ${checks} and the DR probe pages (no custom domain: DNS does not move, clients keep failing here).`;
}
/** Arguments of {@link RegionalAlarms}. */
export interface RegionalAlarmsArgs {
  /** Names the alarms, in their region. */
  namer: ResourceNamer;
  /** The region's alert topic (`AlertTopic.topicArn`): every alarm notifies it on ALARM and on OK. */
  topicArn: pulumi.Input<string>;
  /** The payment Lambda, and its timeout (the p99 duration alarm is a share of it). */
  lambda: { functionName: pulumi.Input<string>; timeoutSeconds: number };
  /** The function that answers `/health`, Route 53's checks. */
  health: { functionName: pulumi.Input<string> };
  /**
   * The custom domain's certificate in this region, when there is a domain. Route 53 checks the
   * `execute-api` URL, so an expired certificate on the domain fails every client while the
   * region stays healthy and nothing fails over: only this alarm tells.
   */
  certificate?: { certificateArn: pulumi.Input<string> };
  /**
   * The REST API and its stage, and its `/health` resource (`healthPath`), whose 503s the 5XX
   * alarm leaves out (see {@link apiErrorsQuery}).
   */
  api: { apiName: pulumi.Input<string>; stageName: pulumi.Input<string>; healthPath: string };
  /**
   * This region's member cluster of the global database. Both roles get a replication-lag alarm: `"dr"`
   * breaching on missing data (it must always report), `"primary"` not (it reports only while the roles are swapped).
   */
  aurora: { clusterIdentifier: pulumi.Input<string>; role: RegionRole };
  /** Overrides of `defaultAlarmThresholds`. @default {} */
  thresholds?: Partial<AlarmThresholds>;
}

/** What the alarms of one region watch. */
export type RegionalAlarmTargets = Pick<RegionalAlarmsArgs, "lambda" | "health" | "certificate" | "api" | "aurora">;

/**
 * The alarms of one regional stack. Missing data is chosen per alarm:
 * - Lambda and API Gateway publish only when requests arrive (Route 53's checks of `/health`
 *   keep a trickle even in the idle DR region): no requests, no errors, so `notBreaching`.
 * - Aurora CPU and connections are the writer's (`Role=WRITER`: across the whole cluster, an
 *   idle reader would average a saturated writer's CPU below any threshold). RDS publishes them
 *   every minute while this region's cluster holds the writer; a region without it (the DR one
 *   until a failover, the primary after one) has no datapoint, nor has a writer that is down,
 *   which the API and health-check alarms name correctly, so `missing` (INSUFFICIENT_DATA shows on
 *   the console without paging as "CPU high").
 * - The DR cluster publishes its replication lag every minute while it replicates; a gap means
 *   it no longer does (detached, promoted, no instance), so the RPO is unguarded: `breaching`.
 *   The primary's cluster publishes it only while the roles are swapped (it is then the
 *   secondary): its own lag alarm guards the RPO in that direction, and stays OK otherwise.
 */
export function regionalAlarmSpecs(targets: RegionalAlarmTargets, t: AlarmThresholds): AlarmSpec[] {
  const fn = { FunctionName: targets.lambda.functionName };
  const api = { ApiName: targets.api.apiName, Stage: targets.api.stageName };
  const cluster = { DBClusterIdentifier: targets.aurora.clusterIdentifier };
  const writer = { ...cluster, ...AURORA_WRITER_ROLE };
  const timeoutMs = targets.lambda.timeoutSeconds * 1000;
  const specs: AlarmSpec[] = [
    {
      role: "lambda-errors",
      description:
        `Payment Lambda: ${t.lambdaErrorsPerMinute}+ errors (exceptions or timeouts) a minute in 2 of 3 minutes. Check its logs and the database. ` +
        "28P01 (password authentication failed for payments_app) in both regions after a primary-region `up` that stopped during a password rotation: run that `up` again, do not fail over (runbook, Unplanned failover).",
      namespace: NAMESPACE.lambda,
      metricName: "Errors",
      dimensions: fn,
      stat: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.lambdaErrorsPerMinute,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
    },
    {
      role: "lambda-throttles",
      description:
        `Payment Lambda: ${t.lambdaThrottlesPerMinute}+ throttles a minute. Requests are refused at the reserved concurrency (the region's database connection budget). ` +
        `${FENCED} Otherwise check the request rate and Duration (slow requests hold the concurrency); raise apiReservedConcurrency only within the connection budget (README, Configuration).`,
      namespace: NAMESPACE.lambda,
      metricName: "Throttles",
      dimensions: fn,
      stat: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.lambdaThrottlesPerMinute,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      role: "health-throttles",
      description:
        `/health function: throttled. ${whenHealthFails(targets)} ` +
        `${FENCED} Otherwise look for who calls /health (the WAF's log) before raising the function's reserved concurrency.`,
      namespace: NAMESPACE.lambda,
      metricName: "Throttles",
      dimensions: { FunctionName: targets.health.functionName },
      stat: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      role: "lambda-duration-p99",
      description:
        `Payment Lambda: p99 duration at ${t.lambdaDurationTimeoutShare * 100}% of its ${targets.lambda.timeoutSeconds} s timeout for 3 minutes. Requests are about to time out. ` +
        "Check the Aurora writer's CPU and connections and its waiting sessions (pg_stat_activity), and the function's logs for the slow route; during a move, its connects wait for the writer.",
      namespace: NAMESPACE.lambda,
      metricName: "Duration",
      dimensions: fn,
      stat: "p99",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: Math.round(timeoutMs * t.lambdaDurationTimeoutShare),
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      role: "api-5xx",
      description:
        `Payments API: ${t.api5xxPerMinute}+ 5XX responses a minute on the payment routes in 2 of 3 minutes (not ${targets.api.healthPath}, whose 503 while this region does not hold the writer is expected). ` +
        "Expected during a switchover, failover or drill: payments answer 503 while the writer moves, and here until clients follow it (DNS, or a client pointed here). " +
        `${FENCED} Otherwise check the Lambda alarms and the database.`,
      query: pulumi
        .all([targets.api.apiName, targets.api.stageName])
        .apply(([apiName, stageName]) => apiErrorsQuery({ apiName, stageName, excludedResource: targets.api.healthPath })),
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.api5xxPerMinute,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
    },
    {
      role: "api-latency-p99",
      description:
        `Payments API: p99 latency at ${t.apiLatencyP99Ms} ms or more for 3 minutes. ` +
        "Check the payment Lambda's duration and the Aurora writer's CPU and connections; a flood of new containers (cold starts) after a move or a traffic step also shows here.",
      namespace: NAMESPACE.apiGateway,
      metricName: "Latency",
      dimensions: api,
      stat: "p99",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.apiLatencyP99Ms,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      role: "aurora-cpu",
      description:
        `Aurora writer: CPU at ${t.auroraCpuPercent}% or more for 5 minutes. ` +
        "Find the costly statements (pg_stat_activity, Performance Insights) and the payment rate; a larger dbInstanceClass applies in the maintenance window (README, Configuration).",
      namespace: NAMESPACE.rds,
      metricName: "CPUUtilization",
      dimensions: writer,
      stat: "Average",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.auroraCpuPercent,
      evaluationPeriods: 5,
      treatMissingData: "missing",
    },
    {
      role: "aurora-connections",
      description:
        `Aurora writer: ${t.auroraConnections}+ connections for 3 minutes; new connections will soon be refused. ` +
        "More than the functions' connection budget opens (README, apiReservedConcurrency): find who holds them in pg_stat_activity (usename, application_name, state) and end the strays.",
      namespace: NAMESPACE.rds,
      metricName: "DatabaseConnections",
      dimensions: writer,
      stat: "Maximum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.auroraConnections,
      evaluationPeriods: 3,
      treatMissingData: "missing",
    },
  ];
  if (targets.certificate) {
    specs.push({
      role: "certificate-expiry",
      description:
        `Custom domain: its certificate in this region expires in under ${t.certificateDaysToExpiry} days. ACM renews a DNS-validated certificate on its own ` +
        "while the validation CNAME stays in the hosted zone: check that record (README, custom domain) and the certificate's renewal status in ACM.",
      namespace: NAMESPACE.acm,
      metricName: "DaysToExpiry",
      dimensions: { CertificateArn: targets.certificate.certificateArn },
      stat: "Minimum",
      comparison: "LessThanThreshold",
      threshold: t.certificateDaysToExpiry,
      periodSeconds: DAY_SECONDS,
      evaluationPeriods: 1,
      // ACM publishes daily, and stops once the certificate has expired: keep the last state
      // (ALARM stays ALARM); a new certificate without a datapoint yet does not page.
      treatMissingData: "ignore",
    });
  }
  // By a Metrics Insights query: AWS does not document the dimensions Aurora publishes it with (auroraRpoLagQuery).
  const lag = {
    query: pulumi.output(targets.aurora.clusterIdentifier).apply(auroraRpoLagQuery),
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: t.auroraReplicationLagMs,
    evaluationPeriods: t.rpoLagMinutes,
  } as const;
  if (targets.aurora.role === "dr") {
    specs.push({
      role: "aurora-replication-lag",
      description:
        `Aurora global database: the DR cluster lags ${t.auroraReplicationLagMs} ms or more (or reports nothing) ${forMinutes(t.rpoLagMinutes)}; ` +
        `the RPO promise is ${RECOVERY_TARGETS.rpoSeconds} s. A failover now would lose that much; see the DR runbook (status, preflight).`,
      ...lag,
      treatMissingData: "breaching",
    });
  } else {
    // While the roles are swapped (us-east-2 holds the writer, after a failover for as long as it
    // takes to fail back), this region's cluster is the secondary and the RPO is guarded here.
    // While it holds the writer it publishes no lag: nothing to guard, so `notBreaching`.
    specs.push({
      role: "aurora-replication-lag",
      description:
        `Aurora global database: this region's cluster, now the secondary (the roles are swapped), lags ${t.auroraReplicationLagMs} ms or more ${forMinutes(t.rpoLagMinutes)}; ` +
        `the RPO promise is ${RECOVERY_TARGETS.rpoSeconds} s. A failover back to it now (the other region lost) would lose that much; a failback (a switchover) waits for it. See the DR runbook (status, failback).`,
      ...lag,
      treatMissingData: "notBreaching",
    });
  }
  return specs;
}

/**
 * The alarms of one regional stack (Lambda, API Gateway, Aurora, and its cluster's replication
 * lag behind the writer's, which it reports only while it is a secondary), each notifying the
 * region's alert topic. Each region
 * watches itself, so the alarms of the surviving region keep working when the other is down.
 */
export class RegionalAlarms extends pulumi.ComponentResource {
  constructor(name: string, args: RegionalAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:monitoring:RegionalAlarms", name, {}, opts);
    const thresholds = alarmThresholds(args.thresholds);
    createAlarms(this, name, regionalAlarmSpecs(args, thresholds), args.namer, args.topicArn);
    this.registerOutputs({});
  }
}
