/**
 * The TLS that the API's default endpoint and its custom domain accept: TLS 1.2 and 1.3 only,
 * with API Gateway's enhanced policy. Without one, a Regional REST API's default endpoint also
 * accepts TLS 1.0; the custom domain negotiates with the API's policy, and Route 53's health
 * checks and the stacks' `apiUrl` use the default endpoint. STRICT access mode also refuses
 * requests whose SNI does not name this API or domain (no domain fronting); the health checks
 * send SNI. Policy names: API Gateway's SecurityPolicy enum
 * (docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html).
 */
export const API_TLS = {
  securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06",
  endpointAccessMode: "STRICT",
} as const;
