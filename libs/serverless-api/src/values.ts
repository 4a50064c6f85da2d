// The Pulumi-free part of serverless-api, for programs that must not load @pulumi/aws (the local
// adapter): the gateway responses the stack configures, as data.
export { GATEWAY_PROBLEMS, PROBLEM_TYPE_BASE, type GatewayProblem } from "./gateway-problems";
