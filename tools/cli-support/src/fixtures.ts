import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * For tests: a fresh directory to pass as `--outputs`, holding `<app>.json` for each entry of
 * `outputsByApp` (app → its outputs, as `pulumi stack output --json` prints them).
 */
export function stackOutputsDir(outputsByApp: Record<string, object>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "stack-outputs-"));
  for (const [app, outputs] of Object.entries(outputsByApp)) writeFileSync(path.join(dir, `${app}.json`), JSON.stringify(outputs));
  return dir;
}
