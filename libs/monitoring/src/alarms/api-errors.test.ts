import { apiErrorsQuery } from "./api-errors";

describe("apiErrorsQuery", () => {
  const scope = { apiName: "payments-dr-api-use1-dev", stageName: "v1", excludedResource: "/health" };

  it("sums the stage's per-method 5XXError over every resource but the one left out", () => {
    expect(apiErrorsQuery(scope)).toBe(
      `SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName, Method, Resource, Stage) WHERE ApiName = 'payments-dr-api-use1-dev' AND Stage = 'v1' AND Resource != '/health'`,
    );
  });

  it.each([
    [{ apiName: "x' OR ApiName != 'y" }, /is not a REST API name/],
    [{ apiName: "" }, /is not a REST API name/],
    [{ stageName: "v1' AND Stage != '" }, /is not a stage name/],
    [{ excludedResource: "health" }, /is not a resource path/],
    [{ excludedResource: "/health' OR Resource = '/x" }, /is not a resource path/],
  ])("refuses %j: nothing may end the query's string", (change, message) => {
    expect(() => apiErrorsQuery({ ...scope, ...change })).toThrow(message);
  });

  it("takes the payment routes' own paths", () => {
    expect(apiErrorsQuery({ ...scope, excludedResource: "/payments/{id}" })).toMatch(/ AND Resource != '\/payments\/\{id\}'$/);
  });
});
