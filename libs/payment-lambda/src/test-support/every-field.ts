/**
 * `T` with every field, optional ones included, and none of them null: a test's value of it stops
 * compiling when a field is added to `T`, until the test gives that field a value too.
 */
export type EveryField<T> = { [K in keyof T]-?: NonNullable<T[K]> };
