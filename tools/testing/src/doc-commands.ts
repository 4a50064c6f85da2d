import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

// For tests only (imported as "@payments-dr/testing/doc-commands"): the command lines the
// documents give, so that tests can hold each one against what it runs.

/** One simple command a document gives, as the shell would split it into words. */
export interface DocCommand {
  /** The document, relative to the workspace root. */
  file: string;
  /** The line the command starts on (1-based). */
  line: number;
  /** The code it came from, as written (a whole fenced line, or an inline code span). */
  text: string;
  /** Its words, quotes removed, without leading `VAR=value` assignments or redirections. */
  words: string[];
}

/** Where command lines are given: the README, docs/*.md, and each app's, lib's and tool's own README. */
export function documentedFiles(root: string): string[] {
  const docs = readdirSync(path.join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  const readmes = ["apps", "libs", "tools"].flatMap((dir) => readdirSync(path.join(root, dir)).map((name) => `${dir}/${name}/README.md`));
  return ["README.md", ...docs.sort(), ...readmes.sort().filter((file) => existsSync(path.join(root, file)))];
}

/** Every simple command of the {@link documentedFiles}. */
export function documentedCommands(root: string): DocCommand[] {
  return documentedFiles(root).flatMap((file) => commandsOf(file, readFileSync(path.join(root, file), "utf8")));
}

/** The info strings of fences that hold shell: `ts`, `json`, `text`, `mermaid` hold none. */
const SHELL_FENCES = new Set(["", "sh", "bash", "shell", "console"]);

/**
 * The simple commands of one Markdown file: those of each line of a shell fence (a line ending
 * in `\` continues on the next), and of each inline code span, in prose or in a fenced line's
 * `#` comment. A span may run over a line break, never over a blank line (CommonMark).
 */
export function commandsOf(file: string, markdown: string): DocCommand[] {
  const lines = markdown.split("\n");
  const found: DocCommand[] = [];
  const add = (line: number, text: string) => {
    const { commands, comment } = shellCommands(text);
    for (const words of commands) found.push({ file, line, text: text.trim(), words });
    if (comment) for (const span of codeSpans(comment)) add(line, span.text);
  };
  let paragraph: { line: number; text: string } | undefined;
  const endParagraph = () => {
    if (paragraph) for (const span of codeSpans(paragraph.text)) add(paragraph.line + span.line, span.text);
    paragraph = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const open = /^[ \t]*(`{3,}|~{3,})[ \t]*([^`\s]*)/.exec(lines[i]!);
    if (!open) {
      if (lines[i]!.trim() === "") endParagraph();
      else if (paragraph) paragraph.text += `\n${lines[i]}`;
      else paragraph = { line: i + 1, text: lines[i]! };
      continue;
    }
    endParagraph();
    const [, fence, info] = open;
    const closes = new RegExp(`^[ \\t]*${fence![0]}{${fence!.length},}[ \\t]*$`);
    const shell = SHELL_FENCES.has(info!.toLowerCase());
    for (i++; i < lines.length && !closes.test(lines[i]!); i++) {
      if (!shell) continue;
      const start = i;
      let text = lines[i]!;
      while (text.endsWith("\\") && i + 1 < lines.length && !closes.test(lines[i + 1]!)) text = `${text.slice(0, -1)} ${lines[++i]}`;
      add(start + 1, text);
    }
  }
  endParagraph();
  return found;
}

/** The inline code spans of a paragraph, with the line (0-based, within it) each starts on. */
function codeSpans(paragraph: string): { line: number; text: string }[] {
  return [...paragraph.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)].map((match) => ({
    line: paragraph.slice(0, match.index).split("\n").length - 1,
    text: match[2]!.replace(/\s*\n\s*/g, " ").trim(),
  }));
}

