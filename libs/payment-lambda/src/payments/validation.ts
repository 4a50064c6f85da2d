import * as v from "valibot";
import { invalid, valid, type Parsed } from "../parsed";
import { CURRENCY_CODES, type CurrencyCode } from "./currencies";
import { MERCHANT_BODY_FIELDS } from "./merchant";

/** The largest amount accepted, in minor units: far below Number.MAX_SAFE_INTEGER, so never rounded. */
export const MAX_AMOUNT_MINOR_UNITS = 1_000_000_000_000;
export const MAX_REFERENCE_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 255;

/** A validated create body: what the merchant asks for. */
export interface CreatePaymentBody {
  /** Integer minor units of `currency`, 1 … 10^12. */
  amount: number;
  currency: CurrencyCode;
  reference?: string;
  description?: string;
}

/** A create request: the validated body, for the merchant of the caller's API key. */
export interface CreatePaymentRequest extends CreatePaymentBody {
  merchantId: string;
}

const requiredOr = (message: string) => (issue: { input: unknown }) => (issue.input === undefined ? "is required" : message);

/** No control characters: they break logs and statements downstream. */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
/** No unpaired surrogates: not text, and the driver would store U+FFFD in their place, not what the merchant sent. */
const NO_LONE_SURROGATES = /^[^\p{Cs}]*$/u;
/**
 * No U+FFFD: it stands for bytes that were not UTF-8, replaced on their way here. Stored, the
 * merchant's reference would no longer be what they sent, and two different ones could read alike.
 */
const NO_REPLACEMENT_CHARACTER = /^[^\uFFFD]*$/u;

/** Optional text of at most `max` characters, counted as code points like PostgreSQL's `varchar(max)` (not UTF-16 units). */
function text(max: number) {
  return v.optional(
    v.pipe(
      v.string("must be a string"),
      v.minLength(1, "must not be empty"),
      v.maxCodePoints(max, `must be at most ${max} characters`),
      v.regex(NO_CONTROL_CHARACTERS, "must not contain control characters"),
      v.regex(NO_LONE_SURROGATES, "must be valid Unicode text (an unpaired surrogate is not)"),
      v.regex(NO_REPLACEMENT_CHARACTER, "must be valid UTF-8 text (U+FFFD stands for bytes that were not)"),
    ),
  );
}

/** A safe integer, then the bounds; "too big" for an integer read as unsafe (e.g. 1e20, whatever its sign). */
const amountError = (issue: { input: unknown }) =>
  issue.input === undefined
    ? "is required"
    : Number.isInteger(issue.input)
      ? `must be at most ${MAX_AMOUNT_MINOR_UNITS}`
      : "must be an integer number of minor units";

const createPaymentSchema = v.strictObject(
  {
    amount: v.pipe(
      v.number(amountError),
      v.safeInteger(amountError),
      v.gtValue(0, "must be greater than 0"),
      v.maxValue(MAX_AMOUNT_MINOR_UNITS, `must be at most ${MAX_AMOUNT_MINOR_UNITS}`),
    ),
    currency: v.picklist(CURRENCY_CODES, requiredOr("must be a supported ISO 4217 code in uppercase, e.g. USD")),
    reference: text(MAX_REFERENCE_LENGTH),
    description: text(MAX_DESCRIPTION_LENGTH),
    ...MERCHANT_BODY_FIELDS,
  },
  // The object's own issues: not an object, a required field missing, an unknown field.
  (issue) => (!issue.path ? "must be a JSON object" : issue.input === undefined ? "is required" : "is not a known field"),
);

/** One message per field: the first check that failed (a field's later checks do not run). */
const FIRST_ISSUE_PER_FIELD = { abortPipeEarly: true } as const;

/** The issue of an unknown key: valibot's strictObject raises it for the first one only. */
const isUnknownKeyIssue = (issue: v.BaseIssue<unknown>) => issue.type === "strict_object" && issue.expected === "never";

/** Every key of `body` the schema does not know, enumerated as strictObject does (`for…in`). */
function unknownKeys(body: object): string[] {
  const keys: string[] = [];
  for (const key in body) if (!Object.hasOwn(createPaymentSchema.entries, key)) keys.push(key);
  return keys;
}

/** Checks a parsed JSON body against the strict create schema; unknown fields and `merchantId` are refused one by one. */
export function validateCreatePayment(body: unknown): Parsed<CreatePaymentBody> {
  // valibot takes an array for an object; a JSON array is not a body.
  if (Array.isArray(body)) return invalid("body", "must be a JSON object");
  const result = v.safeParse(createPaymentSchema, body, FIRST_ISSUE_PER_FIELD);
  if (result.success) return valid(result.output);
  return {
    ok: false,
    errors: result.issues.flatMap((issue) =>
      isUnknownKeyIssue(issue)
        ? // Each unknown key, not just the first (the issue comes after every known field's).
          unknownKeys(body as object).map((key) => ({ field: key, message: "is not a known field" }))
        : [{ field: v.getDotPath(issue) || "body", message: issue.message }],
    ),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A payment id from a path: a UUID, returned lowercase. */
export function validatePaymentId(id: string | undefined): Parsed<string> {
  return id !== undefined && UUID.test(id) ? valid(id.toLowerCase()) : invalid("id", "must be a UUID");
}
