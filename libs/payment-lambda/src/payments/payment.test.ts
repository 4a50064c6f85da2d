import { bigintToSafeNumber } from "./payment";

// pg returns a bigint column as text: an amount read back must come out exact or not at all.
describe("a bigint amount read from PostgreSQL", () => {
  it.each([
    ["1050", 1050],
    ["1000000000000", 1e12],
    ["-7", -7],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
    [42, 42],
  ])("%p → %p", (value, expected) => {
    expect(bigintToSafeNumber(value)).toBe(expected);
  });

  // Number("9007199254740993") is 9007199254740992: a silently rounded amount is a wrong payment, a 500 is not.
  it.each([["9007199254740993"], ["-9007199254740993"], ["1e3"], ["12.5"], [""], [2 ** 53], [1.5]])("refuses %p rather than round it", (value) => {
    expect(() => bigintToSafeNumber(value)).toThrow(RangeError);
  });
});
