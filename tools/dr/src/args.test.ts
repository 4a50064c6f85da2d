import { refusalOf } from "@payments-dr/cli-support/testing";
import { HELP, parseCliArgs } from "./args";

// Bad arguments are refused (exit 2) before anything is read or changed, each naming what was wrong.
const refusal = (argv: string[]) => refusalOf(parseCliArgs, argv);

it("describes failover's refusals as the code makes them: no answer here goes on only while the DR probe sees the writer failing", () => {
  expect(HELP.failover.replace(/\s+/g, " ")).toContain("the DR region's probe does not see it failing in the last 60 s (a recent pass, a silent probe, or a metric this machine cannot read");
  expect(HELP.fence.replace(/\s+/g, " ")).toContain("goes on without --force once the DR region's probe has seen that");
});

it("refuses an unknown option or a string option without its value, pointing at --help", () => {
  expect(refusal(["failover", "--to", "dr", "--allow-dataloss"])).toMatch(/^Unknown option '--allow-dataloss'.* \(dr --help\)$/);
  expect(refusal(["failover", "--to"])).toMatch(/^Option '--to <value>' argument missing \(dr --help\)$/);
});

it("refuses an unknown command and extra positional arguments", () => {
  expect(refusal(["failvoer", "--to", "dr"])).toBe("unknown command failvoer (dr --help)");
  expect(refusal(["failover", "dr"])).toBe("unexpected arguments: dr (dr --help)");
});

it("refuses a --timeout, --rate or --max-payments that is not a positive number; --settle may be 0", () => {
  expect(refusal(["switchover", "--to", "dr", "--timeout=-5"])).toBe("--timeout must be a positive number, got -5");
  expect(refusal(["switchover", "--to", "dr", "--timeout", "0"])).toBe("--timeout must be a positive number, got 0");
  expect(refusal(["switchover", "--to", "dr", "--timeout", "5m"])).toBe("--timeout must be a positive number, got 5m");
  expect(refusal(["drill", "--rate", "Infinity"])).toBe("--rate must be a positive number, got Infinity");
  expect(refusal(["drill", "--max-payments=-1"])).toBe("--max-payments must be a positive number, got -1");
  expect(parseCliArgs(["drill", "--settle", "0"]).settleSeconds).toBe(0);
});
