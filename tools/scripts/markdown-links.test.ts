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
    // github-slugger's answers (GitHub's): digits other than 0-9 dropped, combining accents and ‿ kept.
    ["The payment service (`npx nx run payment-lambda:bench -- --out <file>`)", "the-payment-service-npx-nx-run-payment-lambdabench------out-file"],
    ["Unplanned failover — the writer's region is down", "unplanned-failover--the-writers-region-is-down"],
    ["a/b.c → d & e", "abc--d--e"],
    ["x² ½ ①", "x--"],
    ["cafe\u0301 naïve 日本語", "cafe\u0301-naïve-日本語"],
    ["snake_case‿tie", "snake_case‿tie"],
    // The rendered text: no closing #s, a link by its text, no HTML tag (but a code span's <file> is text).
    ["Notes ##", "notes"],
    ["See [the runbook](docs/runbook.md#drill) <kbd>now</kbd>", "see-the-runbook-now"],
  ])("%s → #%s", (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });

  it("numbers a repeated heading, and ignores headings inside code blocks", () => {
    expect([...anchorsOf("# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n")]).toEqual(["a", "notes", "notes-1"]);
    // Fences indented in a list item, or of tildes, hide their # lines too; a heading may be indented up to 3 spaces.
    expect([...anchorsOf("- step\n  ```sh\n# not a heading\n  ```\n~~~\n# nor this\n~~~\n   ## Indented\n")]).toEqual(["indented"]);
  });

  it("reports a missing file and a missing heading, and ignores external links, links inside code and installed packages' docs", () => {
    const root = mkdtempSync(path.join(tmpdir(), "md-links-"));
    try {
      mkdirSync(path.join(root, "docs"));
      writeFileSync(path.join(root, "README.md"), "# Top\n[ok](docs/a.md#section) [self](#top) [web](https://example.com/x#y) `[code](nowhere.md)`\n[gone](docs/b.md) [wrong](docs/a.md#nope)\n");
      mkdirSync(path.join(root, "node_modules/pkg"), { recursive: true });
      writeFileSync(path.join(root, "node_modules/pkg/README.md"), "[not ours](missing.md)\n");
      mkdirSync(path.join(root, ".nx/cache"), { recursive: true });
      writeFileSync(path.join(root, ".nx/cache/README.md"), "[not ours](missing.md)\n");
      mkdirSync(path.join(root, ".github"));
      writeFileSync(path.join(root, ".github/CONTRIBUTING.md"), "[ours](../README.md#top) [percent](../docs/a.md#s%C3%A9ction) [gone](../nope.md)\n");
      writeFileSync(path.join(root, "docs/a.md"), "## Section\n[up](../README.md#top)\n## Séction\n");
      expect(brokenLinks(root)).toEqual([
        ".github/CONTRIBUTING.md: ../nope.md (no file nope.md)",
        "README.md: docs/b.md (no file docs/b.md)",
        "README.md: docs/a.md#nope (no heading #nope in docs/a.md)",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
