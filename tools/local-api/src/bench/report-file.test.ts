import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import fsPromises from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writableReportPath } from "./report-file";

describe("writableReportPath (the bench's --out, checked before measuring)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "bench-out-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves the path against the working directory and creates its directories, not the file", async () => {
    const path = await writableReportPath("reports/today/bench.md", dir);
    expect(path).toBe(join(dir, "reports/today/bench.md"));
    expect(existsSync(join(dir, "reports/today"))).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it("accepts an existing file it may overwrite", async () => {
    writeFileSync(join(dir, "bench.md"), "old report");
    await expect(writableReportPath("bench.md", dir)).resolves.toBe(join(dir, "bench.md"));
  });

  it("refuses a path under a file, naming --out and the reason", async () => {
    writeFileSync(join(dir, "file"), "");
    await expect(writableReportPath("file/bench.md", dir)).rejects.toThrow(/^--out file\/bench\.md: cannot write the report there \(EEXIST\)/);
  });

  it("refuses a file it may not write", async () => {
    writeFileSync(join(dir, "bench.md"), "");
    chmodSync(join(dir, "bench.md"), 0o444);
    // Root may write anywhere (CI runs as root): there, the refusal everyone else gets is the OS's answer, given here.
    if (process.getuid?.() === 0) jest.spyOn(fsPromises, "access").mockRejectedValueOnce(Object.assign(new Error("permission denied"), { code: "EACCES" }));
    try {
      await expect(writableReportPath("bench.md", dir)).rejects.toThrow(/cannot write the report there \(EACCES\)/);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
