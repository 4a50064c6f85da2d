import { EXIT_CODES } from "@payments-dr/cli-support";
import { DR, FakeClock, FakeWorld, LocalSessionReplicas, outputs, runDr } from "./test-support";

const TABLE = outputs.primary.sessionsTableName;
const WINDOW = ["--since", "2025-06-02T08:58:00Z", "--until", "2025-06-02T08:59:00Z"];
let sessions: LocalSessionReplicas;
let world: FakeWorld;

beforeAll(async () => {
  sessions = await LocalSessionReplicas.start(TABLE);
});
// When start() failed, its error is the one to see: no TypeError from here.
afterAll(() => sessions?.stop());
beforeEach(async () => {
  await sessions.clear();
  world = new FakeWorld(outputs, new FakeClock(), sessions);
});
afterEach(() => world.restore());

it("a Scan that fails is exit 3, with how far it got and that re-running is safe; a --dry-run's says only to re-run", async () => {
  await sessions.putPayment(DR, "pay_1", "2025-06-02T08:58:30.000Z");
  sessions.failing.add(`${DR}/ScanCommand`);
  const run = await runDr(world, ["clear-sessions", "--region", DR, ...WINDOW, "--yes"]);
  expect(run.code).toBe(EXIT_CODES.failed);
  expect(run.stderr.split("\n").at(-1)).toMatch(new RegExp(`^dr: Scan of ${TABLE} in us-east-2 failed after 0 scanned, 0 deleted: .*ETIMEDOUT.*; re-run the same command, it deletes only what is left$`));
  const dry = await runDr(world, ["clear-sessions", "--region", DR, ...WINDOW, "--dry-run"]);
  expect(dry.code).toBe(EXIT_CODES.failed);
  expect(dry.stderr).toMatch(/failed after 0 scanned, 0 deleted: .*ETIMEDOUT.*; re-run the same command$/);
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_1"]);
});
