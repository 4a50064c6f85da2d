import { isExactInteger, isNumberLiteral, topLevelMembers } from "./json-members";

describe("topLevelMembers", () => {
  it("lists each member as written, in order, duplicates included, skipping nested values and strings whole", () => {
    const text = ' {\n "a" : 1.50 , "b\\"}":"x,}]\\\\", "c":{"d":[1,{"e":"]"}]},"a":2e3, "f":null,"g":[ ] } ';
    expect(topLevelMembers(text)).toEqual([
      { key: "a", source: "1.50" },
      { key: 'b"}', source: '"x,}]\\\\"' },
      { key: "c", source: '{"d":[1,{"e":"]"}]}' },
      { key: "a", source: "2e3" },
      { key: "f", source: "null" },
      { key: "g", source: "[ ]" },
    ]);
  });

  it("finds nothing in an empty object", () => {
    expect(topLevelMembers(" { } ")).toEqual([]);
  });
});

describe("isExactInteger", () => {
  it.each(["0", "-0", "100", "100.0", "1e2", "1.05e3", "1.050e3", "0e-5", "12000e-3", "9007199254740993"])("%s is an integer as written", (literal) => {
    expect(isExactInteger(literal)).toBe(true);
  });

  it.each(["0.99999999999999999", "1000000000000.00001", "1.0500000000000000001e3", "10.5", "5e-3", "1e-400"])("%s is not", (literal) => {
    expect(isExactInteger(literal)).toBe(false);
  });

  it("tells number literals from other values", () => {
    expect(["1", "-2.5e+3", '"1"', "true", "null", "[1]"].map(isNumberLiteral)).toEqual([true, true, false, false, false, false]);
  });
});
