import { EXIT_CODES } from "@payments-dr/cli-support";
import { run } from "./run";

// The built CLI's entry point. Under an Nx task (NX_TASK_TARGET_PROJECT set) `create` must refuse,
// since Nx may keep the printed key on disk: that starts here, from the environment.
jest.mock("./run", () => ({ run: jest.fn() }));
const runMock = run as jest.MockedFunction<typeof run>;

const argv = process.argv;
const nxProject = process.env.NX_TASK_TARGET_PROJECT;
afterEach(() => {
  process.argv = argv;
  process.exitCode = undefined;
  if (nxProject === undefined) delete process.env.NX_TASK_TARGET_PROJECT;
  else process.env.NX_TASK_TARGET_PROJECT = nxProject;
  runMock.mockReset();
});

/** Loads cli.ts as `node cli.js <args>` does, and lets run's answer settle. */
async function start(args: string[]): Promise<void> {
  process.argv = ["node", "dist/tools/keys/cli.js", ...args];
  await jest.isolateModulesAsync(async () => {
    await import("./cli");
  });
  await new Promise((resolve) => setImmediate(resolve));
}

it("tells run it is under Nx when NX_TASK_TARGET_PROJECT is set, and ends with run's exit code", async () => {
  runMock.mockResolvedValue(EXIT_CODES.refused);
  process.env.NX_TASK_TARGET_PROJECT = "keys";
  await start(["create", "--merchant", "m-1"]);
  expect(runMock).toHaveBeenCalledWith(["create", "--merchant", "m-1"], expect.objectContaining({ underNx: true }));
  expect(process.exitCode).toBe(EXIT_CODES.refused);
});

it("is not under Nx when NX_TASK_TARGET_PROJECT is unset", async () => {
  runMock.mockResolvedValue(EXIT_CODES.ok);
  delete process.env.NX_TASK_TARGET_PROJECT;
  await start(["list"]);
  expect(runMock).toHaveBeenCalledWith(["list"], expect.objectContaining({ underNx: false }));
  expect(process.exitCode).toBe(EXIT_CODES.ok);
});
