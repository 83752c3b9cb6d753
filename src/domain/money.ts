/**
 * Amounts as people read them ("1,234.50"). The formatters are made once: `toLocaleString` with
 * options builds a new `Intl.NumberFormat` on every call (about 30 µs), and a queue page shows
 * a hundred amounts.
 */
const CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An amount with two decimals and thousands separators. */
export const formatMoney = (v: number): string => CENTS.format(v);

/** A whole amount with thousands separators. */
export const formatWholeAmount = (v: number): string => WHOLE.format(v);
