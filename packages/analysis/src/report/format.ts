/** Number formatting shared by the text, Markdown and HTML reports. */

/** µs → "12.3 ms" / "1.24 s" / "850 µs". */
export function dur(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '–';
  const a = Math.abs(us);
  if (a >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (a >= 1e3) return `${(us / 1e3).toFixed(a >= 1e5 ? 0 : 1)} ms`;
  return `${Math.round(us)} µs`;
}

/**
 * A fraction as a percentage with `digits` decimals; a non-zero share too small for them keeps two
 * significant digits (0.0031%), so a long trace window does not turn every share into 0.0%.
 */
export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const p = x * 100;
  if (p !== 0 && Math.abs(p) < 0.5 * 10 ** -digits) return `${Number(p.toPrecision(2))}%`;
  return `${p.toFixed(digits)}%`;
}

export function num(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function rate(perSecond: number): string {
  return `${num(perSecond, perSecond < 10 ? 2 : 1)}/s`;
}

/** The one p-value notation of every report: 4 decimals, or "<0.0001". */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

export function time(us: number): string {
  return Number.isFinite(us) && us > 0 ? new Date(us / 1000).toISOString() : '–';
}

/** Evidence value: numbers rounded for reading, strings as they are. */
export function evidenceValue(v: number | string, key = ''): string {
  if (typeof v === 'string') return v;
  if (/^p-?value$/i.test(key)) return pValue(v);
  if (Number.isInteger(v)) return num(v);
  if (Math.abs(v) < 0.01) return v.toExponential(2);
  return num(v, 2);
}

/** The Jaeger UI page of a trace: `<base>/trace/<id>` (the base's trailing slashes dropped). */
export function traceUrl(jaegerUrl: string, traceId: string): string {
  return `${jaegerUrl.replace(/\/+$/, '')}/trace/${encodeURIComponent(traceId)}`;
}
