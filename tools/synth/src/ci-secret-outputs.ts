import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The stack outputs CI's `.github/scripts/stack-outputs.sh` lets stay "[secret]" (its list,
 * `secret-outputs.json`): any other secret output fails that step, and with it every deploy
 * after the stack's. Each app's test holds its secret outputs (`Plan.secretOutputNames`) to it.
 */
export function secretOutputsCiAccepts(): string[] {
  const file = path.resolve(__dirname, "..", "..", "..", ".github", "scripts", "secret-outputs.json");
  return JSON.parse(readFileSync(file, "utf8")) as string[];
}
