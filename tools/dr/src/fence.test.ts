import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { validateStatusReport } from "./status-schema";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr, type DrOptions } from "./test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);
const TAG = "payments-dr:fence-restore";
const api = primaryRegionOutputs.lambdaName;
const health = primaryRegionOutputs.healthLambdaName;
const fn = (name: string) => world.functions[name]!;
/** The CLI's own message: the last line of stderr (progress lines come before it). */
const message = (stderr: string) => stderr.split("\n").at(-1) ?? "";

describe("fence", () => {
  it("fence → failover without --force → status → failback refused → unfence → failback", async () => {
    // us-east-1 broken in a way /health does not show: it answers 200, so failover refuses.
    const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/stop its traffic first \(`dr fence --region us-east-1`: its \/health then fails\)/);

    const fenced = await dr(["fence", "--region", "primary", "--yes"]);
    expect(fenced.code).toBe(EXIT_CODES.ok);
    expect(fn(api)).toMatchObject({ reserved: 0, tags: { [TAG]: "50" } });
    expect(fn(health)).toMatchObject({ reserved: 0, tags: { [TAG]: "5" } });
    // Only us-east-1's functions, the payment function before /health, each recorded before it is throttled.
    expect(world.calls.filter((c) => c.service === "lambda" && c.command !== "GetFunctionConcurrency" && c.command !== "ListTags").map((c) => `${c.region} ${c.command} ${JSON.stringify(c.input)}`)).toEqual([
      `${HOME} TagResource {"Resource":"arn:aws:lambda:us-east-1:123456789012:function:${api}","Tags":{"${TAG}":"50"}}`,
      `${HOME} PutFunctionConcurrency {"FunctionName":"${api}","ReservedConcurrentExecutions":0}`,
      `${HOME} TagResource {"Resource":"arn:aws:lambda:us-east-1:123456789012:function:${health}","Tags":{"${TAG}":"5"}}`,
      `${HOME} PutFunctionConcurrency {"FunctionName":"${health}","ReservedConcurrentExecutions":0}`,
    ]);
    expect(fenced.stdout).toMatch(/fence us-east-1: done/);
    expect(fenced.stdout).toMatch(/effect: us-east-1's payment requests now answer API Gateway's DEFAULT_5XX problem \(a 5xx for a throttled function: 500 or 504, AWS's sources differ, Retry-After: 2;.*its \/health fails, so Route 53's failover record .* moves clients to us-east-2 ≈ 90 s after its first failed check \(119 s at worst\); `dr failover` goes on without --force once us-east-2's probe has seen that \/health fail \(about half a minute\)/);
    expect(fenced.stdout).toContain("undo: npx nx run dr:unfence -- --region us-east-1");

    // The fenced /health answers API Gateway's 500 and the DR probe sees it fail: the failover goes on without --force.
    const failover = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"]);
    expect(failover.code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(DR);

    const status = await dr(["status", "--json"]);
    const report = JSON.parse(status.stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].fence).toEqual({
      fenced: true,
      functions: [
        { role: "api", name: api, reservedConcurrency: 0, restore: "50" },
        { role: "health", name: health, reservedConcurrency: 0, restore: "5" },
      ],
    });
    expect(report.regions[1].fence).toMatchObject({ fenced: false });
    expect((await dr(["status"])).stdout).toMatch(/us-east-1 is FENCED: reserved concurrency 0 on .*\(restores 50\).*undo: npx nx run dr:unfence -- --region us-east-1/);

    const failback = await dr(["failback", "--yes"]);
    expect(failback.code).toBe(EXIT_CODES.refused);
    expect(failback.stderr).toMatch(/us-east-1 is fenced .*: its \/health would never answer 200.*Run `npx nx run dr:unfence -- --region us-east-1` first/);
    expect(calls("SwitchoverGlobalCluster")).toEqual([]);

    const unfenced = await dr(["unfence", "--region", HOME, "--yes", "--json"]);
    expect(unfenced.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(unfenced.stdout)).toMatchObject({
      command: "unfence",
      region: HOME,
      outcome: "done",
      functions: [
        { role: "api", name: api, before: 0, after: 50, restoreTag: null },
        { role: "health", name: health, before: 0, after: 5, restoreTag: null },
      ],
    });
    expect(fn(api)).toEqual(expect.objectContaining({ reserved: 50, tags: { "payments-dr:stack": "primary-region" } }));
    expect(fn(health)).toEqual(expect.objectContaining({ reserved: 5, tags: { "payments-dr:stack": "primary-region" } }));

    // us-east-1's cluster has been a secondary long enough to report its lag (preflight's check).
    world.secondarySince[HOME] = world.clock.now().getTime() - 600_000;
    const back = await dr(["failback", "--yes"]);
    expect(back.stderr).not.toMatch(/^dr: /m);
    expect(back.code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(HOME);
  });

  it("is idempotent: a re-run keeps the recorded values (never a tag of 0), and unfence twice changes nothing the second time", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    const again = await dr(["fence", "--region", HOME, "--yes", "--json"]);
    expect(again.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "already-done", functions: [{ before: 0, after: 0, restoreTag: "50" }, { before: 0, after: 0, restoreTag: "5" }] });
    expect(fn(api).tags[TAG]).toBe("50");
    expect(calls("TagResource")).toHaveLength(2);
    expect(calls("PutFunctionConcurrency")).toHaveLength(2);

    expect((await dr(["unfence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    const second = await dr(["unfence", "--region", HOME, "--yes"]);
    expect(second.code).toBe(EXIT_CODES.ok);
    expect(second.stdout).toMatch(/unfence us-east-1: not fenced: nothing to do/);
    expect(calls("PutFunctionConcurrency")).toHaveLength(4);
    expect(calls("UntagResource")).toHaveLength(2);
  });

  it("records `none` for a function without reserved concurrency, and unfence removes the reservation again", async () => {
    fn(api).reserved = undefined;
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    expect(fn(api)).toMatchObject({ reserved: 0, tags: { [TAG]: "none" } });
    expect((await dr(["unfence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    expect(fn(api).reserved).toBeUndefined();
    expect(fn(api).tags[TAG]).toBeUndefined();
    expect(calls("DeleteFunctionConcurrency").map((c) => c.input)).toEqual([{ FunctionName: api }]);
  });

  it("refuses to fence the only region serving (the other /health not 200), changing nothing; --force fences all the same", async () => {
    world.down.add(DR);
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: world.health(DR) });
    const refused = await dr(["fence", "--region", HOME, "--yes"], { fetch: fetch() });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(message(refused.stderr)).toMatch(/^dr: us-east-2's .*\/health answers .*, so us-east-1 may be the only region serving: fencing it would stop payments everywhere\..*re-run with --force$/);
    expect(calls("PutFunctionConcurrency")).toEqual([]);
    expect(calls("TagResource")).toEqual([]);
    const forced = await dr(["fence", "--region", HOME, "--yes", "--force"], { fetch: fetch() });
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(forced.stdout).toMatch(/fencing us-east-1 all the same \(--force\)/);
    expect(fn(api).reserved).toBe(0);
  });

  it("asks for confirmation: without --yes and without a terminal it refuses; a no changes nothing", async () => {
    const noTty = await dr(["fence", "--region", HOME]);
    expect(noTty.code).toBe(EXIT_CODES.refused);
    expect(noTty.stderr).toMatch(/Fence us-east-1: reserved concurrency 0 on .* pass --yes/);
    const no = await dr(["fence", "--region", HOME], { isTTY: true, answer: "n" });
    expect(no.code).toBe(EXIT_CODES.refused);
    expect(calls("PutFunctionConcurrency")).toEqual([]);
    expect((await dr(["fence", "--region", HOME], { isTTY: true, answer: "yes" })).code).toBe(EXIT_CODES.ok);
  });

  it("unfence refuses, naming the function, one at 0 without the tag (fenced by hand), and changes nothing", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    delete fn(health).tags[TAG];
    const { code, stderr } = await dr(["unfence", "--region", HOME, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(
      new RegExp(`${health} has reserved concurrency 0 but no ${TAG} tag \\(fenced by hand.*healthReservedConcurrency \\(default 5\\) for ${health}.*aws lambda put-function-concurrency --region us-east-1.*npx nx run primary-region:refresh\` then \`npx nx run primary-region:up\``),
    );
    expect(message(stderr)).toMatch(/^dr: .*primary-region:up`$/);
    expect(calls("PutFunctionConcurrency")).toHaveLength(2);
    expect(fn(api).reserved).toBe(0);
  });

  it("fails (exit 3) on one line naming the permission when Lambda denies a call; a re-run finishes the job", async () => {
    world.failing.set("lambda/PutFunctionConcurrency", () =>
      Object.assign(new Error(`User: arn:aws:sts::123456789012:assumed-role/oncall/me is not authorized to perform: lambda:PutFunctionConcurrency on resource: arn:aws:lambda:us-east-1:123456789012:function:${api}`), {
        name: "AccessDeniedException",
      }),
    );
    const { code, stderr } = await dr(["fence", "--region", HOME, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(message(stderr)).toMatch(new RegExp(`^dr: PutFunctionConcurrency of ${api} in us-east-1 failed: AccessDeniedException: .*: the credentials in use need lambda:PutFunctionConcurrency on arn:aws:lambda:us-east-1:123456789012:function:${api} .*; no function fenced yet$`));
    // Its value was recorded before the denied call: a re-run with the permission fences it.
    expect(fn(api)).toMatchObject({ reserved: 50, tags: { [TAG]: "50" } });
    world.failing.clear();
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    expect(fn(api)).toMatchObject({ reserved: 0, tags: { [TAG]: "50" } });
  });

  it("--json prints the result; --region is required and fence/unfence take no --to", async () => {
    const { code, stdout } = await dr(["fence", "--region", "dr", "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      command: "fence",
      region: DR,
      outcome: "done",
      functions: [
        { role: "api", name: drRegionOutputs.lambdaName, before: 50, after: 0, restoreTag: "50" },
        { role: "health", name: drRegionOutputs.healthLambdaName, before: 5, after: 0, restoreTag: "5" },
      ],
      undo: "npx nx run dr:unfence -- --region us-east-2",
    });
    expect(result.timeline.map((e: { step: string }) => e.step)).toContainEqual(`${drRegionOutputs.lambdaName}: reserved concurrency 50 → 0`);
    // No probe watches the DR region's /health: a failover towards the primary reads none, and waits for none.
    expect(result.effect).toMatch(/`dr failover` goes on without --force$/);
    expect(world.calls.filter((c) => c.service === "lambda").every((c) => c.region === DR)).toBe(true);
    const missing = await dr(["unfence", "--yes"]);
    expect(missing.code).toBe(EXIT_CODES.refused);
    expect(missing.stderr).toMatch(/--region <region\|primary\|dr> is required/);
    expect((await dr(["fence", "--to", DR, "--region", DR])).stderr).toMatch(/--to does not apply to fence/);
  });

  it("unfence refuses (exit 2), changing nothing, when a fenced function's restore tag is neither a number nor none (edited by hand)", async () => {
    expect((await runDr(world, ["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    const fenced = world.functions[primaryRegionOutputs.lambdaName]!;
    fenced.tags[TAG] = "fifty";
    const changesBefore = world.calls.filter((c) => /^(Put|Delete)FunctionConcurrency$|^(Un)?[Tt]agResource$/.test(c.command)).length;
    const { code, stderr } = await runDr(world, ["unfence", "--region", HOME, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(new RegExp(`${primaryRegionOutputs.lambdaName}'s ${TAG} tag is "fifty": neither a positive number nor none, so the value to restore is unknown; nothing changed`));
    expect(world.calls.filter((c) => /^(Put|Delete)FunctionConcurrency$|^(Un)?[Tt]agResource$/.test(c.command))).toHaveLength(changesBefore);
    expect(fenced.reserved).toBe(0);
    expect(world.functions[primaryRegionOutputs.healthLambdaName]!.reserved).toBe(0);
  });
});

describe("fence: what an incident does around it", () => {
  const denied = (operation: string) =>
    Object.assign(new Error(`User: arn:aws:sts::123456789012:assumed-role/oncall/me is not authorized to perform: lambda:${operation}`), { name: "AccessDeniedException" });

  it("unfence leaves a value changed since the fence (a `pulumi up` with a new reserved concurrency) and removes only its stale tag", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    // `pulumi up` with apiReservedConcurrency 80: it sets 80 (so the function serves again) and keeps the tags it does not manage.
    fn(api).reserved = 80;
    const { code, stdout } = await dr(["unfence", "--region", HOME, "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(fn(api)).toEqual(expect.objectContaining({ reserved: 80, tags: { "payments-dr:stack": "primary-region" } }));
    expect(fn(health)).toEqual(expect.objectContaining({ reserved: 5, tags: { "payments-dr:stack": "primary-region" } }));
    expect(calls("PutFunctionConcurrency").map((c) => c.input)).toEqual([
      { FunctionName: api, ReservedConcurrentExecutions: 0 },
      { FunctionName: health, ReservedConcurrentExecutions: 0 },
      { FunctionName: health, ReservedConcurrentExecutions: 5 },
    ]);
    const result = JSON.parse(stdout);
    expect(result.functions).toMatchObject([
      { name: api, before: 80, after: 80, restoreTag: null },
      { name: health, before: 0, after: 5, restoreTag: null },
    ]);
    expect(result.timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(new RegExp(`${api} is at 80, not 0: changed since the fence`)));
  });

  it("failover refuses a fenced target before any move (its API would stay throttled: payments stopped in both regions)", async () => {
    expect((await dr(["fence", "--region", DR, "--yes"])).code).toBe(EXIT_CODES.ok);
    world.down.add(HOME);
    const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--force"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(message(stderr)).toMatch(/us-east-2 is fenced .*Run `npx nx run dr:unfence -- --region us-east-2` first/);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
    // Read in the target region only: the failed region is never called.
    expect(world.calls.filter((c) => c.service === "lambda").every((c) => c.region === DR)).toBe(true);
  });

  it("status and switchover still see a fenced region when ListTags is denied (the tag is the record, reserved concurrency 0 is the fence)", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    world.failing.set("lambda/ListTags", () => denied("ListTags"));
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].fence).toMatchObject({ fenced: true, functions: [{ name: api, reservedConcurrency: 0, restore: null }, { name: health, reservedConcurrency: 0, restore: null }], error: expect.stringMatching(/ListTags/) });
    const text = (await dr(["status"])).stdout;
    expect(text).toMatch(/us-east-1 is FENCED: .*\(record not read\).*undo: npx nx run dr:unfence -- --region us-east-1/);
    expect(text).not.toMatch(/by hand/);
    // A GetFunctionConcurrency that fails for one function does not hide the other one at 0.
    world.failing.clear();
    fn(health).reserved = 5;
    delete fn(health).tags[TAG];
    world.failing.set("lambda/GetFunctionConcurrency", () => denied("GetFunctionConcurrency"));
    expect(JSON.parse((await dr(["status", "--json"])).stdout).regions[0].fence.fenced).toBeNull();
    world.failing.clear();
    world.failing.set("lambda/ListTags", () => denied("ListTags"));
    const switchover = await dr(["switchover", "--to", HOME, "--yes"]);
    expect(switchover.code).toBe(EXIT_CODES.refused);
    expect(message(switchover.stderr)).toMatch(/us-east-1 is fenced \(reserved concurrency 0 on payments-dr-api-use1-dev\)/);
  });

  it("status: one function at 0 is FENCED although the other one's concurrency cannot be read", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    Object.defineProperty(fn(health), "reserved", {
      configurable: true,
      get: () => {
        throw denied("GetFunctionConcurrency");
      },
    });
    const fence = JSON.parse((await dr(["status", "--json"])).stdout).regions[0].fence;
    expect(fence).toMatchObject({ fenced: true, functions: [{ name: api, reservedConcurrency: 0, restore: "50" }], error: expect.stringMatching(/GetFunctionConcurrency of/) });
  });

  it("a fence stopped between the two functions says the region is half-fenced (payments stopped, DNS not moved) and how to go on", async () => {
    Object.defineProperty(fn(health), "reserved", {
      configurable: true,
      get: () => 5,
      set: () => {
        throw denied("PutFunctionConcurrency");
      },
    });
    const { code, stderr } = await dr(["fence", "--region", HOME, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(message(stderr)).toMatch(
      new RegExp(`^dr: PutFunctionConcurrency of ${health} .*done before it: ${api} fenced\\. us-east-1 is HALF-FENCED: its payments are stopped but its /health may still answer 200, so DNS does not move clients to us-east-2: re-run the same command \\(or \`npx nx run dr:unfence -- --region us-east-1\` to undo\\)$`),
    );
    expect(fn(api).reserved).toBe(0);
    expect((await dr(["status"])).stdout).toMatch(/us-east-1 is FENCED: reserved concurrency 0 on payments-dr-api-use1-dev \(restores 50\)\./);
  });

  it("unfence that the account's unreserved minimum refuses says why, what it restored already, and to re-run", async () => {
    expect((await dr(["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    // Since the fence, other functions reserved what it gave back: 150 in all, 100 unreserved, 50 left to reserve.
    world.lambdaConcurrencyLimit = 150;
    const { code, stderr } = await dr(["unfence", "--region", HOME, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(message(stderr)).toMatch(
      new RegExp(`^dr: PutFunctionConcurrency of ${health} in us-east-1 failed: InvalidParameterValueException: .*UnreservedConcurrentExecution below its minimum value of \\[100\\]\\.: us-east-1's account-wide pool .*re-run; done before it: ${api} restored; re-run the same command$`),
    );
    expect(fn(api)).toMatchObject({ reserved: 50, tags: { "payments-dr:stack": "primary-region" } });
    expect(fn(health)).toMatchObject({ reserved: 0, tags: { [TAG]: "5" } });
    world.lambdaConcurrencyLimit = 1000;
    expect((await dr(["unfence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
    expect(fn(health)).toMatchObject({ reserved: 5 });
  });
});

// Outputs saved before the stacks exported lambdaName and healthLambdaName (an old artifact kept for on-call).
describe("fence with outputs saved before they named the functions", () => {
  let old: string;
  beforeEach(() => {
    const withoutFunctions = <T extends { lambdaName?: string; healthLambdaName?: string }>({ lambdaName: _l, healthLambdaName: _h, ...rest }: T) => rest;
    old = stackOutputsDir({ "primary-region": withoutFunctions(outputs.primary), "dr-region": withoutFunctions(outputs.dr), global: outputs.global });
  });

  it("fence refuses (exit 2) and asks for fresh outputs, calling no Lambda API", async () => {
    const { code, stderr } = await runDr(world, ["fence", "--region", HOME, "--yes"], { outputs: old });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toBe("dr: the primary-region outputs name no lambdaName or healthLambdaName (saved before they existed): read fresh outputs (--outputs DIR, or the stacks)");
    expect(world.calls.filter((c) => c.service === "lambda")).toEqual([]);
  });

  it("failover still goes on: with no functions named there is no fence to check in the target region", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { outputs: old, fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.calls.filter((c) => c.service === "lambda")).toEqual([]);
    expect(world.writer).toBe(DR);
  });
});