/** A `<placeholder>` (it may hold spaces: `<merchant id>`), an ellipsis, or what the shell would substitute. */
export function isPlaceholder(word: string): boolean {
  return /^<[^<>]+>$/.test(word) || word.includes("…") || /\$[({A-Za-z_]/.test(word);
}

/** `VAR=value` before a command: an assignment, not the command. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** `>`, `>>`, `<`, `2>`, `2>&`: their target is no argument either. */
const REDIRECTION = /^\d*(>>?|<)&?/;

/**
 * A line of shell split into simple commands (at `&&`, `||`, `|`, `;`, `&`) and words, as far
 * as documents need: quotes, backslashes, `$(…)` kept whole in its word, redirections dropped,
 * and `<…>` read as one placeholder word (in a document it is never a redirection from a file
 * named like that). `comment` is the text after an unquoted `#` that starts a word.
 */
export function shellCommands(line: string): { commands: string[][]; comment?: string } {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let redirect = false;
  const endWord = () => {
    if (word !== undefined) {
      if (redirect) redirect = false;
      else words.push(word);
    }
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    const first = words.findIndex((w) => !ASSIGNMENT.test(w));
    if (first >= 0) commands.push(words.slice(first));
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const rest = line.slice(i);
    if (/\s/.test(c)) {
      endWord();
    } else if (word === undefined && c === "#") {
      endCommand();
      return { commands, comment: line.slice(i + 1) };
    } else if (/^(&&|\|\||[|;&])/.test(rest)) {
      endCommand();
      if (/^(&&|\|\|)/.test(rest)) i++;
    } else if (word === undefined && /^<[^<>\s][^<>]*>/.test(rest)) {
      const placeholder = /^<[^<>]*>/.exec(rest)![0];
      word = placeholder;
      i += placeholder.length - 1;
    } else if (word === undefined && REDIRECTION.test(rest)) {
      // A redirection: neither it nor its target is an argument (`> status.json`, `2>/dev/null`).
      i += REDIRECTION.exec(rest)![0].length - 1;
      redirect = true;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word = (word ?? "") + line.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      let text = "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && /["\\$`]/.test(line[i + 1] ?? "")) text += line[++i];
        else text += line[i];
      }
      word = (word ?? "") + text;
    } else if (c === "\\") {
      word = (word ?? "") + (line[++i] ?? "");
    } else if (rest.startsWith("$(")) {
      let depth = 0;
      let end = i;
      for (; end < line.length; end++) {
        if (line[end] === "(") depth++;
        else if (line[end] === ")" && --depth === 0) break;
      }
      word = (word ?? "") + line.slice(i, end + 1);
      i = end;
    } else {
      word = (word ?? "") + c;
    }
  }
  endCommand();
  return { commands };
}

/** A documented line that runs a CLI: the argv the CLI gets, or why none can be made. */
export type CliLine = Omit<DocCommand, "words"> & ({ argv: string[] } | { problem: string });

/**
 * The documented lines that run the CLI of the project at `projectRoot` (a `tools/<cli>` whose
 * targets forward their options to `node <bundle> <command>`): `npx nx run <project>:<target> --
 * <options>`, as the argv the target hands the CLI, and `node <bundle> <arguments>`. A
 * `<placeholder>` value of an option becomes `samples[option]`, a value of the right shape; a
 * placeholder anywhere else (`dr:<command>`, `node <bundle> …`) makes the line a pattern, not a
 * line to paste, and it is left out. Other targets (build, test…) run no CLI and are left out too.
 */
export function cliLines(root: string, projectRoot: string, samples: Record<string, string>): CliLine[] {
  const project = JSON.parse(readFileSync(path.join(root, projectRoot, "project.json"), "utf8")) as {
    name: string;
    targets: Record<string, { options?: { command?: string; forwardAllArgs?: boolean } }>;
  };
  // The CLI's targets are those that hand their options on (`build` runs node too, but not the CLI).
  const runs = new Map<string, string[]>();
  for (const [target, { options }] of Object.entries(project.targets)) {
    const words = options?.forwardAllArgs === true && options.command !== undefined ? shellCommands(options.command).commands : [];
    if (words.length === 1 && words[0]![0] === "node" && words[0]!.length > 2) runs.set(target, words[0]!.slice(1));
  }
  const bundle = [...runs.values()][0]?.[0];
  if (bundle === undefined) throw new Error(`${projectRoot}/project.json: no target runs \`node <bundle> <command>\``);
  return documentedCommands(root).flatMap(({ words, ...where }): CliLine[] => {
    const nx = words[0] === "npx" ? words.slice(1) : words;
    if (nx[0] === "nx" && nx[1] === "run" && nx[2]?.startsWith(`${project.name}:`)) {
      const target = nx[2].slice(project.name.length + 1);
      const command = runs.get(target);
      if (command === undefined) return [];
      const rest = nx.slice(3);
      const dashes = rest.indexOf("--");
      const forNx = dashes < 0 ? rest : rest.slice(0, dashes);
      // Nx reads the options before `--` first, and keeps some (--parallel, --color): the docs pass the CLI's after it.
      if (forNx.length > 0) return [{ ...where, problem: `${forNx.join(" ")} before \`--\`: Nx reads it, write it after \`--\`` }];
      return withSamples(where, [...command.slice(1), ...rest.slice(dashes + 1)], samples);
    }
    // `node <bundle>` alone names the bundle in prose; it runs nothing.
    if (words[0] === "node" && words[1] === bundle && words.length > 2) return withSamples(where, words.slice(2), samples);
    return [];
  });
}

/**
 * Why the CLI would refuse each documented line, as `<file>:<line>: <text> → <reason>`; none
 * when it takes them all. `check` throws (a parser does) or answers the reason it refuses an argv.
 */
export function refusedCliLines(lines: readonly CliLine[], check: (argv: string[]) => string | undefined | void): string[] {
  return lines.flatMap((line) => {
    let reason: string | undefined;
    if ("problem" in line) reason = line.problem;
    else {
      try {
        reason = check(line.argv) ?? undefined;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    return reason === undefined ? [] : [`${line.file}:${line.line}: ${line.text} → ${reason}`];
  });
}

/** The commands the documented lines run (their argv[0]), sorted. */
export function documentedCliCommands(lines: readonly CliLine[]): string[] {
  return [...new Set(lines.flatMap((line) => ("argv" in line ? [line.argv[0]!] : [])))].sort();
}

/** `argv` with each placeholder option value replaced by its sample; nothing when it is a pattern (see {@link cliLines}). */
function withSamples(where: Omit<DocCommand, "words">, argv: string[], samples: Record<string, string>): CliLine[] {
  const filled: string[] = [];
  for (const [i, word] of argv.entries()) {
    if (!isPlaceholder(word)) filled.push(word);
    else if (!argv[i - 1]?.startsWith("--") || argv[i - 1]!.includes("=")) return [];
    else {
      const option = argv[i - 1]!.slice(2);
      const sample = samples[option];
      if (sample === undefined) return [{ ...where, problem: `no sample value for --${option} ${word}: add one, of the shape the CLI checks` }];
      filled.push(sample);
    }
  }
  return [{ ...where, argv: filled }];
}
