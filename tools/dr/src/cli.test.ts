import { EXIT_CODES } from "@payments-dr/cli-support";
import { run } from "./run";

// The built CLI's entry point: the exit code scripts branch on, and Ctrl+C's 130 with what goes on
// in AWS without us (docs/runbook.md, Exit codes). run() itself is tested elsewhere.
jest.mock("./run", () => ({ ...jest.requireActual("./run"), run: jest.fn() }));
const runMock = run as jest.MockedFunction<typeof run>;

const argv = process.argv;
let exit: jest.SpyInstance;
let stderr: jest.SpyInstance;
let sigintBefore: NodeJS.SignalsListener[];
beforeEach(() => {
  sigintBefore = process.listeners("SIGINT");
  exit = jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
  // Written at once, as a pipe on Linux takes it: the callback that tells it is flushed runs now.
  const written = (_text: unknown, done?: unknown) => {
    if (typeof done === "function") done();
    return true;
  };
  stderr = jest.spyOn(process.stderr, "write").mockImplementation(written as typeof process.stderr.write);
  jest.spyOn(process.stdout, "write").mockImplementation(written as typeof process.stdout.write);
});
afterEach(() => {
  process.argv = argv;
  process.exitCode = undefined;
  // Only the handler cli.ts added: the test runner's own stay.
  for (const listener of process.listeners("SIGINT")) if (!sigintBefore.includes(listener)) process.removeListener("SIGINT", listener);
  jest.restoreAllMocks();
  runMock.mockReset();
});

/** Loads cli.ts as `node cli.js <args>` does. */
async function start(args: string[]): Promise<void> {
  process.argv = ["node", "dist/tools/dr/cli.js", ...args];
  await jest.isolateModulesAsync(async () => {
    await import("./cli");
  });
}

it("ends the process with run's exit code, passing it the arguments and DR_DRILL_API_KEY", async () => {
  runMock.mockResolvedValue(EXIT_CODES.timedOut);
  process.env.DR_DRILL_API_KEY = "pdr_key";
  try {
    await start(["switchover", "--to", "dr"]);
  } finally {
    delete process.env.DR_DRILL_API_KEY;
  }
  await new Promise((resolve) => setImmediate(resolve));
  expect(runMock).toHaveBeenCalledWith(["switchover", "--to", "dr"], expect.objectContaining({ drillApiKey: "pdr_key" }));
  expect(process.exitCode).toBe(EXIT_CODES.timedOut);
  // At once, once its output is flushed: not when reads a refusal left unneeded time out.
  expect(exit).toHaveBeenCalledWith(EXIT_CODES.timedOut);
});

it("on Ctrl+C during a wait, says the requested move goes on in AWS and exits 130", async () => {
  runMock.mockReturnValue(new Promise(() => undefined));
  await start(["failover", "--to", "dr", "--allow-data-loss"]);
  process.emit("SIGINT");
  expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^\ndr: failover interrupted\. A move already requested goes on in AWS and cannot be cancelled from here/));
  expect(exit).toHaveBeenCalledWith(130);
});
