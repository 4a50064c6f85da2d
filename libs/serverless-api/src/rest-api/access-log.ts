/**
 * The fields of the stage's access log, one JSON object per request. Values are API Gateway
 * `$context` variables, every one inside a JSON string: API Gateway writes a bare `-` for a
 * variable without a value (REST access logs show `"-"` for a quoted error message on a 200). So
 * the error message is `"$context.error.message"`, not the unquoted `$context.error.messageString`
 * (the message in quotes of its own, for gateway response templates): with it, every request
 * without an error logged `"errorMessage":-`, and its line was not JSON. API Gateway escapes the
 * quotes in the values it writes (those logs show a user agent's quotes escaped).
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
  errorMessage: '"$context.error.message"',
};

/** The access log format of the stage (single line, as API Gateway requires). */
export function accessLogFormat(): string {
  return `{${Object.entries(ACCESS_LOG_FIELDS)
    .map(([key, value]) => `"${key}":${value}`)
    .join(",")}}`;
}
