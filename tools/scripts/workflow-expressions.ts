/**
 * The part of GitHub Actions' expression language the workflows use (`!`, `==`, `!=`, `&&`, `||`,
 * parentheses, string and decimal number literals, context paths, `format` and the status functions), evaluated as
 * GitHub does: `&&` and `||` give one of their operands, `==` compares strings ignoring case and
 * values of different types as numbers, a missing property is null. Anything else throws, so a
 * workflow that starts using more fails the tests that read it here instead of being misjudged.
 * actionlint checks the syntax and contexts; this answers what a condition decides.
 */
export type Value = string | number | boolean | null | { [key: string]: unknown };
export type Functions = Record<string, (...args: Value[]) => Value>;

type Token = { kind: "op" | "string" | "number" | "path"; text: string };

const TOKEN = /\s*(?:(\|\||&&|==|!=|!|\(|\)|,)|'((?:[^']|'')*)'|(\d+(?:\.\d+)?)(?![A-Za-z0-9_.])|([A-Za-z_][A-Za-z0-9_.-]*))/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`unsupported expression at ${at}: ${expression}`);
    if (match[1] !== undefined) tokens.push({ kind: "op", text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: "string", text: match[2].replace(/''/g, "'") });
    else if (match[3] !== undefined) tokens.push({ kind: "number", text: match[3] });
    else tokens.push({ kind: "path", text: match[4] });
  }
  return tokens;
}

export function truthy(value: Value): boolean {
  return !(value === false || value === null || value === "" || value === 0 || Number.isNaN(value));
}

/** A value as GitHub coerces it to a number: null 0, booleans 0/1, a string its JSON number ('' is 0), anything else NaN. */
function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text === "") return 0;
    return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  }
  return Number.NaN;
}

/**
 * GitHub's loose `==`: strings ignoring case, same types as they are, and mismatched types as
 * numbers, so a missing property equals '' (null and '' are both 0) and `true == 'true'` is false.
 */
function equal(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  const kind = (value: Value) => (value === null ? "null" : typeof value);
  if (kind(a) === kind(b)) return a === b;
  return toNumber(a) === toNumber(b);
}

function lookup(context: Record<string, unknown>, path: string): Value {
  let value: unknown = context;
  for (const key of path.split(".")) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value === undefined ? null : (value as Value);
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluate(expression: string, context: Record<string, unknown>, functions: Functions = {}): Value {
  const tokens = tokenize(expression);
  let next = 0;
  const peek = () => tokens[next]?.text;
  const expect = (text: string) => {
    if (tokens[next]?.text !== text) throw new Error(`expected ${text} in: ${expression}`);
    next++;
  };
  // Lazy operands, as GitHub's: the right side of a decided && or || is never evaluated.
  type Lazy = () => Value;
  const or = (): Lazy => {
    let left = and();
    while (peek() === "||") {
      next++;
      const [a, b] = [left, and()];
      left = () => {
        const value = a();
        return truthy(value) ? value : b();
      };
    }
    return left;
  };
  const and = (): Lazy => {
    let left = comparison();
    while (peek() === "&&") {
      next++;
      const [a, b] = [left, comparison()];
      left = () => {
        const value = a();
        return truthy(value) ? b() : value;
      };
    }
    return left;
  };
  const comparison = (): Lazy => {
    let left = unary();
    while (peek() === "==" || peek() === "!=") {
      const negate = tokens[next++].text === "!=";
      const [a, b] = [left, unary()];
      left = () => equal(a(), b()) !== negate;
    }
    return left;
  };
  const unary = (): Lazy => {
    if (peek() === "!") {
      next++;
      const operand = unary();
      return () => !truthy(operand());
    }
    return primary();
  };
  const primary = (): Lazy => {
    const token = tokens[next++];
    if (!token) throw new Error(`unexpected end of: ${expression}`);
    if (token.text === "(" && token.kind === "op") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token.kind === "string") return () => token.text;
    if (token.kind === "number") return () => Number(token.text);
    if (token.kind !== "path") throw new Error(`unexpected ${token.text} in: ${expression}`);
    if (token.text === "true" || token.text === "false") return () => token.text === "true";
    if (token.text === "null") return () => null;
    if (peek() !== "(") return () => lookup(context, token.text);
    next++;
    const args: Lazy[] = [];
    while (peek() !== ")") {
      args.push(or());
      if (peek() === ",") next++;
    }
    expect(")");
    const fn = token.text === "format" ? format : functions[token.text];
    if (!fn) throw new Error(`unsupported function ${token.text} in: ${expression}`);
    return () => fn(...args.map((arg) => arg()));
  };
  const result = or();
  if (next !== tokens.length) throw new Error(`unexpected ${tokens[next].text} in: ${expression}`);
  return result();
}

function format(template: Value, ...args: Value[]): Value {
  return String(template).replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)] ?? ""));
}

/** A workflow value: a whole `${{ expr }}` gives the expression's value, text with `${{ }}` inside gives text. */
export function interpolate(value: unknown, context: Record<string, unknown>, functions: Functions = {}): Value {
  if (typeof value !== "string") return value as Value;
  const whole = /^\$\{\{(.*)\}\}$/s.exec(value.trim());
  if (whole && !whole[1].includes("${{")) return evaluate(whole[1], context, functions);
  return value.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => {
    const result = evaluate(expression, context, functions);
    return result === null ? "" : String(result);
  });
}

/** A job's `if:`, as GitHub reads it: `${{ }}` optional, and `success() &&` implied when no status function is called. */
export function jobCondition(condition: string | undefined): string {
  const expression = condition === undefined ? "success()" : condition.trim().replace(/^\$\{\{(.*)\}\}$/s, "$1");
  return /\b(success|failure|cancelled|always)\(\)/.test(expression) ? expression : `success() && (${expression})`;
}
