// What other projects' tests take from this library's internals: the events API Gateway sends
// the functions, the session item they write and the create body they accept. For tests only: no bundle imports it.
export { allowPayments, apiStageOf } from "./auth/policy";
export { toSessionItem } from "./sessions/session-store";
export { MAX_AMOUNT_MINOR_UNITS, MAX_DESCRIPTION_LENGTH, MAX_REFERENCE_LENGTH, validateCreatePayment, type CreatePaymentBody } from "./payments/validation";
export { authorizerEvent } from "./test-support/events";
export type { EveryField } from "./test-support/every-field";
export { default as restV1PostEvent } from "./test-support/fixtures/rest-v1-post-no-auth.json";
