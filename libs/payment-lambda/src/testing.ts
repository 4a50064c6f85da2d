// What other projects' tests take from this library's internals: the events API Gateway sends
// the functions and the session item they write. For tests only: no bundle imports it.
export { allowPayments, apiStageOf } from "./auth/policy";
export { toSessionItem } from "./sessions/session-store";
export { authorizerEvent } from "./test-support/events";
export { default as restV1PostEvent } from "./test-support/fixtures/rest-v1-post-no-auth.json";
