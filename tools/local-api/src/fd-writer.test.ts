import type * as esbuild from "esbuild";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToFd } from "./fd-writer";
import { workspaceRequire } from "./paths";

// Three host threads write through writeToFd, as worker.ts sets it up.
const PROGRAM = `
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { writeToFd } from ${JSON.stringify(join(__dirname, "fd-writer"))};
if (isMainThread) {
  // As serve.js does: the main thread writes to its stdout too, and ignores a reader going away.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  process.stdout.write("started\\n");
  const lock = new SharedArrayBuffer(8);
  for (let container = 0; container < 3; container++) new Worker(__filename, { workerData: { lock, container } });
} else {
  writeToFd(process.stdout, 1, new Int32Array(workerData.lock));
  const line = String(workerData.container).repeat(20_000);
  for (let i = 0; i < 100; i++) process.stdout.write(line + "\\n");
  process.stderr.write("container " + workerData.container + " done\\n");
}
`;

// A host whose function blocks on a full stdout, holding the lock, is stopped by its invocation's
// timeout; another host's function, started while that one may still be stopping, logs and
// answers. Started as serve.js starts hosts.
const HOSTS_PROGRAM = `
import { Host } from ${JSON.stringify(join(__dirname, "container"))};
const [flooding, logging] = process.argv.slice(2);
// As serve.js does: its stdout, a pipe, becomes non-blocking (EAGAIN when full, not a blocked thread).
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
async function invokeOnce(modulePath: string, timeoutMs: number): Promise<string> {
  const host = Host.start({ modulePath, env: {} });
  const outcome = await (await host.load()).invoke({}, timeoutMs);
  // A timeout has begun stopping the host already: not waited for, as the adapter does not.
  if (outcome.kind !== "timeout") await host.terminate();
  return outcome.kind;
}
void (async () => {
  const flooded = await invokeOnce(flooding, 500);
  const logged = await invokeOnce(logging, 5_000);
  process.stderr.write("flooding: " + flooded + ", logging: " + logged + "\\n");
})();
`;

let dir: string;
let script: string;
let hostsScript: string;

/** Runs the program; a container stuck on its stdout would never end it: killed after 20 s. */
function runProgram(command = [process.execPath, script]): { child: ReturnType<typeof spawn>; exited: Promise<number | null> } {
  const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => (clearTimeout(timer), resolve(code))));
  return { child, exited };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fd-writer-"));
  const { buildSync } = workspaceRequire("esbuild") as typeof esbuild;
  writeFileSync(join(dir, "program.ts"), PROGRAM);
  script = join(dir, "program.js");
  buildSync({ entryPoints: [join(dir, "program.ts")], outfile: script, bundle: true, platform: "node", format: "cjs", logLevel: "error" });
  writeFileSync(join(dir, "hosts.ts"), HOSTS_PROGRAM);
  hostsScript = join(dir, "hosts.js");
  // paths.ts finds the workspace (and the built worker.js) from its own folder, not the bundle's.
  const define = { __dirname: JSON.stringify(__dirname) };
  buildSync({ entryPoints: [join(dir, "hosts.ts")], outfile: hostsScript, bundle: true, platform: "node", format: "cjs", logLevel: "error", define });
  writeFileSync(join(dir, "flooding.js"), `exports.handler = async () => { process.stdout.write("x".repeat(1 << 20)); };`);
  writeFileSync(join(dir, "logging.js"), `exports.handler = async () => { console.error("logged"); return "ok"; };`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeToFd (the containers' stdout)", () => {
  it("writes each line whole through a pipe that fills, though lines over 4 KiB reach it in pieces", async () => {
    // A shell pipe (not a socket, as spawn's stdio is) whose reader starts late: the pipe fills,
    // writes return EAGAIN, and each 20 kB line goes in over several writes.
    const { child, exited } = runProgram(["sh", "-c", `"${process.execPath}" "${script}" | { sleep 1; cat; }`]);
    const chunks: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk));
    const code = await exited;
    expect(code).toBe(0);
    const lines = Buffer.concat(chunks).toString("utf8").split("\n").filter((line) => line.length > 0 && line !== "started");
    expect(lines).toHaveLength(300);
    for (const line of lines) expect(line).toMatch(/^(0{20000}|1{20000}|2{20000})$/);
  }, 30_000);

  it("gathers a turn's chunks into one write: at flush (before a host answers), else at the end of the turn", async () => {
    const file = join(dir, "gathered.log");
    const fd = openSync(file, "w");
    const stream = {} as NodeJS.WriteStream;
    try {
      const flush = writeToFd(stream, fd, new Int32Array(new SharedArrayBuffer(8)));
      stream.write("one\n");
      stream.write(Buffer.from("two\n"));
      expect(readFileSync(file, "utf8")).toBe("");
      flush();
      expect(readFileSync(file, "utf8")).toBe("one\ntwo\n");
      stream.write("three\n");
      await new Promise((resolve) => setImmediate(resolve));
      expect(readFileSync(file, "utf8")).toBe("one\ntwo\nthree\n");
    } finally {
      closeSync(fd);
    }
  });

  it("frees the lock of a host stopped mid-write: the next host's lines still come out, and it answers", async () => {
    const { child, exited } = runProgram([process.execPath, hostsScript, join(dir, "flooding.js"), join(dir, "logging.js")]);
    // Its stdout is not read until the end: the flooding function's 1 MiB fills the pipe and stays half-written.
    child.stdout!.pause();
    let stderr = "";
    const reported = new Promise<void>((resolve) =>
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("logging: ")) resolve();
      }),
    );
    // Or it ended without its report (a crash; killed after 20 s): the assertion shows its stderr.
    await Promise.race([reported, exited]);
    child.stdout!.resume();
    expect(stderr).toBe("logged\nflooding: timeout, logging: result\n");
    expect(await exited).toBe(0);
  }, 30_000);

  it("gives up a stdout whose reader went away instead of failing the function", async () => {
    const { child, exited } = runProgram();
    child.stdout!.destroy();
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await exited;
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(stderr.match(/container \d done/g)).toHaveLength(3);
    expect(code).toBe(0);
  }, 30_000);
});
