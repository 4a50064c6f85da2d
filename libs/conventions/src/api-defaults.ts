/**
 * `payments-dr:apiTimeoutSeconds`, the payment function's timeout: its default and bounds. At
 * most 28 s: API Gateway ends every request at 29 s, and the function must answer before that.
 * Apart from api-config.ts so that the local adapter can play it without loading Pulumi.
 */
export const API_TIMEOUT_SECONDS = { default: 10, min: 1, max: 28 } as const;
