/** What API Gateway names a REST API, a stage and a resource path with: nothing that could end the query's string. */
const API_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const RESOURCE_PATH = /^\/[A-Za-z0-9._~{}/-]*$/;

/** The API and stage whose 5XX responses count, and the resource whose 5XX responses do not. */
export interface ApiErrorsScope {
  apiName: string;
  stageName: string;
  /** A resource whose 5XX is an answer, not a failure: `/health`'s 503 says the region cannot serve its role now. */
  excludedResource: string;
}

/**
 * The stage's 5XX responses a period, over every resource but `excludedResource`, as a CloudWatch
 * Metrics Insights query: the per-method metrics (ApiName, Method, Resource, Stage) the stage
 * publishes with its detailed metrics on. The stage-wide metric counts `/health` too, and a region
 * that does not hold the writer (all through a switchover, or after a failover until failback)
 * answers each of Route 53's checks with a 503: a 5XX alarm on it would page on every planned
 * move and stay in ALARM until the roles are back. The WHERE clause's `!=` is Metrics Insights'
 * own ("Metrics Insights query components and syntax").
 */
export function apiErrorsQuery({ apiName, stageName, excludedResource }: ApiErrorsScope): string {
  if (!API_NAME.test(apiName)) throw new Error(`"${apiName}" is not a REST API name this query can hold (${API_NAME.source})`);
  if (!STAGE_NAME.test(stageName)) throw new Error(`"${stageName}" is not a stage name (${STAGE_NAME.source})`);
  if (!RESOURCE_PATH.test(excludedResource)) throw new Error(`"${excludedResource}" is not a resource path (${RESOURCE_PATH.source})`);
  return `SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName, Method, Resource, Stage) WHERE ApiName = '${apiName}' AND Stage = '${stageName}' AND Resource != '${excludedResource}'`;
}
