/** One statement of an authorizer's policy, as far as API Gateway evaluates it for execute-api:Invoke. */
export interface PolicyStatement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
}

/** What a policy says about invoking a method ARN. */
export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

const INVOKE = "execute-api:Invoke";

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function strings(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string") ? value : undefined;
}

/**
 * The statements of a policy document, or a reason it cannot be evaluated. Statement may be one
 * object or a list; each needs Effect Allow/Deny, Action and Resource (a string or a list).
 * NotAction, NotResource and Condition are refused: the real authorizer never uses them, and
 * silently skipping a Deny would allow what API Gateway denies.
 */
export function parsePolicyDocument(document: unknown): PolicyStatement[] | string {
  if (!isRecord(document)) return "policyDocument is not an object";
  const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements: PolicyStatement[] = [];
  for (const statement of list) {
    if (!isRecord(statement)) return "a Statement is not an object";
    const unsupported = ["NotAction", "NotResource", "Condition"].find((field) => field in statement);
    if (unsupported) return `a Statement has ${unsupported}, which the local adapter does not evaluate`;
    const actions = strings(statement.Action);
    const resources = strings(statement.Resource);
    if ((statement.Effect !== "Allow" && statement.Effect !== "Deny") || !actions || !resources) return "a Statement needs Effect Allow or Deny, Action and Resource";
    statements.push({ effect: statement.Effect, actions, resources });
  }
  return statements;
}

/** Compiled wildcard patterns: a cached allow is evaluated on every request, with the same few patterns. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;

/** IAM wildcard matching: `*` any run of characters (`/` and `:` included), `?` any one character. */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const cacheKey = `${caseInsensitive ? "i" : "s"}${pattern}`;
  let regex = compiled.get(cacheKey);
  if (!regex) {
    const source = pattern
      .split("")
      .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    regex = new RegExp(`^${source}$`, caseInsensitive ? "is" : "s");
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(cacheKey, regex);
  }
  return regex.test(value);
}

/**
 * IAM's evaluation for `execute-api:Invoke` on `methodArn`: a Deny that covers it wins, else an
 * Allow that covers it allows, else it is denied implicitly. Action names compare case-insensitively
 * (as IAM's do), resource ARNs case-sensitively.
 */
export function evaluatePolicy(statements: readonly PolicyStatement[], methodArn: string): PolicyDecision {
  const covers = (statement: PolicyStatement) =>
    statement.actions.some((action) => wildcardMatches(action, INVOKE, true)) && statement.resources.some((resource) => wildcardMatches(resource, methodArn));
  const matching = statements.filter(covers);
  if (matching.some((statement) => statement.effect === "Deny")) return "explicit-deny";
  return matching.length > 0 ? "allow" : "implicit-deny";
}
