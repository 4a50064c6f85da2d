import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";

/**
 * The RDS CA bundle the build writes next to the bundle (`rds-ca.pem`), outside the JS so the
 * bundle stays small. In the bundle, __dirname is the function's code directory.
 */
const DEFAULT_CA_FILE = join(__dirname, "rds-ca.pem");

const contexts = new Map<string, SecureContext>();

/**
 * The TLS context that trusts the CA bundle and nothing else, built once per container and
 * shared by every connection. Given `ca` instead, each `tls.connect` builds a context of its own
 * and parses the bundle's 120-odd certificates again: about 20 ms of a whole core, so several
 * times that at a function's fraction of a vCPU, on every connect (the writer's every minute,
 * the primary's `/health` writer probe on each check), and twice in a cold start's first request.
 * Verification is unchanged: the connection still checks the chain against this context and
 * the certificate's names against the host (`rejectUnauthorized`, `servername`).
 */
export function caSecureContext(file: string = DEFAULT_CA_FILE): SecureContext {
  let context = contexts.get(file);
  if (context === undefined) {
    context = createSecureContext({ ca: readFileSync(file, "utf8") });
    contexts.set(file, context);
  }
  return context;
}
