/**
 * What the Lambda authorizer puts in `requestContext.authorizer` (API Gateway passes strings)
 * and the payment handler reads: the merchant the request acts for and the key it used.
 */
export const AUTHORIZER_CONTEXT = {
  merchantId: "merchantId",
  keyId: "keyId",
} as const;
