/**
 * Bounds on every AWS call of the CLIs. The SDK's defaults wait without limit and retry three
 * times, so a call into a region that is down could hold a command for minutes, the very moment
 * it is run. A call gives up after 3 s without a connection or 10 s without an answer, and is
 * tried twice. Without `throwOnRequestTimeout` the SDK's HTTP handler only logs a warning when
 * the answer is late and keeps waiting: an endpoint that accepts connections and never answers
 * would hold the command for good.
 */
export const AWS_CALL_LIMITS = { requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true }, maxAttempts: 2 } as const;

/**
 * One client per region, created on first use. Client factories build every SDK client for an
 * explicit region (the default credential chain, never the default region) through this.
 */
export function perRegion<T>(create: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}
