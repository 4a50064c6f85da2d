#!/usr/bin/env node
import * as path from "node:path";
import { run } from "./run";

// The bundle lives in dist/tools/keys/; the workspace (apps/) is three levels up.
const workspace = process.env.PAYMENTS_DR_WORKSPACE ?? path.resolve(__dirname, "../../..");

run(process.argv.slice(2), {
  workspace,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  underNx: process.env.NX_TASK_TARGET_PROJECT !== undefined,
}).then((code) => {
  process.exitCode = code;
});
