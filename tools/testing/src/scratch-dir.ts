import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

// For tests only (imported as "@payments-dr/testing/scratch-dir", not through the index, which
// the local adapter also uses): it registers a Jest hook when loaded.
const scratchDirs: string[] = [];
// Jest gives each test file its own copy of this module: that file's directories go when its
// tests end, so a run leaves nothing behind in the temporary directory.
afterAll(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system's temporary directory, removed after the test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/**
 * A fresh {@link scratchDir} to pass a CLI as `--outputs`, holding `<app>.json` for each entry
 * of `outputsByApp` (app → its outputs, as `pulumi stack output --json` prints them).
 */
export function stackOutputsDir(outputsByApp: Record<string, object>): string {
  const dir = scratchDir("stack-outputs-");
  for (const [app, outputs] of Object.entries(outputsByApp)) writeFileSync(path.join(dir, `${app}.json`), JSON.stringify(outputs));
  return dir;
}
