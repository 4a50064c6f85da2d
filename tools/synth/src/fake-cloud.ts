import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { regionCode } from "@payments-dr/conventions";

/** The account every synthesized resource lives in. */
export const FAKE_ACCOUNT_ID = "123456789012";

/** API Gateway's hosted zone for regional endpoints, per region (AWS endpoints table). */
export const API_GATEWAY_REGIONAL_ZONE_IDS: Record<string, string> = { "us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ" };

/** What an invoked Lambda (aws.lambda.Invocation) answers in synth. */
export const FAKE_INVOCATION_RESULT = '{"applied":[]}';

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** A stable fake identifier, so two synth runs of the same program write the same file. */
export function fakeId(prefix: string, seed: string): string {
  return `${prefix}-${createHash("sha256").update(seed).digest("hex").slice(0, 17)}`;
}

/** The provider-computed attributes a real `pulumi up` would return, faked per resource type. */
export function computedState(type: string, name: string, inputs: Record<string, unknown>, region: string): { id: string; state: Record<string, unknown> } {
  const service = /^aws:([a-z0-9]+)\//.exec(type)?.[1] ?? "unknown";
  const physical = firstString(inputs, ["name", "bucket", "identifier", "clusterIdentifier", "globalClusterIdentifier", "functionName"]);
  const id = physical ?? fakeId(service, `${type}::${name}`);
  const arn = `arn:aws:${service}:${region}:${FAKE_ACCOUNT_ID}:${name}/${id}`;
  const base = { id, arn };
  switch (type) {
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      return { id, state: { ...base, arn: `arn:aws:scheduler:${region}:${FAKE_ACCOUNT_ID}:schedule-group/${id}` } };
    case "aws:rds/globalCluster:GlobalCluster":
      return { id, state: { ...base, arn: `arn:aws:rds::${FAKE_ACCOUNT_ID}:global-cluster:${id}`, endpoint: `${id}.global-abcdefgh.global.rds.amazonaws.com`, globalClusterResourceId: fakeId("cluster", id) } };
    case "aws:rds/cluster:Cluster":
      return {
        id,
        state: {
          ...base,
          arn: `arn:aws:rds:${region}:${FAKE_ACCOUNT_ID}:cluster:${id}`,
          endpoint: `${id}.cluster-abcdefghijkl.${region}.rds.amazonaws.com`,
          readerEndpoint: `${id}.cluster-ro-abcdefghijkl.${region}.rds.amazonaws.com`,
          port: 5432,
        },
      };
    case "aws:rds/clusterInstance:ClusterInstance":
      return { id, state: { ...base, arn: `arn:aws:rds:${region}:${FAKE_ACCOUNT_ID}:db:${id}`, endpoint: `${id}.abcdefghijkl.${region}.rds.amazonaws.com` } };
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return { id, state: { ...base, ...(inputs.vpcEndpointType === "Gateway" ? { prefixListId: `pl-${String(inputs.serviceName).split(".").pop()}` } : {}) } };
    case "aws:s3/bucket:Bucket":
      return { id, state: { ...base, bucket: id, arn: `arn:aws:s3:::${id}`, bucketRegionalDomainName: `${id}.s3.${region}.amazonaws.com` } };
    case "aws:kms/key:Key":
    case "aws:kms/replicaKey:ReplicaKey": {
      const keyId = fakeId("mrk", `${type}::${name}`);
      return { id: keyId, state: { ...base, keyId, arn: `arn:aws:kms:${region}:${FAKE_ACCOUNT_ID}:key/${keyId}` } };
    }
    case "aws:dynamodb/table:Table":
      return { id, state: { ...base, arn: `arn:aws:dynamodb:${region}:${FAKE_ACCOUNT_ID}:table/${id}`, streamArn: `arn:aws:dynamodb:${region}:${FAKE_ACCOUNT_ID}:table/${id}/stream/2026-01-01T00:00:00.000` } };
    case "aws:iam/role:Role":
      return { id, state: { ...base, arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${id}` } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id, state: { ...base, arn: `arn:aws:logs:${region}:${FAKE_ACCOUNT_ID}:log-group:${id}` } };
    case "aws:sns/topic:Topic":
      return { id, state: { ...base, arn: `arn:aws:sns:${region}:${FAKE_ACCOUNT_ID}:${id}` } };
    case "aws:secretsmanager/secret:Secret":
      return { id: `arn:aws:secretsmanager:${region}:${FAKE_ACCOUNT_ID}:secret:${id}-AbCdEf`, state: { ...base, arn: `arn:aws:secretsmanager:${region}:${FAKE_ACCOUNT_ID}:secret:${id}-AbCdEf` } };
    case "aws:lambda/function:Function": {
      const fnArn = `arn:aws:lambda:${region}:${FAKE_ACCOUNT_ID}:function:${id}`;
      return { id, state: { arn: fnArn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations` } };
    }
    case "aws:lambda/invocation:Invocation":
      return { id, state: { ...base, result: FAKE_INVOCATION_RESULT } };
    case "aws:apigateway/restApi:RestApi": {
      // A REST API id is 10 lowercase letters and digits, not its name.
      const apiId = hex(`${region}/${name}`, 10);
      return {
        id: apiId,
        state: {
          arn: `arn:aws:apigateway:${region}::/restapis/${apiId}`,
          executionArn: `arn:aws:execute-api:${region}:${FAKE_ACCOUNT_ID}:${apiId}`,
          rootResourceId: hex(`${apiId}/root`, 10),
        },
      };
    }
    case "aws:apigateway/stage:Stage": {
      const { restApi, stageName } = inputs as { restApi: string; stageName: string };
      return {
        id: `ags-${restApi}-${stageName}`,
        state: {
          // The ARN WAF associates with: `arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`.
          arn: `arn:aws:apigateway:${region}::/restapis/${restApi}/stages/${stageName}`,
          invokeUrl: `https://${restApi}.execute-api.${region}.amazonaws.com/${stageName}`,
          executionArn: `arn:aws:execute-api:${region}:${FAKE_ACCOUNT_ID}:${restApi}/${stageName}`,
        },
      };
    }
    case "aws:apigateway/domainName:DomainName": {
      const domainName = String(inputs.domainName);
      return {
        id: domainName,
        state: {
          arn: `arn:aws:apigateway:${region}::/domainnames/${domainName}`,
          regionalDomainName: `d-${hex(`${region}/${domainName}`, 10)}.execute-api.${region}.amazonaws.com`,
          regionalZoneId: API_GATEWAY_REGIONAL_ZONE_IDS[region],
        },
      };
    }
    case "aws:acm/certificate:Certificate": {
      // ACM asks for the same validation record for a name in every region of an account.
      const domainName = String(inputs.domainName);
      const certArn = `arn:aws:acm:${region}:${FAKE_ACCOUNT_ID}:certificate/${hex(`${region}/${name}`, 32)}`;
      const option = {
        domainName,
        resourceRecordName: `_${hex(domainName, 32)}.${domainName}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${hex(`${domainName}/value`, 32)}.xlfgrmvvlj.acm-validations.aws.`,
      };
      return { id: certArn, state: { arn: certArn, domainValidationOptions: [option] } };
    }
    case "aws:route53/record:Record":
      return { id, state: { ...base, fqdn: String(inputs.name).replace(/\.$/, "") } };
    case "aws:route53/healthCheck:HealthCheck":
      return { id: fakeId("hc", `${type}::${name}`), state: base };
    case "random:index/randomId:RandomId":
      return { id: "none", state: { hex: hex(`${region}/${name}`, Number(inputs.byteLength) * 2) } };
    case "random:index/randomPassword:RandomPassword":
      // Of the characters asked for: letters and digits only with `special: false`.
      return { id: "none", state: { result: inputs.special === false ? "synthFakePassword0123456789" : "synth-fake-password-0123456789" } };
    default:
      return { id, state: base };
  }
}

