#!/usr/bin/env node
import * as path from "node:path";
import { askOnTerminal, interruptedMessage, run } from "./run";

// The bundle lives in dist/tools/dr/; the workspace (apps/, dist/) is three levels up.
const workspace = process.env.PAYMENTS_DR_WORKSPACE ?? path.resolve(__dirname, "../../..");

// Ctrl+C during a wait: say what goes on without us, then stop as an interrupted process does.
process.once("SIGINT", () => {
  process.stderr.write(`\n${interruptedMessage(process.argv.slice(2))}\n`);
  process.exit(130);
});

run(process.argv.slice(2), {
  workspace,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  isTTY: process.stdin.isTTY === true,
  ask: askOnTerminal,
  drillApiKey: process.env.DR_DRILL_API_KEY,
}).then((code) => {
  // Exit as soon as the output is written. Otherwise reads that a refusal made unneeded (dr
  // failover starts them all at once) keep the process, and the on-call's prompt, for up to
  // their 20 s limit.
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
});
