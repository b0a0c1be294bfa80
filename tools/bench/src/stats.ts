/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The p-th percentile (0..100) with linear interpolation between closest
 * ranks (the "R-7" rule spreadsheets use), so p50 of two values is their
 * mean and small samples still give a sensible p99. Non-finite values are
 * dropped; NaN when nothing is left.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (p < 0 || p > 100) throw new RangeError(`percentile out of range: ${p}`);
  const sorted = Array.from(values)
    .filter((value) => Number.isFinite(value))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** a / b, or NaN when either side is missing, so a skipped scenario never yields a ratio. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

/** Rounds for display and JSON; keeps NaN as null so the JSON stays valid. */
export function round(value: number, digits = 2): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
