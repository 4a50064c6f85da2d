// Entry point of the policy pack that `pulumi preview --policy-pack dist/libs/policy-pack/pack`
// runs: the same rules as the offline check, adapted to the engine in ./engine.
import { PolicyPack } from "@pulumi/policy";
import { pulumiPolicies } from "./engine";

new PolicyPack("payments-dr-compliance", {
  description: "Compliance of payments-dr: tags, names, encryption, S3, network, IAM, Lambda, Aurora, API Gateway, merchant auth, WAF, regions, deletion.",
  policies: pulumiPolicies(),
});
