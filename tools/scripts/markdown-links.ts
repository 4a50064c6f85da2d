import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The anchor GitHub gives a heading (github-slugger, after Ruby's `[^\p{Word}\- ]`): lowercase,
 * everything but letters, marks, decimal digits, connector punctuation (`_`), hyphens and spaces
 * dropped, each space a hyphen. So "Planned switchover (drills, …, failback — RPO 0)" is
 * `planned-switchover-drills--failback--rpo-0`: dropped characters leave their spaces. Digits
 * such as ² or ½ are dropped; combining accents stay. The heading's rendered text, not its
 * source: a link counts by its text, an HTML tag not at all (both outside code spans).
 */
export function headingAnchor(heading: string): string {
  return headingText(heading)
    .trim()
    .toLowerCase()
    .replace(/[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** What GitHub renders of an ATX heading's source: no closing #s; links as their text, HTML tags gone (not in code spans). */
function headingText(source: string): string {
  return source
    .replace(/(^|[ \t]+)#+[ \t]*$/, "")
    .split(/(`+[^`]*`+)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<\/?[A-Za-z][^>]*>/g, "")))
    .join("");
}

/** The text outside fenced code blocks (``` or ~~~, indented too, as in a list item). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(^[ \t]*\1[ \t]*$|(?![\s\S]))/gm, "");
}

/** Text outside fenced code blocks and inline code: what GitHub renders as headings and links. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, "");
}

/** The anchors of a file's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.+)$/gm)) {
    const anchor = headingAnchor(heading!);
    const count = seen.get(anchor);
    seen.set(anchor, (count ?? -1) + 1);
    anchors.add(count === undefined ? anchor : `${anchor}-${count + 1}`);
  }
  return anchors;
}

/** Directories that hold no Markdown of the project's own: installs, builds, caches, state, git. */
const SKIPPED = new Set(["node_modules", "dist", "coverage"]);
/** Dot-directories are tools' (.nx, .pulumi-state, .git) but for .github, whose Markdown GitHub shows. */
const skipped = (name: string) => SKIPPED.has(name) || (name.startsWith(".") && name !== ".github");

/** The workspace's Markdown files, relative to `root`, without reading git (a tarball has none). */
function markdownFiles(root: string, dir = ""): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return skipped(entry.name) ? [] : markdownFiles(root, relative);
    return entry.name.endsWith(".md") ? [relative] : [];
  });
}

/** A link's path or anchor as GitHub resolves it: percent-escapes decoded (`#caf%C3%A9` is `#café`). */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Every relative link of the workspace's Markdown that names no file, or no heading of a Markdown file. */
export function brokenLinks(root: string): string[] {
  const files = markdownFiles(root).sort();
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");
  const broken: string[] = [];
  for (const file of files) {
    for (const [, link] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link!)) continue; // https:, mailto:, …
      const [target = "", anchor] = link!.split("#").map(decoded);
      const targetFile = target === "" ? file : path.normalize(path.join(path.dirname(file), target));
      if (!existsSync(path.join(root, targetFile))) broken.push(`${file}: ${link} (no file ${targetFile})`);
      else if (anchor !== undefined && targetFile.endsWith(".md") && !anchorsOf(read(targetFile)).has(anchor)) {
        broken.push(`${file}: ${link} (no heading #${anchor} in ${targetFile})`);
      }
    }
  }
  return broken;
}
