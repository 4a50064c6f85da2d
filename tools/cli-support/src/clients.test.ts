import { perRegion } from "./clients";

describe("perRegion", () => {
  it("creates one client per region, on first use, and hands it out again after", () => {
    const created: string[] = [];
    const client = perRegion((region) => {
      created.push(region);
      return { region };
    });
    expect(created).toEqual([]);
    const first = client("us-east-1");
    expect(client("us-east-1")).toBe(first);
    expect(client("us-east-2")).toEqual({ region: "us-east-2" });
    expect(created).toEqual(["us-east-1", "us-east-2"]);
  });
});
