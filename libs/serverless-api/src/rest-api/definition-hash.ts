import { createHash } from "node:crypto";

/**
 * A stable hash of what a deployment snapshots, for its `triggers`: a stage serves the API as
 * it was at its deployment, so a change to a route, the authorizer or a gateway response only
 * reaches clients through a new deployment.
 */
export function definitionHash(definition: unknown): string {
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex");
}
