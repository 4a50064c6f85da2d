import * as z from "zod/mini";
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

function text(max: number) {
  return z.optional(
    z
      .string({ error: "must be a string" })
      .check(
        z.minLength(1, { error: "must not be empty" }),
        z.maxLength(max, { error: `must be at most ${max} characters` }),
        z.regex(NO_CONTROL_CHARACTERS, { error: "must not contain control characters" }),
      ),
  );
}

/** An integer in the safe range (z.int), then the bounds; "too big" for an integer read as unsafe. */
const amountError = (issue: { input: unknown }) =>
  issue.input === undefined
    ? "is required"
    : Number.isInteger(issue.input)
      ? `must be at most ${MAX_AMOUNT_MINOR_UNITS}`
      : "must be an integer number of minor units";

const createPaymentSchema = z.strictObject(
  {
    amount: z
      .int({ error: amountError })
      .check(z.positive({ error: "must be greater than 0" }), z.maximum(MAX_AMOUNT_MINOR_UNITS, { error: `must be at most ${MAX_AMOUNT_MINOR_UNITS}` })),
    currency: z.enum(CURRENCY_CODES, { error: requiredOr("must be a supported ISO 4217 code in uppercase, e.g. USD") }),
    reference: text(MAX_REFERENCE_LENGTH),
    description: text(MAX_DESCRIPTION_LENGTH),
    ...MERCHANT_BODY_FIELDS,
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? "is not a known field" : "must be a JSON object") },
);

/** Checks a parsed JSON body against the strict create schema; unknown fields and `merchantId` are refused one by one. */
export function validateCreatePayment(body: unknown): Parsed<CreatePaymentBody> {
  const result = createPaymentSchema.safeParse(body);
  if (result.success) return valid(result.data);
  const errors = result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: key, message: "is not a known field" }))
      : [{ field: issue.path.map(String).join(".") || "body", message: issue.message }],
  );
  // One message per field: the first check that failed.
  const seen = new Set<string>();
  return { ok: false, errors: errors.filter((error) => !seen.has(error.field) && seen.add(error.field)) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A payment id from a path: a UUID, returned lowercase. */
export function validatePaymentId(id: string | undefined): Parsed<string> {
  return id !== undefined && UUID.test(id) ? valid(id.toLowerCase()) : invalid("id", "must be a UUID");
}