/** Answers for the provider functions the programs call. Anything else is an error, not a silent `{}`. */
export function fakeInvoke(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: FAKE_ACCOUNT_ID, arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:user/synth`, userId: "AIDASYNTH", id: FAKE_ACCOUNT_ID };
    case "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks": {
      // ARC creates one check per Region of the plan's Route 53 step: the project's two here.
      const planArn = String(args.inputs.planArn);
      const healthChecks = ["us-east-1", "us-east-2"].map((r) => ({ healthCheckId: fakeId("arc-hc", `${planArn}::${r}`), region: r, hostedZoneId: "", recordName: "", status: "healthy" }));
      return { planArn, healthChecks, region };
    }
    case "aws:index/getIpRanges:getIpRanges": {
      // A few of the published ranges (documentation addresses), the same for every service asked.
      const services = args.inputs.services as string[];
      return { cidrBlocks: ["192.0.2.0/26", "198.51.100.0/26"], ipv6CidrBlocks: ["2001:db8::/56"], createDate: "2026-11-01-00-00-00", syncToken: 1761955200, services, id: services.join(",") };
    }
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      // Four zones a–d with the IDs az1–az4 (us-east-1 → use1-az1 …), less those the call excludes.
      const code = regionCode(region);
      const excluded = new Set((args.inputs.excludeZoneIds as string[] | undefined) ?? []);
      const zones = ["a", "b", "c", "d"].map((letter, i) => ({ name: `${region}${letter}`, zoneId: `${code}-az${i + 1}` })).filter((z) => !excluded.has(z.zoneId));
      return { id: region, names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.zoneId) };
    }
    default:
      throw new Error(`the synth harness has no fake for the provider function ${args.token}; add one to tools/synth/src/fake-cloud.ts`);
  }
}

function firstString(inputs: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = inputs[key];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return undefined;
}
