/**
 * The ISO 4217 currencies the API accepts, with their exponent: the number of decimal digits
 * of the minor unit (USD 2: 1050 = 10.50 USD; JPY 0: 1050 = 1050 JPY; KWD 3: 1050 = 1.050 KWD).
 * Amounts are always integers in minor units; adding a currency means knowing its exponent.
 *
 * To add a currency: one line here, nothing else (validation, the sessions' schema and the
 * property test read this list). The code is ISO 4217's, three uppercase letters: the
 * `payments.currency` column is `char(3)` checked against `^[A-Z]{3}$`, and `app/api.test.ts`
 * creates and reads back a payment in every code, so one the database refuses fails there. The
 * exponent is not read by the code today (an amount is minor units whatever the currency): it
 * records what an amount means, and the type admits ISO's 0, 2 and 3 (a 4 would need the type
 * widened). Removing a code refuses new payments in it; those made keep reading (from
 * PostgreSQL: their sessions no longer parse).
 */
const CURRENCY_EXPONENTS = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

/** An accepted ISO 4217 code (uppercase). */
export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export const CURRENCY_CODES = Object.keys(CURRENCY_EXPONENTS) as [CurrencyCode, ...CurrencyCode[]];
