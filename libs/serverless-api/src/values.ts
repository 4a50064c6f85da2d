// The Pulumi-free part of serverless-api, for programs that must not load @pulumi/aws (the local
// adapter): the gateway responses the stack configures, as data.
export { GATEWAY_PROBLEMS, gatewayProblemBody, gatewayProblemHeaders, type GatewayProblem } from "./rest-api/gateway-problems";
// The API's routes: the adapter answers an undeclared one as API Gateway does, itself.
export { PAYMENT_ROUTES } from "./rest-api/route-table";
