// From the Pulumi-free entry: its rest-api/routes.ts loads @pulumi/aws, which the adapter must not.
import { PAYMENT_ROUTES } from "@payments-dr/serverless-api/values";
import type { APIGatewayEventIdentity, APIGatewayEventRequestContext, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { randomFillSync, randomUUID } from "node:crypto";

/** An HTTP request as the adapter received it. */
export interface AdapterRequest {
  method: string;
  /** The request target: path and query string. */
  target: string;
  /** Node's `rawHeaders`: name, value, name, value… with names spelled as the client sent them. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** The adapter's port, for X-Forwarded-Port. */
  port: number;
  /** e.g. "HTTP/1.1". */
  protocol: string;
  /** @default now */
  receivedAt?: Date;
  /** API Gateway's request id. @default a fresh UUID */
  requestId?: string;
}

/**
 * The captured event's shape. The type declares apiKey, apiKeyId, clientCert and authorizer,
 * which a REST proxy event without auth does not carry, and lacks deploymentId, which it does.
 */
type CapturedEvent = Omit<APIGatewayProxyEvent, "requestContext"> & {
  requestContext: Omit<APIGatewayEventRequestContext, "authorizer" | "identity"> & {
    identity: Omit<APIGatewayEventIdentity, "apiKey" | "apiKeyId" | "clientCert">;
    deploymentId: string;
  };
};

/**
 * The API's resources, each once. The stack declares PAYMENT_ROUTES in API Gateway, each a proxy
 * integration of the function, and no greedy proxy: API Gateway answers any other method or path itself.
 */
const RESOURCES = [...new Set(PAYMENT_ROUTES.map((route) => route.path))];
const LOCAL_STAGE = "local";
/** The adapter's account, API and region: what its events and method ARNs name. */
const LOCAL_ACCOUNT_ID = "000000000000";
const LOCAL_API_ID = "local";
export const LOCAL_REGION = "us-east-1";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** API Gateway's requestTime: "17/Jun/2024:14:48:13 +0000". */
export function requestTime(at: Date): string {
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The resource a path belongs to, and its path parameters (decoded, as API Gateway passes them); undefined for no resource of the API. */
export function matchResource(path: string): { resource: string; pathParameters: Record<string, string> | null } | undefined {
  const segments = path.split("/").filter((segment) => segment.length > 0);
  for (const resource of RESOURCES) {
    const template = resource.split("/").filter((segment) => segment.length > 0);
    if (template.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) parameters[name] = decodeSegment(segments[i]!);
      return name !== undefined || part === segments[i];
    });
    if (matches) return { resource, pathParameters: Object.keys(parameters).length > 0 ? parameters : null };
  }
  return undefined;
}

/** The request's headers as API Gateway REST passes them, and the spelling each name was first sent with. */
interface HeaderMaps {
  /** The last value of each header. */
  headers: Record<string, string>;
  /** Every value of each header. */
  multiValueHeaders: Record<string, string[]>;
  /** Lowercase name → the name as the maps hold it. */
  spelling: Map<string, string>;
}

/** Headers as API Gateway REST passes them: names as sent; `headers` keeps the last value, `multiValueHeaders` all. */
function headerMaps(rawHeaders: string[]): HeaderMaps {
  const maps: HeaderMaps = { headers: {}, multiValueHeaders: {}, spelling: new Map() };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const sent = rawHeaders[i]!;
    const lower = sent.toLowerCase();
    // One entry per header whatever the case of its repetitions, under the first spelling.
    let name = maps.spelling.get(lower);
    if (name === undefined) {
      name = sent;
      maps.spelling.set(lower, name);
    }
    maps.headers[name] = rawHeaders[i + 1]!;
    (maps.multiValueHeaders[name] ??= []).push(rawHeaders[i + 1]!);
  }
  return maps;
}

function headerValue(maps: HeaderMaps, name: string): string | undefined {
  const spelling = maps.spelling.get(name.toLowerCase());
  return spelling === undefined ? undefined : maps.headers[spelling];
}

/** Sets a header API Gateway adds (X-Forwarded-*, X-Amzn-Trace-Id), replacing any value the client sent under any spelling. */
function setGatewayHeader(maps: HeaderMaps, name: string, value: string): void {
  const lower = name.toLowerCase();
  const existing = maps.spelling.get(lower);
  if (existing !== undefined) {
    delete maps.headers[existing];
    delete maps.multiValueHeaders[existing];
  }
  maps.spelling.set(lower, name);
  maps.headers[name] = value;
  maps.multiValueHeaders[name] = [value];
}

function queryMaps(search: URLSearchParams): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const multi: Record<string, string[]> = {};
  for (const [name, value] of search) (multi[name] ??= []).push(value);
  if (Object.keys(multi).length === 0) return { single: null, multi: null };
  return { single: Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1)!])), multi };
}

