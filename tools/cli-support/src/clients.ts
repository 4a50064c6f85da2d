import { defaultProvider } from "@aws-sdk/credential-provider-node";

/** The bounds of {@link AWS_CALL_LIMITS}: what a client's HTTP handler and retries take. */
export interface CallLimits {
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
  maxAttempts: number;
}

const CALL_LIMITS = { requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true }, maxAttempts: 2 } as const;

/**
 * The default credential chain (as a client's `credentialDefaultProvider`), its own calls bounded
 * by `limits`. A client's settings do not reach the clients the chain makes for SSO (GetRoleCredentials
 * and the token's refresh, in the SSO region), which keep the SDK's unbounded defaults: with IAM
 * Identity Center homed in a region that is down, every command would hang on its first call.
 */
export function boundedCredentialChain(limits: CallLimits): (init: object) => ReturnType<typeof defaultProvider> {
  // Only the handler and the retries: the chain keeps choosing each client's region (SSO's, or the caller's for STS).
  return (init) => defaultProvider({ ...init, clientConfig: { requestHandler: limits.requestHandler, maxAttempts: limits.maxAttempts } });
}

/**
 * Bounds on every AWS call of the CLIs. The SDK's defaults wait without limit and retry three
 * times, so a call into a region that is down could hold a command for minutes, the very moment
 * it is run. A call gives up after 3 s without a connection or 10 s in all (smithy's request
 * timeout is a timer from the request's start, the connect included), and is
 * tried twice; so do the calls the credential chain makes. Without `throwOnRequestTimeout` the
 * SDK's HTTP handler only logs a warning when the answer is late and keeps waiting: an endpoint
 * that accepts connections and never answers would hold the command for good.
 */
export const AWS_CALL_LIMITS = { ...CALL_LIMITS, credentialDefaultProvider: boundedCredentialChain(CALL_LIMITS) } as const;

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
