// The Pulumi-free part of serverless-api, for programs that must not load @pulumi/aws (the local
// adapter): the gateway responses the stack configures, as data.
export { GATEWAY_PROBLEMS, PROBLEM_TYPE_BASE, type GatewayProblem } from "./gateway-problems";
// The API's routes: the adapter answers an undeclared one as API Gateway does, itself.
export { HEALTH_PATH, PAYMENT_ROUTES, type Route } from "./route-table";
