import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The anchor GitHub gives a heading: lowercase, punctuation dropped (letters, digits, spaces,
 * hyphens and underscores stay), each space a hyphen. So "Planned switchover (drills, …, failback
 * — RPO 0)" is `planned-switchover-drills--failback--rpo-0`: dropped characters leave their spaces.
 */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Text outside fenced code blocks and inline code: what GitHub renders as headings and links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors of a file's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const anchor = headingAnchor(heading!);
    const count = seen.get(anchor);
    seen.set(anchor, (count ?? -1) + 1);
    anchors.add(count === undefined ? anchor : `${anchor}-${count + 1}`);
  }
  return anchors;
}

/** Directories that hold no Markdown of the project's own: installs, builds, caches, state, git. */
const SKIPPED = new Set(["node_modules", "dist", "coverage"]);

/** The workspace's Markdown files, relative to `root`, without reading git (a tarball has none). */
function markdownFiles(root: string, dir = ""): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) || entry.name.startsWith(".") ? [] : markdownFiles(root, relative);
    return entry.name.endsWith(".md") ? [relative] : [];
  });
}

/** Every relative link of the workspace's Markdown that names no file, or no heading of a Markdown file. */
export function brokenLinks(root: string): string[] {
  const files = markdownFiles(root).sort();
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");
  const broken: string[] = [];
  for (const file of files) {
    for (const [, link] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link!)) continue; // https:, mailto:, …
      const [target = "", anchor] = link!.split("#");
      const targetFile = target === "" ? file : path.normalize(path.join(path.dirname(file), target));
      if (!existsSync(path.join(root, targetFile))) broken.push(`${file}: ${link} (no file ${targetFile})`);
      else if (anchor !== undefined && targetFile.endsWith(".md") && !anchorsOf(read(targetFile)).has(anchor)) {
        broken.push(`${file}: ${link} (no heading #${anchor} in ${targetFile})`);
      }
    }
  }
  return broken;
}
