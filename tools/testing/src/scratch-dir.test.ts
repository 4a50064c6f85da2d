import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { scratchDir, stackOutputsDir } from "./scratch-dir";

const made: string[] = [];

describe("scratchDir and stackOutputsDir", () => {
  it("makes a fresh directory each time, and one holding <app>.json per app as a CLI's --outputs reads them", () => {
    const one = scratchDir("scratch-test-");
    const two = scratchDir("scratch-test-");
    const outputs = stackOutputsDir({ "primary-region": { vpcId: "vpc-1" }, global: {} });
    made.push(one, two, outputs);
    expect(one).not.toBe(two);
    expect(statSync(one).isDirectory()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(outputs, "primary-region.json"), "utf8"))).toEqual({ vpcId: "vpc-1" });
    expect(JSON.parse(readFileSync(path.join(outputs, "global.json"), "utf8"))).toEqual({});
  });
});

// Declared after the module's own hook, so it runs after it: the directories are gone when the file ends.
/* eslint-disable jest/no-standalone-expect -- only a hook that runs after the module's own can see its cleanup */
afterAll(() => {
  expect(made).toHaveLength(3);
  for (const dir of made) expect(existsSync(dir)).toBe(false);
});
/* eslint-enable jest/no-standalone-expect */
