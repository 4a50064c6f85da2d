/**
 * The fields of the stage's access log, one JSON object per request. Values are API Gateway
 * `$context` variables, every one inside a JSON string: API Gateway writes a bare `-` for a
 * variable without a value (REST access logs show `"-"` for a quoted variable on a 200), and an
 * unquoted one made every line without it something no JSON parser reads. API Gateway escapes
 * the quotes in the values it writes (those logs show a user agent's quotes escaped).
 *
 * The error is its gateway response type (`UNAUTHORIZED`, `THROTTLED`, `MISSING_AUTHENTICATION_TOKEN` …),
 * never its message: for a path or method the API does not declare, sent with an Authorization
 * header, API Gateway's message quotes that header ("… not a valid key=value pair (missing
 * equal-sign) in Authorization header: 'Bearer <key>'", serverless/serverless#3205,
 * aws/chalice#828), and the log would keep a merchant's API key in plain text.
 */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '"$context.requestId"',
  ip: '"$context.identity.sourceIp"',
  requestTime: '"$context.requestTime"',
  httpMethod: '"$context.httpMethod"',
  resourcePath: '"$context.resourcePath"',
  status: '"$context.status"',
  protocol: '"$context.protocol"',
  responseLength: '"$context.responseLength"',
  integrationLatency: '"$context.integrationLatency"',
  errorType: '"$context.error.responseType"',
};

/** The access log format of the stage (single line, as API Gateway requires). */
export function accessLogFormat(): string {
  return `{${Object.entries(ACCESS_LOG_FIELDS)
    .map(([key, value]) => `"${key}":${value}`)
    .join(",")}}`;
}
