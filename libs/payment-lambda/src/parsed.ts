import type { FieldError } from "./http/problems";

/** The result of checking one input: its value, or what is wrong with it, field by field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const valid = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const invalid = <T>(field: string, message: string): Parsed<T> => ({ ok: false, errors: [{ field, message }] });

/** The field errors of any number of results. */
export function errorsOf(...results: Parsed<unknown>[]): FieldError[] {
  return results.flatMap((result) => (result.ok ? [] : result.errors));
}
