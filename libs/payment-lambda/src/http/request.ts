import type { APIGatewayProxyEvent } from "aws-lambda";
import { invalid, valid, type Parsed } from "../parsed";
import { isExactInteger, isNumberLiteral, topLevelMembers } from "./json-members";
import { payloadTooLarge, unsupportedMediaType, type Problem } from "./problems";

/** API Gateway allows 10 MB; a payment is a few hundred bytes. */
const MAX_BODY_BYTES = 16 * 1024;

/** The headers of a REST proxy event or of a REQUEST authorizer event. */
export interface HeaderMaps {
  headers: Record<string, string | undefined> | null;
  multiValueHeaders: Record<string, string[] | undefined> | null;
}

/**
 * Every value of a header, whatever the case of its name. REST proxy and REQUEST authorizer
 * events carry both `multiValueHeaders` and `headers`, either of which may be null.
 */
export function headerValues(event: HeaderMaps, name: string): string[] {
  const wanted = name.toLowerCase();
  const matching = <T>(map: Record<string, T> | null | undefined): T[] =>
    Object.entries(map ?? {})
      .filter(([key]) => key.toLowerCase() === wanted)
      .map(([, value]) => value);
  const multi = matching(event.multiValueHeaders).flatMap((values) => (Array.isArray(values) ? values : []));
  const values = multi.length > 0 ? multi : matching(event.headers);
  return values.filter((value): value is string => typeof value === "string");
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** A body the API cannot even read: too large (413), or declared as something other than JSON (415). */
export function bodyTransportProblem(event: APIGatewayProxyEvent): Problem | undefined {
  if (typeof event.body === "string" && Buffer.byteLength(event.body, "utf8") > MAX_BODY_BYTES) return payloadTooLarge(MAX_BODY_BYTES);
  const contentType = headerValues(event, "content-type");
  if (contentType.length > 0 && !contentType.every((value) => JSON_MEDIA_TYPE.test(value))) return unsupportedMediaType();
  return undefined;
}

/** The body as a JSON object. Missing, base64-encoded, non-JSON and non-object bodies are field errors on `body`. */
export function parseJsonObject(event: APIGatewayProxyEvent): Parsed<Record<string, unknown>> {
  const { body } = event;
  if (body === null || body === undefined || body === "") return invalid("body", "is required: a JSON object");
  if (typeof body !== "string") return invalid("body", "must be a JSON object");
  // Only JSON text is accepted: the API must not declare binary media types.
  if (event.isBase64Encoded === true) return invalid("body", "must be JSON text, not base64-encoded");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return invalid("body", "is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return invalid("body", "must be a JSON object");
  return asWritten(body, parsed as Record<string, unknown>);
}

/**
 * What JSON.parse hides, put back: a name given twice is refused (the parser keeps the last,
 * another reader might take the first), and a number that is not an integer as written but
 * parsed to one (`0.99999999999999999` → 1, `1000000000000.00001` → 10^12) becomes NaN, which no
 * field accepts: an amount is never rounded into range.
 */
function asWritten(text: string, parsed: Record<string, unknown>): Parsed<Record<string, unknown>> {
  const members = topLevelMembers(text);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { key } of members) (seen.has(key) ? repeated : seen).add(key);
  if (repeated.size > 0) return { ok: false, errors: [...repeated].map((field) => ({ field, message: "must appear only once" })) };
  for (const { key, source } of members) {
    if (isNumberLiteral(source) && !isExactInteger(source) && Number.isInteger(parsed[key])) {
      Object.defineProperty(parsed, key, { value: Number.NaN, enumerable: true, writable: true, configurable: true });
    }
  }
  return valid(parsed);
}

const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** 1–255 printable ASCII characters, not starting or ending with a space. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** The Idempotency-Key header: required, exactly one, 1–255 printable ASCII characters. */
export function idempotencyKey(event: APIGatewayProxyEvent): Parsed<string> {
  const values = headerValues(event, IDEMPOTENCY_KEY_HEADER);
  if (values.length === 0) return invalid(IDEMPOTENCY_KEY_HEADER, "header is required on POST");
  if (values.length > 1) return invalid(IDEMPOTENCY_KEY_HEADER, "header must be sent once");
  const key = values[0]!;
  return IDEMPOTENCY_KEY.test(key) ? valid(key) : invalid(IDEMPOTENCY_KEY_HEADER, "must be 1-255 printable ASCII characters, without leading or trailing spaces");
}
