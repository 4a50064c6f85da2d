/** A member of a JSON object as written: its decoded name and its value's source text. */
export interface JsonMember {
  key: string;
  source: string;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * The members of a JSON object text, in order, duplicates included: what `JSON.parse` hides
 * (it keeps the last of a repeated name, and rounds a number to the nearest double). The text
 * must be a valid JSON object (parse it first).
 */
export function topLevelMembers(text: string): JsonMember[] {
  const members: JsonMember[] = [];
  let i = skipWhitespace(text, skipWhitespace(text, 0) + 1);
  if (text[i] === "}") return members;
  for (;;) {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = valueEndAt(text, valueStart);
    members.push({ key, source: text.slice(valueStart, valueEnd) });
    i = skipWhitespace(text, valueEnd);
    if (text[i] !== ",") return members;
    i = skipWhitespace(text, i + 1);
  }
}

const NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Whether a JSON number, as written, is exactly an integer: `100`, `100.0` and `1e2` are;
 * `0.99999999999999999` is not, though it parses to 1. Not a number literal: false.
 */
export function isExactInteger(literal: string): boolean {
  const match = NUMBER.exec(literal);
  if (!match) return false;
  const [, whole, fraction = "", exponent = "0"] = match;
  const digits = whole! + fraction;
  const scale = Number(exponent) - fraction.length;
  return scale >= 0 || /^0*$/.test(digits.slice(Math.max(0, digits.length + scale)));
}

/** Whether a value's source text is a JSON number. */
export const isNumberLiteral = (source: string): boolean => NUMBER.test(source);

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

/** The index just past the string that starts (with its quote) at `i`. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** The index just past the value that starts at `i`: a string, an object or array (skipped whole), or a literal. */
function valueEndAt(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    let j = i;
    do {
      const c = text[j];
      if (c === '"') {
        j = stringEnd(text, j);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") depth--;
      j++;
    } while (depth > 0);
    return j;
  }
  let j = i;
  while (j < text.length && !WHITESPACE.has(text[j]!) && text[j] !== "," && text[j] !== "}") j++;
  return j;
}
