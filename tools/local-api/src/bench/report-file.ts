import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { UsageError } from "../cli-args";

/**
 * The absolute path of `--out`, checked before anything is measured: a report that cannot be
 * written (a file another user owns in /tmp, a parent that is a file) fails the bench at once,
 * not after its three minutes. Creates the missing directories, never the file.
 */
export async function writableReportPath(out: string, cwd = process.cwd()): Promise<string> {
  const path = resolve(cwd, out);
  try {
    await mkdir(dirname(path), { recursive: true });
    await access(path, constants.W_OK).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      await access(dirname(path), constants.W_OK);
    });
  } catch (error) {
    throw new UsageError(`--out ${out}: cannot write the report there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose another file, e.g. --out dist/bench.md`);
  }
  return path;
}
