import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { anchorsOf, brokenLinks, headingAnchor } from "./markdown-links";

const WORKSPACE = path.resolve(__dirname, "../..");

describe("the repository's Markdown links", () => {
  it("all lead somewhere: each relative link names a file, and each #anchor a heading of it (README, docs, the libs' and tools' READMEs)", () => {
    expect(brokenLinks(WORKSPACE)).toEqual([]);
  });
});

describe("headingAnchor and anchorsOf (GitHub's rules)", () => {
  it.each([
    ["Where this differs from DESIGN.md", "where-this-differs-from-designmd"],
    ["Planned switchover (drills, maintenance, failback — RPO 0)", "planned-switchover-drills-maintenance-failback--rpo-0"],
    ["Before anything: how the CLI finds the deployment", "before-anything-how-the-cli-finds-the-deployment"],
    ["`dr failover` and `--force`", "dr-failover-and---force"],
  ])("%s → #%s", (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });

  it("numbers a repeated heading, and ignores headings inside code blocks", () => {
    expect([...anchorsOf("# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n")]).toEqual(["a", "notes", "notes-1"]);
  });

  it("reports a missing file and a missing heading, and ignores external links, links inside code and installed packages' docs", () => {
    const root = mkdtempSync(path.join(tmpdir(), "md-links-"));
    try {
      mkdirSync(path.join(root, "docs"));
      writeFileSync(path.join(root, "README.md"), "# Top\n[ok](docs/a.md#section) [self](#top) [web](https://example.com/x#y) `[code](nowhere.md)`\n[gone](docs/b.md) [wrong](docs/a.md#nope)\n");
      writeFileSync(path.join(root, "docs/a.md"), "## Section\n[up](../README.md#top)\n");
      mkdirSync(path.join(root, "node_modules/pkg"), { recursive: true });
      writeFileSync(path.join(root, "node_modules/pkg/README.md"), "[not ours](missing.md)\n");
      expect(brokenLinks(root)).toEqual(["README.md: docs/b.md (no file docs/b.md)", "README.md: docs/a.md#nope (no heading #nope in docs/a.md)"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
