/**
 * Checked element reads for indexes an algorithm keeps in range. With noUncheckedIndexedAccess,
 * `a[i]` is typed as possibly undefined; these return the element, or throw a RangeError naming
 * the index (a bug in the algorithm, never bad input data) instead of asserting it away with `!`.
 * One function per array type, so each read site stays monomorphic in hot loops.
 */

function outOfRange(i: number, length: number): RangeError {
  return new RangeError(`index ${i} outside [0, ${length})`);
}

export function i32(a: Int32Array, i: number): number {
  const v = a[i];
  if (v === undefined) throw outOfRange(i, a.length);
  return v;
}

export function f64(a: Float64Array, i: number): number {
  const v = a[i];
  if (v === undefined) throw outOfRange(i, a.length);
  return v;
}

export function at<T>(a: readonly T[], i: number): T {
  const v = a[i];
  if (v === undefined) throw outOfRange(i, a.length);
  return v;
}
