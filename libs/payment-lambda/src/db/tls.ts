import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The RDS CA bundle the build writes next to the bundle (`rds-ca.pem`), outside the JS so the
 * bundle stays small. In the bundle, __dirname is the function's code directory.
 */
const DEFAULT_CA_FILE = join(__dirname, "rds-ca.pem");

const bundles = new Map<string, string>();

/** The CA bundle, read from disk once per container. */
export function readCaBundle(file: string = DEFAULT_CA_FILE): string {
  let pem = bundles.get(file);
  if (pem === undefined) {
    pem = readFileSync(file, "utf8");
    bundles.set(file, pem);
  }
  return pem;
}
