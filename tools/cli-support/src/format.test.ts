import { orDash, table } from "./format";

describe("table", () => {
  it("pads each column to its widest cell, underlines the header and trims line ends", () => {
    expect(table(["key id", "status", "label"], [["0123", "active", "checkout backend"], ["4567", "revoked", ""]]).split("\n")).toEqual([
      "key id  status   label",
      "------  -------  ----------------",
      "0123    active   checkout backend",
      "4567    revoked",
    ]);
  });

  it("a row with fewer cells than the header, and no rows at all, still line up", () => {
    expect(table(["a", "bb"], [["xyz"]])).toBe("a    bb\n---  --\nxyz");
    expect(table(["a", "bb"], [])).toBe("a  bb\n-  --");
  });
});

describe("orDash", () => {
  it("is - for a missing value and the value as text otherwise", () => {
    expect([undefined, null, "", 0, 1.5, false].map(orDash)).toEqual(["-", "-", "", "0", "1.5", "false"]);
  });
});
