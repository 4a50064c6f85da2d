import type { APIGatewayProxyEvent } from "aws-lambda";
import * as z from "zod/mini";

/**
 * Who the merchant is: the one place that knows. Today the create body carries `merchantId`;
 * when the Lambda authorizer arrives, `merchantOf` reads `event.requestContext.authorizer` and
 * `MERCHANT_BODY_FIELDS` becomes empty, so a body naming a merchant is refused as an unknown field.
 */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** The body fields that identify the merchant, merged into the strict create schema. */
export const MERCHANT_BODY_FIELDS = {
  merchantId: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .check(z.regex(MERCHANT_ID_PATTERN, { error: "must be 3-64 characters: letters, digits, '_' or '-', starting with a letter or digit" })),
};

/**
 * The merchant a request acts for, or undefined when the request does not say (a GET today:
 * such reads are not scoped to a merchant until the authorizer supplies one).
 */
export function merchantOf(event: APIGatewayProxyEvent, body: { merchantId: string }): string;
export function merchantOf(event: APIGatewayProxyEvent, body?: { merchantId: string }): string | undefined;
export function merchantOf(_event: APIGatewayProxyEvent, body?: { merchantId: string }): string | undefined {
  return body?.merchantId;
}
