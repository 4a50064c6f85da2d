import { EXIT_CODES } from "@payments-dr/cli-support";
import { FakeClock, FakeWorld, HOME, outputs, runDr } from "./test-support";

// Without --region, clear-sessions clears the writer's region: when that cannot be known, it
// deletes nothing and says to name the region.
let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

const WINDOW = ["--since", "2025-06-02T08:58:00Z", "--until", "2025-06-02T08:59:00Z"];
const sessionCalls = () => world.calls.filter((c) => c.service === "dynamodb");

it("fails (exit 3) when neither region's RDS says which holds the writer, and asks for --region", async () => {
  world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" }));
  const { code, stderr } = await runDr(world, ["clear-sessions", ...WINDOW, "--yes"]);
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr).toBe("dr: could not read which region holds the writer (TimeoutError: connect ETIMEDOUT): pass --region");
  expect(sessionCalls()).toEqual([]);
});

it("refuses (exit 2) when no region holds the writer, and asks for --region", async () => {
  // The writer's cluster removed from the global database: no member is the writer.
  world.absentMembers.add(HOME);
  const { code, stderr } = await runDr(world, ["clear-sessions", ...WINDOW, "--yes"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(/^dr: no region holds the writer of payments-dr-aurora-\S+ now \(status available\): pass --region$/);
  expect(sessionCalls()).toEqual([]);
});
