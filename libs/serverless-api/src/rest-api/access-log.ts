/**
 * The fields of the stage's access log, one JSON object per request. Values are API Gateway
 * `$context` variables; quoted ones become JSON strings. The error message uses
 * `messageString`, which API Gateway emits already quoted and escaped, so a message with a
 * quote in it still yields valid JSON.
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
  errorMessage: "$context.error.messageString",
};

/** The access log format of the stage (single line, as API Gateway requires). */
export function accessLogFormat(): string {
  return `{${Object.entries(ACCESS_LOG_FIELDS)
    .map(([key, value]) => `"${key}":${value}`)
    .join(",")}}`;
}
