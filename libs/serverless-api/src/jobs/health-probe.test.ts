import { FAKE_ACCOUNT_ID, type Plan } from "@payments-dr/synth";
import { PROBE_PUBLISH_BUDGET_MS } from "@payments-dr/payment-lambda";
import { HealthProbe, PROBE_FUNCTION_TIMEOUT_SECONDS, PROBE_TIMEOUT_SECONDS, withHealthProbeDefaults, type HealthProbeArgs } from "./health-probe";
import { statementsOf, SUFFIX, synthInRegion } from "../synth-fixture.testing";

const DR = "us-east-2";
const FUNCTION = "aws:lambda/function:Function";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const ASYNC_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const HEALTH_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/health";
const TOPIC_ARN = `arn:aws:sns:us-east-2:${FAKE_ACCOUNT_ID}:payments-dr-alerts-use2-${SUFFIX}`;
const LOGS_KEY_ARN = `arn:aws:kms:us-east-2:${FAKE_ACCOUNT_ID}:key/logs`;

function probeArgs(namer: HealthProbeArgs["namer"], overrides: Partial<HealthProbeArgs> = {}): HealthProbeArgs {
  return {
    namer,
    code: "/nonexistent/dist/libs/payment-lambda/probe",
    target: { label: "primary", healthUrl: HEALTH_URL },
    logs: { kmsKeyArn: LOGS_KEY_ARN, retentionDays: 30 },
    alarmTopicArn: TOPIC_ARN,
    ...overrides,
  };
}

