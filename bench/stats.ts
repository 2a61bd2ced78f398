/**
 * Small statistics helpers for the benchmarks: percentiles over samples and
 * number formatting for aligned tables.
 *
 * @module
 */

/** Summary of a sample of durations, in milliseconds. */
export interface Summary {
  /** Number of samples. */
  n: number;
  /** Median. */
  p50: number;
  /** 95th percentile (nearest rank). */
  p95: number;
  /** Smallest sample. */
  min: number;
  /** Largest sample. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/** The `p`-th percentile (0–100) of `samples`, by nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of `samples` (mean of the middle two for an even count). */
export function median(samples: number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summarise `samples` (milliseconds). */
export function summarize(samples: number[]): Summary {
  return {
    n: samples.length,
    p50: median(samples),
    p95: percentile(samples, 95),
    min: Math.min(...samples),
    max: Math.max(...samples),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

/** Format a number with `digits` decimals, or `-` when it is not finite. */
export function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** Render rows as an aligned plain-text table; numeric-looking cells are right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = /^[-+]?[\d.,]+\s*[×%a-zA-Z/]*$|^-$/;
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.test(c) && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Time an async function, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