/** Random bytes for the ids below, drawn 4 KiB at a time: one call into the CSPRNG per ≈ 170 requests, as randomUUID does. */
const entropy = Buffer.alloc(4096);
let entropyUsed = entropy.length;

function randomText(bytes: number, encoding: "hex" | "base64"): string {
  if (entropyUsed + bytes > entropy.length) {
    randomFillSync(entropy);
    entropyUsed = 0;
  }
  entropyUsed += bytes;
  return entropy.toString(encoding, entropyUsed - bytes, entropyUsed);
}

/** X-Amzn-Trace-Id as API Gateway starts a trace: Root=1-<epoch seconds, hex>-<96 random bits>. */
function traceId(at: Date): string {
  return `Root=1-${Math.floor(at.getTime() / 1000).toString(16)}-${randomText(12, "hex")}`;
}

/**
 * The API Gateway REST (v1) proxy event for a request, field for field the shape of the
 * captured event (libs/payment-lambda/src/test-support/fixtures/rest-v1-post-no-auth.json).
 * The body is passed as UTF-8 text, never base64: the API declares no binary media types.
 * Undefined when the API declares no such method on the path's resource (or no such resource):
 * API Gateway then answers by itself (MISSING_AUTHENTICATION_TOKEN, or, with an Authorization
 * header, as a malformed signature), and invokes nothing.
 */
export function toProxyEvent(request: AdapterRequest): APIGatewayProxyEvent | undefined {
  const url = new URL(request.target, "http://localhost");
  const path = url.pathname;
  const matched = matchResource(path);
  if (!matched || !PAYMENT_ROUTES.some((route) => route.path === matched.resource && route.httpMethod === request.method)) return undefined;
  const { resource, pathParameters } = matched;
  const receivedAt = request.receivedAt ?? new Date();
  const requestId = request.requestId ?? randomUUID();
  const query = queryMaps(url.searchParams);
  const maps = headerMaps(request.rawHeaders);
  const forwardedFor = headerValue(maps, "X-Forwarded-For");
  setGatewayHeader(maps, "X-Forwarded-For", forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp);
  setGatewayHeader(maps, "X-Forwarded-Port", String(request.port));
  setGatewayHeader(maps, "X-Forwarded-Proto", "http");
  if (!headerValue(maps, "X-Amzn-Trace-Id")) setGatewayHeader(maps, "X-Amzn-Trace-Id", traceId(receivedAt));
  const domainName = (headerValue(maps, "Host") ?? "127.0.0.1").replace(/:\d+$/, "");
  const userAgent = headerValue(maps, "User-Agent") ?? null;

  const event: CapturedEvent = {
    resource,
    path,
    httpMethod: request.method,
    headers: maps.headers,
    multiValueHeaders: maps.multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: LOCAL_API_ID,
      resourcePath: resource,
      httpMethod: request.method,
      extendedRequestId: randomText(12, "base64"),
      requestTime: requestTime(receivedAt),
      path: `/${LOCAL_STAGE}${path}`,
      accountId: LOCAL_ACCOUNT_ID,
      protocol: request.protocol,
      stage: LOCAL_STAGE,
      domainPrefix: domainName.split(".")[0]!,
      requestTimeEpoch: receivedAt.getTime(),
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
      },
      domainName,
      deploymentId: LOCAL_API_ID,
      apiId: LOCAL_API_ID,
    },
    body: request.body.length > 0 ? request.body.toString("utf8") : null,
    isBase64Encoded: false,
  };
  return event as unknown as APIGatewayProxyEvent;
}

/** Whether API Gateway runs the authorizer before this event's method: the merchant routes only. */
export function isMerchantRoute(event: Pick<APIGatewayProxyEvent, "httpMethod" | "resource">): boolean {
  return PAYMENT_ROUTES.some((route) => route.caller === "merchant" && route.httpMethod === event.httpMethod && route.path === event.resource);
}

/** The ARN of the method being called, as API Gateway sends it to an authorizer: `…:<apiId>/<stage>/<METHOD>/<path>`. */
export function methodArn(method: string, path: string): string {
  return `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}${path}`;
}

/**
 * The REQUEST authorizer event for a proxy event, as API Gateway (REST) sends it: the request's
 * fields (resource, path, method, headers, query and path parameters, stage variables,
 * requestContext) without the body, plus `type: "REQUEST"` and the `methodArn` of the method called.
 */
export function toAuthorizerEvent(event: APIGatewayProxyEvent): APIGatewayRequestAuthorizerEvent {
  const { body: _body, isBase64Encoded: _isBase64Encoded, ...request } = event;
  return { ...structuredClone(request), type: "REQUEST", methodArn: methodArn(event.httpMethod, event.path) } as APIGatewayRequestAuthorizerEvent;
}
