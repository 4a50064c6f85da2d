import { subnetCidrs } from "./cidr";

describe("subnetCidrs", () => {
  it("splits the primary /16 into three /18s, one per AZ", () => {
    expect(subnetCidrs("10.0.0.0/16", 3)).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
  });

  it("splits the DR /16 without overlapping the primary's range", () => {
    expect(subnetCidrs("10.1.0.0/16", 3)).toEqual(["10.1.0.0/18", "10.1.64.0/18", "10.1.128.0/18"]);
  });

  it("splits the smallest accepted VPC, a /22, into /24s", () => {
    expect(subnetCidrs("10.2.4.0/22", 3)).toEqual(["10.2.4.0/24", "10.2.5.0/24", "10.2.6.0/24"]);
  });

  it("cuts into halves for two subnets and keeps a single subnet the whole range", () => {
    expect(subnetCidrs("172.16.0.0/16", 2)).toEqual(["172.16.0.0/17", "172.16.128.0/17"]);
    expect(subnetCidrs("192.168.0.0/20", 1)).toEqual(["192.168.0.0/20"]);
  });

  it("carries across octets", () => {
    expect(subnetCidrs("10.255.252.0/22", 4)).toEqual(["10.255.252.0/24", "10.255.253.0/24", "10.255.254.0/24", "10.255.255.0/24"]);
  });

  it.each([
    ["10.0.0.0/15", /between \/16 and \/22/],
    ["10.0.0.0/23", /between \/16 and \/22/],
    ["10.0.0/16", /not valid/],
    ["10.0.0.256/22", /not valid/],
    ["2001:db8::/56", /not valid/],
    ["", /not valid/],
    ["10.0.1.0/16", /host bits set: did you mean 10\.0\.0\.0\/16\?/],
  ])("rejects the VPC range %s", (cidr, message) => {
    expect(() => subnetCidrs(cidr, 3)).toThrow(message);
  });

  it.each([0, -1, 2.5, Number.NaN])("rejects %p subnets", (count) => {
    expect(() => subnetCidrs("10.0.0.0/16", count)).toThrow(/positive integer/);
  });

  it("rejects subnets smaller than a /28", () => {
    expect(subnetCidrs("10.0.0.0/22", 64)).toHaveLength(64);
    expect(() => subnetCidrs("10.0.0.0/22", 65)).toThrow(/smallest subnet, a \/28/);
  });
});
