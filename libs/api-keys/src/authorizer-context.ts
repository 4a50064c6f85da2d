/**
 * What the Lambda authorizer puts in `requestContext.authorizer` (API Gateway passes strings)
 * and the payment handler reads: the merchant the request acts for and the key it used.
 */
export const AUTHORIZER_CONTEXT = {
  merchantId: "merchantId",
  keyId: "keyId",
} as const;

/**
 * The authorizer function's Lambda timeout (libs/serverless-api deploys it so): the longest an
 * answer computed from a key record read before a revocation can take to reach API Gateway's
 * cache. `keys revoke` flushes that cache only once this has passed since its writes.
 */
export const AUTHORIZER_TIMEOUT_SECONDS = 5;
