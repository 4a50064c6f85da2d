import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type { ClientBase } from "pg";
import type { DbSecret } from "./credentials";

/** The role the payment functions connect as (migrations/003_create_app_role.sql grants it its rows). */
export const APP_ROLE = "payments_app";

/** PostgreSQL's default iteration count for SCRAM-SHA-256 verifiers. */
const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, PostgreSQL's stored form):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Handing PostgreSQL the verifier
 * instead of the password keeps the password itself out of the statement, so out of any
 * statement log too. Printable ASCII only (the generated passwords are): SASLprep leaves such a
 * password as it is, so no normalization can make client and verifier disagree.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  if (!/^[\x20-\x7e]+$/.test(password)) throw new Error("The app role's password must be printable ASCII");
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/**
 * Lets the app role log in with the app secret's password (run by the migrate function, as the
 * master user, after the migrations created the role). Idempotent: running it again sets the
 * same password. The secret must name the app role: credentials of another user are refused.
 */
export async function setAppRolePassword(client: ClientBase, secret: DbSecret): Promise<void> {
  if (secret.username !== APP_ROLE) throw new Error(`The app credentials secret names user "${secret.username}", not ${APP_ROLE}`);
  // A verifier holds only base64 characters, `$` and `:`; escapeLiteral quotes it all the same.
  await client.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD ${client.escapeLiteral(scramSha256Verifier(secret.password))}`);
}
