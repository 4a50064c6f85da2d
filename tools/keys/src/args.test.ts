import { refusalOf } from "@payments-dr/cli-support/testing";
import { parseCliArgs } from "./args";

// Node's parser names an option it rejects, and may quote the rest of the argument: a key pasted
// after an unknown option must not be printed back.
const KEY = `pdr_0123456789abcdef_${"s".repeat(43)}`;

const refusal = (argv: string[]) => refusalOf(parseCliArgs, argv);

it("refuses an unknown option in one sentence naming it, never echoing its value", () => {
  const message = refusal(["create", "--merchant", "m-1", `--api-key=${KEY}`]);
  expect(message).toBe("Unknown option '--api-key' (keys --help)");
  expect(message).not.toContain("s".repeat(43));
});

it("refuses an option given without its value", () => {
  expect(refusal(["create", "--merchant"])).toBe("Option '--merchant <value>' argument missing (keys --help)");
});