describe("HealthProbe: the primary's /health, probed from the DR region", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthInRegion(({ provider, namer }) => {
      const probe = new HealthProbe("primary-probe", probeArgs(namer), { provider });
      return { functionName: probe.functionName };
    }, DR);
  });

  it("runs outside the VPC (it needs the internet; the VPCs have no NAT), small, told what to probe and how", () => {
    const fn = plan.one(FUNCTION, "primary-probe-function");
    expect(fn.inputs).toMatchObject({
      name: `payments-dr-primary-probe-use2-${SUFFIX}`,
      runtime: "nodejs22.x",
      handler: "index.handler",
      memorySize: 128,
      timeout: PROBE_FUNCTION_TIMEOUT_SECONDS,
      reservedConcurrentExecutions: 3,
      code: { archive: { path: "/nonexistent/dist/libs/payment-lambda/probe" } },
      kmsKeyArn: LOGS_KEY_ARN,
    });
    expect(fn.inputs.vpcConfig).toBeUndefined();
    expect(fn.inputs.environment.variables).toEqual({
      PROBE_TARGET_URL: HEALTH_URL,
      PROBE_TARGET: "primary",
      PROBE_INTERVAL_MS: "10000",
      PROBE_CONNECT_TIMEOUT_MS: "4000",
      PROBE_ANSWER_TIMEOUT_MS: "2000",
      POWERTOOLS_SERVICE_NAME: "payments-probe",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
    expect(plan.outputs.functionName).toBe(`payments-dr-primary-probe-use2-${SUFFIX}`);
  });

  it("covers the minute after the one it was due in, wherever in its minute Scheduler invoked it (60-second precision): a minute's wait, a minute of probes, the last probe's timeout and the publication budget", () => {
    // Arrived at the very start of its minute S: the last probe starts just before S + 120 s.
    const lastStart = PROBE_FUNCTION_TIMEOUT_SECONDS * 1000 - PROBE_TIMEOUT_SECONDS * 1000 - PROBE_PUBLISH_BUDGET_MS;
    expect(lastStart).toBeGreaterThanOrEqual(2 * 60_000);
    // …and not much more: a run that outlives its window by long is waste (and concurrency).
    expect(PROBE_FUNCTION_TIMEOUT_SECONDS).toBeLessThanOrEqual(135);
  });

  it("tells each invocation when it was due: the window it probes follows from Scheduler's scheduled time, not from when it arrived", () => {
    const input = JSON.parse(plan.one(SCHEDULE, "primary-probe-schedule").inputs.target.input);
    expect(input).toEqual({ scheduledTime: "<aws.scheduler.scheduled-time>" });
  });

  it("has room for the runs that overlap: one starts each minute and each may last its whole timeout", () => {
    const fn = plan.one(FUNCTION, "primary-probe-function").inputs;
    expect(fn.reservedConcurrentExecutions).toBeGreaterThanOrEqual(Math.ceil(fn.timeout / 60));
  });

  it("lets the last probe of a minute take the connect and answer timeouts it is deployed with, one after the other, and still publish", () => {
    const fn = plan.one(FUNCTION, "primary-probe-function").inputs;
    const env = fn.environment.variables;
    const probeMs = Number(env.PROBE_CONNECT_TIMEOUT_MS) + Number(env.PROBE_ANSWER_TIMEOUT_MS);
    expect(fn.timeout * 1000 - probeMs - PROBE_PUBLISH_BUDGET_MS).toBeGreaterThanOrEqual(2 * 60_000 - Number(env.PROBE_INTERVAL_MS));
  });

  it("may write its logs and metrics into one namespace, and nothing else: no data, no network interfaces", () => {
    const statements = statementsOf(plan.one(POLICY, "primary-probe-access").inputs.policy);
    expect(statements.map((s) => s.Sid)).toEqual(["WriteOwnLogs", "PublishMetrics", "WriteTraces"]);
    expect(statements.find((s) => s.Sid === "PublishMetrics")).toEqual({
      Sid: "PublishMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      // Its own namespace: not the API functions' metrics, which alarms read too.
      Condition: { StringEquals: { "cloudwatch:namespace": "PaymentsDr/Probe" } },
    });
  });

  it("is invoked every minute by its own schedule, never retried or run late", () => {
    expect(plan.one(SCHEDULE, "primary-probe-schedule").inputs).toMatchObject({
      name: `payments-dr-primary-probe-use2-${SUFFIX}`,
      scheduleExpression: "rate(1 minute)",
      flexibleTimeWindow: { mode: "OFF" },
      target: { retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 } },
    });
    expect(plan.one(ASYNC_CONFIG, "primary-probe-async").inputs).toMatchObject({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
  });

  it("pages through the DR topic after three failed probes in a row (Route 53's interval and threshold), at the probes' own resolution", () => {
    const alarm = plan.one(ALARM, "primary-probe-unhealthy-alarm");
    expect(alarm.inputs).toMatchObject({
      name: `payments-dr-primary-probe-unhealthy-alarm-use2-${SUFFIX}`,
      namespace: "PaymentsDr/Probe",
      metricName: "ApiHealthy",
      dimensions: { Target: "primary" },
      statistic: "Maximum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      period: 10,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: "missing",
      alarmActions: [TOPIC_ARN],
      okActions: [TOPIC_ARN],
    });
  });

  it("alarms on its own silence (no datapoint for 3 minutes) without calling the target down", () => {
    expect(plan.one(ALARM, "primary-probe-silent-alarm").inputs).toMatchObject({
      namespace: "PaymentsDr/Probe",
      metricName: "ApiHealthy",
      dimensions: { Target: "primary" },
      statistic: "SampleCount",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      period: 60,
      evaluationPeriods: 3,
      treatMissingData: "breaching",
      alarmActions: [TOPIC_ARN],
    });
  });
});

describe("HealthProbe with a slower cadence", () => {
  it("probes every intervalSeconds and alarms after failuresToAlarm failed probes, one period per probe", async () => {
    const plan = await synthInRegion(({ provider, namer }) => {
      const probe = new HealthProbe("primary-probe", probeArgs(namer, { intervalSeconds: 30, failuresToAlarm: 5 }), { provider });
      return { functionName: probe.functionName };
    }, DR);
    expect(plan.one(FUNCTION, "primary-probe-function").inputs.environment.variables).toMatchObject({ PROBE_INTERVAL_MS: "30000", PROBE_CONNECT_TIMEOUT_MS: "4000", PROBE_ANSWER_TIMEOUT_MS: "2000" });
    // A 10 s period with a probe every 30 s would leave two periods of three without data: the alarm would never see five in a row.
    expect(plan.one(ALARM, "primary-probe-unhealthy-alarm").inputs).toMatchObject({ period: 30, evaluationPeriods: 5, datapointsToAlarm: 5 });
  });
});

describe("withHealthProbeDefaults", () => {
  const namer = {} as HealthProbeArgs["namer"];
  it("defaults to Route 53's 10 s and 3 failures", () => {
    expect(withHealthProbeDefaults("p", probeArgs(namer))).toMatchObject({ intervalSeconds: 10, failuresToAlarm: 3, logLevel: "INFO" });
  });

  it("refuses what an alarm or a name cannot take, naming the component and the argument", () => {
    expect(() => withHealthProbeDefaults("p", probeArgs(namer, { intervalSeconds: 15 }))).toThrow(/HealthProbe "p".*intervalSeconds 15 must be one of 10, 20, 30/);
    expect(() => withHealthProbeDefaults("p", probeArgs(namer, { failuresToAlarm: 0 }))).toThrow(/HealthProbe "p".*failuresToAlarm/);
    expect(() => withHealthProbeDefaults("p", probeArgs(namer, { target: { label: "Primary Region", healthUrl: HEALTH_URL } }))).toThrow(/target\.label "Primary Region"/);
  });
});
