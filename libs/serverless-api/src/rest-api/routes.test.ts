import { HEALTH_ROUTE, PAYMENT_ROUTES } from "./route-table";
import { methodSettingsPath } from "./routes";

describe("methodSettingsPath", () => {
  it("keys /health's own throttle as API Gateway keys the method, ~1health/GET: health/GET matches no resource and leaves /health on the stage-wide limits", () => {
    expect(methodSettingsPath(HEALTH_ROUTE)).toBe("~1health/GET");
  });

  it("writes every slash of a nested resource path as ~1, and the root as ~1 alone", () => {
    expect(PAYMENT_ROUTES.map(methodSettingsPath)).toEqual(["~1payments/POST", "~1payments~1{id}/GET", "~1health/GET"]);
    expect(methodSettingsPath({ httpMethod: "GET", path: "/", caller: "anyone" })).toBe("~1/GET");
  });
});
