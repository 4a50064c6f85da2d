// For the CLIs' tests only: no CLI imports it.
import { EXIT_CODES, RefusedError } from "./errors";

/**
 * The message of the refusal (exit 2) that `parse` gives `argv`; fails the test if it accepts
 * them or throws anything else. Bad arguments are refused before anything is read or changed.
 */
export function refusalOf(parse: (argv: string[]) => unknown, argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).exitCode).toBe(EXIT_CODES.refused);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
}
