import { messageOf } from "@payments-dr/cli-support";
import type { GlobalClusterView, LagReading } from "./aws";
import type { Context } from "./context";
import { checkHealth } from "./http";
import { PRIMARY_PROBE_TARGET } from "@payments-dr/payment-lambda";
import { readFenceLenient } from "./fence";
import type { AlertsStatus, FenceStatus, GlobalTableStatus, ProbeStatus, RegionStatus, StatusReport } from "./status-schema";
import type { RegionSite, Topology } from "./topology";

/**
 * Reads the global cluster, asking each region in turn: during an outage the surviving region
 * still answers. `regions` limits where it may ask (failover asks only the target region).
 */
export async function readGlobalCluster(ctx: Context, regions: RegionSite[]): Promise<GlobalClusterView> {
  let lastError: unknown;
  for (const site of regions) {
    try {
      return await ctx.aws.globalCluster(site.region, ctx.topology.globalClusterId);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export function roleOf(cluster: GlobalClusterView | undefined, site: RegionSite): RegionStatus["role"] {
  if (!cluster) return "unknown";
  const member = cluster.members.find((m) => m.clusterArn === site.clusterArn);
  if (!member) return "absent";
  return member.isWriter ? "writer" : "reader";
}

export function writerSite(cluster: GlobalClusterView, topology: Topology): RegionSite | undefined {
  return topology.byClusterArn(cluster.members.find((m) => m.isWriter)?.clusterArn);
}

/** Every probe runs; a failing one is reported in its field rather than failing the report. */
export async function gatherStatus(ctx: Context): Promise<StatusReport> {
  const { topology } = ctx;
  let cluster: GlobalClusterView | undefined;
  let clusterError: string | undefined;
  try {
    // The DR region first: it answers the same in normal times and is the one up in an outage.
    cluster = await readGlobalCluster(ctx, [topology.dr, topology.home]);
  } catch (error) {
    clusterError = messageOf(error);
  }
  const [regions, sessions, apiKeys, s3Replication, primaryProbe] = await Promise.all([
    Promise.all(topology.sites.map((site) => regionStatus(ctx, site, cluster))),
    globalTableStatus(ctx, topology.sessionsTableName),
    globalTableStatus(ctx, topology.apiKeysTableName),
    s3Status(ctx),
    probeStatus(ctx),
  ]);
  const writer = cluster ? writerSite(cluster, topology) : undefined;
  const operation = cluster?.operation;
  return {
    schemaVersion: 1,
    generatedAt: ctx.clock.now().toISOString(),
    globalCluster: {
      id: topology.globalClusterId,
      status: cluster?.status ?? null,
      engineVersion: cluster?.engineVersion ?? null,
      operation: operation
        ? {
            status: operation.status,
            fromRegion: topology.byClusterArn(operation.fromClusterArn)?.region ?? null,
            toRegion: topology.byClusterArn(operation.toClusterArn)?.region ?? null,
          }
        : null,
      ...(clusterError ? { error: clusterError } : {}),
    },
    writerRegion: writer?.region ?? null,
    regions,
    sessions,
    apiKeys,
    s3Replication,
    primaryProbe,
  };
}

/**
 * The DR region's probe of the primary's /health, read in the DR region: what AWS itself sees of
 * the primary from outside us-east-1, next to what this machine sees (each region's `api`).
 */
async function probeStatus(ctx: Context): Promise<ProbeStatus> {
  const { dr } = ctx.topology;
  const result = await settle(() => ctx.aws.probeSamples(dr.region, PRIMARY_PROBE_TARGET));
  const samples = result.value ?? [];
  const failedInARow = samples.findIndex((s) => s.healthy);
  return {
    region: dr.region,
    target: PRIMARY_PROBE_TARGET,
    healthy: samples[0]?.healthy ?? null,
    at: samples[0]?.at.toISOString() ?? null,
    failedInARow: failedInARow === -1 ? samples.length : failedInARow,
    ...(result.error ? { error: result.error } : {}),
  };
}

async function regionStatus(ctx: Context, site: RegionSite, global: GlobalClusterView | undefined): Promise<RegionStatus> {
  const role = roleOf(global, site);
  const member = global?.members.find((m) => m.clusterArn === site.clusterArn);
  const [cluster, lag, healthCheck, api, fence, alerts] = await Promise.all([
    settle(() => ctx.aws.cluster(site.region, site.clusterIdentifier)),
    role === "writer" ? Promise.resolve<Settled<LagReading | undefined>>({}) : settle(() => ctx.aws.replicationLag(site.region, site.clusterIdentifier)),
    settle(() => ctx.aws.healthCheck(site.healthCheckId)),
    checkHealth(ctx.fetch, site.healthUrl, ctx.healthTimeoutMs),
    fenceStatus(ctx, site),
    alertsStatus(ctx, site),
  ]);
  return {
    region: site.region,
    stack: site.stack,
    role,
    cluster: {
      identifier: site.clusterIdentifier,
      status: cluster.value?.status ?? null,
      engineVersion: cluster.value?.engineVersion ?? null,
      synchronizationStatus: member?.synchronizationStatus ?? null,
      ...(cluster.error ? { error: cluster.error } : {}),
    },
    replicationLagSeconds: lag.value?.seconds ?? null,
    ...(lag.error ? { lagError: lag.error } : {}),
    route53HealthCheck: {
      id: site.healthCheckId,
      healthy: healthCheck.value?.healthy ?? null,
      checkersHealthy: healthCheck.value?.checkersHealthy ?? null,
      checkersTotal: healthCheck.value?.checkersTotal ?? null,
      disabled: healthCheck.value?.disabled ?? null,
      inverted: healthCheck.value?.inverted ?? null,
      ...(healthCheck.error ? { error: healthCheck.error } : {}),
    },
    api,
    ...(fence ? { fence } : {}),
    ...(alerts ? { alerts } : {}),
  };
}

/** Who the region's alarms page: its alert topic's subscriptions; undefined when the outputs name no topic. */
async function alertsStatus(ctx: Context, site: RegionSite): Promise<AlertsStatus | undefined> {
  const topicArn = site.alertTopicArn;
  if (!topicArn) return undefined;
  const result = await settle(() => ctx.aws.alertSubscriptions(site.region, topicArn));
  const error = result.error ?? result.value?.attributesError;
  return { topicArn, subscriptions: result.value?.subscriptions ?? [], ...(error ? { error } : {}) };
}

/** Whether `dr fence` (or a hand) left the region's functions at reserved concurrency 0; undefined when the outputs name none. */
async function fenceStatus(ctx: Context, site: RegionSite): Promise<FenceStatus | undefined> {
  const names = ctx.topology.functionsOf(site);
  if (names.length === 0) return undefined;
  const result = await settle(() => readFenceLenient(ctx, site, names));
  const read = result.value;
  const error = result.error ?? read?.error;
  return {
    fenced: read ? read.fenced : null,
    functions: (read?.functions ?? []).map((f) => ({ role: f.role, name: f.name, reservedConcurrency: f.reservedConcurrency, restore: f.restore })),
    ...(error ? { error } : {}),
  };
}

async function globalTableStatus(ctx: Context, table: string): Promise<GlobalTableStatus> {
  const result = await settle(async () => {
    try {
      return await ctx.aws.tableReplicas(ctx.topology.home.region, table);
    } catch {
      // The global table answers in every replica region: the DR one while the home region is down.
      return ctx.aws.tableReplicas(ctx.topology.dr.region, table);
    }
  });
  return {
    table,
    tableStatus: result.value?.tableStatus ?? null,
    replicas: result.value?.replicas ?? [],
    ...(result.error ? { error: result.error } : {}),
  };
}

async function s3Status(ctx: Context): Promise<StatusReport["s3Replication"]> {
  const { home } = ctx.topology;
  const result = await settle(() => ctx.aws.bucketReplication(home.region, home.bucketName));
  return {
    sourceBucket: home.bucketName,
    rules: (result.value ?? []).map((r) => ({ id: r.id, status: r.status, destinationBucket: r.destinationBucket ?? null })),
    ...(result.error ? { error: result.error } : {}),
  };
}

type Settled<T> = { value?: T; error?: string };

async function settle<T>(probe: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await probe() };
  } catch (error) {
    return { error: messageOf(error) };
  }
}
