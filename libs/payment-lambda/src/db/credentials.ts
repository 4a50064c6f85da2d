import * as v from "valibot";
import { cachedUntilRejected } from "../cached-promise";

/** The DB secret's JSON (Secrets Manager's RDS shape; `host` is not used: endpoints come from the environment). */
export interface DbSecret {
  username: string;
  password: string;
  port: number;
  dbname: string;
}

/** Credentials fetched once and kept, until the database refuses them. */
export interface CredentialsProvider {
  get(): Promise<DbSecret>;
  /** Forget the cached secret (after an authentication failure: it may have been rotated). */
  invalidate(): void;
}

const nonEmpty = () => v.pipe(v.string(), v.minLength(1));
const secretSchema = v.object({
  username: nonEmpty(),
  password: nonEmpty(),
  // A number or a numeric string (the RDS shape has both), 5432 when absent.
  port: v.optional(v.pipe(v.unknown(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(65535)), 5432),
  dbname: nonEmpty(),
});

/** Parses the secret's JSON. The error names the bad keys only: the string holds a password. */
export function parseDbSecret(secretString: string | undefined): DbSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString ?? "");
  } catch {
    throw new Error("The DB secret is not JSON");
  }
  // Else its only issue has no key to name ("lacks valid " and nothing after it).
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("The DB secret is not a JSON object");
  const result = v.safeParse(secretSchema, json);
  if (!result.success) throw new Error(`The DB secret lacks valid ${[...new Set(result.issues.map((i) => v.getDotPath(i) ?? ""))].join(", ")}`);
  return result.output;
}

/** Reads a secret's string. */
export type SecretFetcher = (secretId: string) => Promise<string | undefined>;

/**
 * Secrets Manager, with tight budgets (a cold start must stay well under API Gateway's 29 s).
 * The SDK is imported on the first fetch, not at module load: the secret is read once per
 * container, so its client has no business in every cold start's import time.
 */
function secretsManagerFetcher(): SecretFetcher {
  const client = cachedUntilRejected(async () => {
    const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    const sdk = new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true } });
    return async (secretId: string) => (await sdk.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  });
  return async (secretId) => (await client.get())(secretId);
}

/** The secret `secretId`, fetched on first use and cached for the life of the container. */
export function secretsManagerCredentials(secretId: string, fetchSecret: SecretFetcher = secretsManagerFetcher()): CredentialsProvider {
  const secret = cachedUntilRejected(() => fetchSecret(secretId).then(parseDbSecret));
  return { get: secret.get, invalidate: secret.clear };
}
