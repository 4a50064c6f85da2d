import { EXIT_CODES } from "@payments-dr/cli-support";
import { Aws } from "./aws";
import { run } from "./run";
import { DR, FakeClock, fakeFetch, FakeWorld, HOME, LocalSessionReplicas, outputs, outputsDir, runDr } from "./test-support";

const TABLE = outputs.primary.sessionsTableName;

let sessions: LocalSessionReplicas;
let clock: FakeClock;
let world: FakeWorld;

beforeAll(async () => {
  sessions = await LocalSessionReplicas.start(TABLE);
});
// When start() failed, its error is the one to see: no TypeError from here.
afterAll(() => sessions?.stop());
beforeEach(async () => {
  await sessions.clear();
  sessions.scanPageSize = 2;
  clock = new FakeClock(); // now: 2025-06-02T09:00:00.000Z
  world = new FakeWorld(outputs, clock, sessions);
});
afterEach(() => world.restore());

async function dr(args: string[], options: { isTTY?: boolean; answer?: string } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run([...args, "--outputs", outputsDir()], {
    workspace: "/nonexistent",
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    isTTY: options.isTTY ?? false,
    ask: async () => options.answer ?? "n",
    clients: world.clients(),
    fetch: fakeFetch({}),
    clock,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

/** Payments created around the window 08:58:00 → 08:59:00 (UTC), by id: the two ends are in it, a millisecond beyond is not. */
const AROUND_THE_WINDOW = {
  pay_before: "2025-06-02T08:57:59.999Z",
  pay_since: "2025-06-02T08:58:00.000Z",
  pay_middle: "2025-06-02T08:58:30.123Z",
  pay_until: "2025-06-02T08:59:00.000Z",
  pay_after: "2025-06-02T08:59:00.001Z",
};
const WINDOW = ["--since", "2025-06-02T08:58:00Z", "--until", "2025-06-02T08:59:00Z"];

async function putPayments(region: string, createdAt: Record<string, string>): Promise<void> {
  for (const [id, at] of Object.entries(createdAt)) await sessions.putPayment(region, id, at);
}

const requests = (command: string) => sessions.requests.filter((r) => r.command === command);

it("deletes the payment sessions created in [--since, --until], both ends included, and none a millisecond outside", async () => {
  await putPayments(DR, AROUND_THE_WINDOW);
  const { code, stdout } = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes", "--json"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(stdout)).toEqual({
    region: DR,
    table: TABLE,
    since: "2025-06-02T08:58:00.000Z",
    until: "2025-06-02T08:59:00.000Z",
    dryRun: false,
    scanned: 5,
    matched: 3,
    deleted: 3,
  });
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_after", "payment#pay_before"]);
  expect(requests("DeleteItemCommand")).toHaveLength(3);
});

it("compares in createdAt's own format: an offset and a time without milliseconds are normalised (unnormalised, 08:59:00Z sorts after 08:59:00.001Z)", async () => {
  await putPayments(DR, AROUND_THE_WINDOW);
  const { code, stdout } = await dr(["clear-sessions", "--region", DR, "--since", "2025-06-02T10:58:00+02:00", "--until", "2025-06-02T08:59:00Z", "--yes", "--json"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(stdout)).toMatchObject({ since: "2025-06-02T08:58:00.000Z", until: "2025-06-02T08:59:00.000Z", deleted: 3 });
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_after", "payment#pay_before"]);
});

it("reads every page of the Scan (LastEvaluatedKey): more matches than one page holds", async () => {
  const inWindow = Object.fromEntries([...Array(7).keys()].map((i) => [`pay_in_${i}`, `2025-06-02T08:58:0${i}.000Z`]));
  await putPayments(DR, { ...inWindow, pay_old_1: "2025-06-01T08:00:00.000Z", pay_old_2: "2025-06-01T09:00:00.000Z", pay_old_3: "2025-06-01T10:00:00.000Z" });
  const { code, stdout } = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes", "--json"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(stdout)).toMatchObject({ scanned: 10, matched: 7, deleted: 7 });
  expect(requests("ScanCommand").length).toBeGreaterThanOrEqual(5);
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_old_1", "payment#pay_old_2", "payment#pay_old_3"]);
});

it("--until defaults to now", async () => {
  await putPayments(DR, { pay_recent: "2025-06-02T08:59:59.999Z", pay_old: "2025-06-02T08:00:00.000Z" });
  const { stdout } = await dr(["clear-sessions", "--region", DR, "--since", "2025-06-02T08:58:00Z", "--yes", "--json"]);
  expect(JSON.parse(stdout)).toMatchObject({ until: "2025-06-02T09:00:00.000Z", deleted: 1 });
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_old"]);
});

it("leaves items that are not payment sessions, whatever their createdAt", async () => {
  await sessions.put(DR, { sessionId: "merchant#m_1", createdAt: "2025-06-02T08:58:30.000Z" });
  await putPayments(DR, { pay_1: "2025-06-02T08:58:30.000Z" });
  const { stdout } = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes", "--json"]);
  expect(JSON.parse(stdout)).toMatchObject({ scanned: 2, matched: 1, deleted: 1 });
  expect(await sessions.sessionIds(DR)).toEqual(["merchant#m_1"]);
});

it("--dry-run counts without deleting and without asking", async () => {
  await putPayments(DR, AROUND_THE_WINDOW);
  const { code, stdout } = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--dry-run", "--json"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, scanned: 5, matched: 3, deleted: 0 });
  expect(requests("DeleteItemCommand")).toEqual([]);
  expect(await sessions.sessionIds(DR)).toHaveLength(5);
  expect((await dr(["clear-sessions", "--region", DR, ...WINDOW, "--dry-run"])).stdout).toMatch(/--dry-run: nothing deleted/);
});

it("is idempotent: a second run deletes nothing new and succeeds", async () => {
  await putPayments(DR, AROUND_THE_WINDOW);
  expect(JSON.parse((await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes", "--json"])).stdout)).toMatchObject({ deleted: 3 });
  const again = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes", "--json"]);
  expect(again.code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(again.stdout)).toMatchObject({ scanned: 2, matched: 0, deleted: 0 });
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_after", "payment#pay_before"]);
});

it("a session already gone when its DeleteItem comes (deleted meanwhile, expired) is no error: ConditionalCheckFailed counts as not deleted", async () => {
  await putPayments(DR, { pay_here: "2025-06-02T08:58:30.000Z" });
  const aws = new Aws(world.clients(), clock);
  expect(await aws.deleteSession(DR, TABLE, { sessionId: { S: "payment#pay_here" } })).toBe(true);
  expect(await aws.deleteSession(DR, TABLE, { sessionId: { S: "payment#pay_here" } })).toBe(false);
});

it("an AWS call that fails is exit 3, with how far it got, and says re-running is safe", async () => {
  await putPayments(DR, { pay_1: "2025-06-02T08:58:30.000Z" });
  sessions.failing.add(`${DR}/DeleteItemCommand`);
  const { code, stderr } = await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes"]);
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr).toMatch(new RegExp(`DeleteItem of ${TABLE} in us-east-2 failed after 1 scanned, 0 deleted: .*ETIMEDOUT.*; re-run the same command, it deletes only what is left`));
  sessions.failing.clear();
  expect((await dr(["clear-sessions", "--region", DR, ...WINDOW, "--yes"])).code).toBe(EXIT_CODES.ok);
  expect(await sessions.sessionIds(DR)).toEqual([]);
});

it("a Scan that fails is exit 3, with how far it got and that re-running is safe; a --dry-run's says only to re-run", async () => {
  await sessions.putPayment(DR, "pay_1", "2025-06-02T08:58:30.000Z");
  sessions.failing.add(`${DR}/ScanCommand`);
  const failed = await runDr(world, ["clear-sessions", "--region", DR, ...WINDOW, "--yes"]);
  expect(failed.code).toBe(EXIT_CODES.failed);
  expect(failed.stderr.split("\n").at(-1)).toMatch(new RegExp(`^dr: Scan of ${TABLE} in us-east-2 failed after 0 scanned, 0 deleted: .*ETIMEDOUT.*; re-run the same command, it deletes only what is left$`));
  const dry = await runDr(world, ["clear-sessions", "--region", DR, ...WINDOW, "--dry-run"]);
  expect(dry.code).toBe(EXIT_CODES.failed);
  expect(dry.stderr).toMatch(/failed after 0 scanned, 0 deleted: .*ETIMEDOUT.*; re-run the same command$/);
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_1"]);
});

it("calls only the region asked: --region us-east-1 scans and deletes through that region alone (in AWS the deletes replicate; these local replicas do not), and reads no global cluster", async () => {
  await putPayments(HOME, { pay_home: "2025-06-02T08:58:30.000Z" });
  await putPayments(DR, { pay_dr: "2025-06-02T08:58:30.000Z" });
  const { code } = await dr(["clear-sessions", "--region", HOME, ...WINDOW, "--yes"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(await sessions.sessionIds(HOME)).toEqual([]);
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_dr"]);
  expect(world.clientRegions).toEqual(expect.arrayContaining([{ service: "dynamodb", region: HOME }]));
  expect(world.clientRegions.filter((c) => c.region !== HOME || c.service !== "dynamodb")).toEqual([]);
  expect(sessions.requests.filter((r) => r.region !== HOME)).toEqual([]);
  expect(world.calls).toEqual([]);
});

it("--region takes primary / dr like --to, and refuses a region not in the deployment, naming --region", async () => {
  await putPayments(DR, { pay_dr: "2025-06-02T08:58:30.000Z" });
  expect(JSON.parse((await dr(["clear-sessions", "--region", "dr", ...WINDOW, "--yes", "--json"])).stdout)).toMatchObject({ region: DR, deleted: 1 });
  const { code, stderr } = await dr(["clear-sessions", "--region", "eu-west-1", ...WINDOW, "--yes"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(/--region eu-west-1 is not one of this deployment's regions \(us-east-1, us-east-2\)/);
});

it("without --region, clears the writer's region: after a failover with us-east-1 down, only us-east-2 is called", async () => {
  world.writer = DR;
  world.down.add(HOME);
  await putPayments(DR, { pay_lost: "2025-06-02T08:58:30.000Z" });
  await putPayments(HOME, { pay_home: "2025-06-02T08:58:30.000Z" });
  const { code, stdout } = await dr(["clear-sessions", ...WINDOW, "--yes", "--json"]);
  expect(code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(stdout)).toMatchObject({ region: DR, deleted: 1 });
  expect(world.clientRegions.filter((c) => c.region !== DR)).toEqual([]);
  expect(world.calls.map((c) => `${c.command} ${c.region}`)).toEqual([`DescribeGlobalClusters ${DR}`]);
  expect(await sessions.sessionIds(HOME)).toEqual(["payment#pay_home"]);
});

// Without --region, clear-sessions clears the writer's region: when that cannot be known, it
// deletes nothing and says to name the region.
describe("without --region, when the writer's region cannot be known", () => {
  // DynamoDB faked like the other services (its calls in world.calls), not the local replicas.
  beforeEach(() => {
    world.restore();
    world = new FakeWorld(outputs, clock);
  });

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
});

it("counts first, then asks for confirmation with the count, region, table and window: no terminal and no --yes, or a no, deletes nothing (exit 2)", async () => {
  await putPayments(DR, { pay_1: "2025-06-02T08:58:30.000Z" });
  const noTerminal = await dr(["clear-sessions", "--region", DR, ...WINDOW]);
  expect(noTerminal.code).toBe(EXIT_CODES.refused);
  expect(noTerminal.stderr).toMatch(
    new RegExp(`Delete the 1 payment session\\(s\\) created from 2025-06-02T08:58:00.000Z to 2025-06-02T08:59:00.000Z, through ${TABLE} in us-east-2 .*pass --yes`),
  );
  expect((await dr(["clear-sessions", "--region", DR, ...WINDOW], { isTTY: true, answer: "no" })).code).toBe(EXIT_CODES.refused);
  expect(requests("DeleteItemCommand")).toEqual([]);
  expect(await sessions.sessionIds(DR)).toEqual(["payment#pay_1"]);
  const yes = await dr(["clear-sessions", "--region", DR, ...WINDOW], { isTTY: true, answer: "yes" });
  expect(yes.code).toBe(EXIT_CODES.ok);
  expect(yes.stdout).toBe(`clear-sessions ${TABLE} in us-east-2, createdAt 2025-06-02T08:58:00.000Z → 2025-06-02T08:59:00.000Z: scanned 1, matched 1, deleted 1`);
});

it.each([
  [[], /--since <ISO 8601 time> is required/],
  [["--since", "yesterday"], /--since must be an ISO 8601 time with its zone, .*got "yesterday"/],
  [["--since", "2025-06-02T08:58:00"], /--since must be an ISO 8601 time with its zone/], // no zone: this machine's, not UTC
  [["--since", "2025-02-30T08:58:00Z"], /--since must be an ISO 8601 time with its zone/], // Date.parse would make it March 2nd
  [["--since", "2025-06-02T09:00:01Z"], /--since 2025-06-02T09:00:01.000Z is in the future \(now 2025-06-02T09:00:00.000Z\)/],
  [["--since", "2025-06-02T08:58:00Z", "--until", "08:59"], /--until must be an ISO 8601 time with its zone, .*got "08:59"/],
  [["--since", "2025-06-02T08:59:00Z", "--until", "2025-06-02T08:58:00Z"], /--since 2025-06-02T08:59:00.000Z is after --until 2025-06-02T08:58:00.000Z/],
])("refuses %j with exit 2, naming the option, before any AWS call", async (window, message) => {
  const { code, stderr } = await dr(["clear-sessions", "--region", DR, ...window, "--yes"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(message);
  expect(sessions.requests).toEqual([]);
  expect(world.calls).toEqual([]);
});

it("its options belong to it alone: --since, --until, --region and --dry-run are refused on other commands", async () => {
  for (const args of [["status", "--dry-run"], ["failover", "--to", DR, "--since", "2025-06-02T08:58:00Z"], ["failback", "--region", DR], ["status", "--until", "x"]]) {
    const { code, stderr } = await dr(args);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/--(dry-run|since|region|until) does not apply to (status|failover|failback); it is for clear-sessions/);
  }
});
