/**
 * Memory estimators for task intelligence: pure functions from a task family's observed memory
 * history to the memory (in MB) its next copy should ask for, or undefined when they have nothing
 * to go on.
 *
 * Units. offerlab's `mem` is the Mesos unit, MB = 2^20 bytes (MiB): what specs ask for, what offers
 * carry and what usage samples report (`memMb`). Charmander's rule was written against byte counts
 * (InfluxDB's `memory_usage`) with a divisor of 10^6, and its result went to Mesos as MB; its
 * estimator below converts a sample back to bytes first (× 1,048,576) so it gives exactly what
 * Charmander gave for the same container.
 */

/** What an estimator sees of one family's history (memory in MB = 2^20 bytes). */
export interface MemHistory {
  /** The most recent samples, oldest first (at most `WINDOW_SAMPLES`). */
  readonly window: readonly number[];
  /** The largest sample ever recorded (since the history began or was last cleared). */
  readonly peak?: number;
}

/** Turns a family's history into the memory (MB) its next copy should ask for. */
export type Estimator = (history: MemHistory) => number | undefined;

/** Bytes in one Mesos MB. */
export const BYTES_PER_MB = 1_048_576;
/** Charmander's `MBDivisor`: its rule counts observed memory in units of 10^6 bytes. */
export const CHARMANDER_DIVISOR = 1_000_000;
/** Charmander's `TwoMB`: what a task that used less than 10^6 bytes gets. */
export const CHARMANDER_FLOOR_MB = 2;
/** Samples kept per family (Charmander's MaxUsage job read the last 100 points). */
export const WINDOW_SAMPLES = 100;
/** The percentile the `p99-window` estimator sizes for. */
export const P99_WINDOW_PERCENTILE = 99;
/** The margin the `p99-window` estimator adds on top of its percentile, in percent. */
export const P99_WINDOW_MARGIN_PCT = 15;
/** No estimator sizes a task below this (Charmander's floor). */
export const MIN_ESTIMATE_MB = 2;

/**
 * Nearest-rank percentile (`pct` in whole percent, 1–100) of values sorted ascending: the smallest
 * value with at least `pct` % of the values at or below it. Undefined for no values.
 */
export function percentile(sortedAscending: readonly number[], pct: number): number | undefined {
  const n = sortedAscending.length;
  if (n === 0) return undefined;
  // Integer arithmetic for the rank: 0.99 × 100 is not 99 in binary floating point.
  const rank = Math.max(1, Math.ceil((pct * n) / 100));
  return sortedAscending[Math.min(n, rank) - 1];
}

/** The values sorted ascending (a copy). */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Rounds up to a whole MB, ignoring floating-point noise below Mesos' 3 decimals. */
function ceilMb(value: number): number {
  return Math.ceil(Math.round(value * 1000) / 1000);
}

/**
 * Charmander's rule, exactly (`charmander-scheduler:scheduler/impl/scheduler.go`,
 * `OverwriteTaskAttributes`): the observed value is the monotone running maximum of memory use in
 * bytes; under 1,000,000 bytes the task gets 2 MB, else `ceil(float64(observed / 1000000) × 1.1)` —
 * an integer division, then a float multiplication with Go's (and JavaScript's) binary 1.1, so
 * 50,000,000 bytes give 56 MB, not 55. Samples are MB (2^20 bytes) and are converted to whole
 * bytes first: 60 MB = 62,914,560 bytes → trunc 62 → 68.2 → 69 MB.
 */
export function charmanderEstimate(history: MemHistory): number | undefined {
  if (history.peak === undefined) return undefined;
  const bytes = Math.round(history.peak * BYTES_PER_MB);
  if (bytes < CHARMANDER_DIVISOR) return CHARMANDER_FLOOR_MB;
  const whole = (bytes - (bytes % CHARMANDER_DIVISOR)) / CHARMANDER_DIVISOR; // Go integer division
  return Math.ceil(whole * 1.1);
}

/**
 * `p99-window`: the 99th percentile (nearest rank) of the recent window plus 15 %, never below the
 * window's peak, rounded up to a whole MB, at least 2 MB. Unlike Charmander's rule it works in the
 * unit Mesos allocates in, and it follows the recent window: a family whose use fell is sized for
 * what it uses now (the scheduler still never sizes below the all-time peak; see `sizing.ts`).
 * With an empty window but a known peak (an imported Charmander value) the peak stands in.
 */
export function p99WindowEstimate(history: MemHistory): number | undefined {
  const sorted = sortedCopy(history.window);
  const p99 = percentile(sorted, P99_WINDOW_PERCENTILE) ?? history.peak;
  const max = sorted[sorted.length - 1] ?? history.peak;
  if (p99 === undefined || max === undefined) return undefined;
  const withMargin = ceilMb((p99 * (100 + P99_WINDOW_MARGIN_PCT)) / 100);
  return Math.max(MIN_ESTIMATE_MB, withMargin, Math.ceil(max));
}

/** Every estimator by name; a sizing mode (other than `off`) names one of them. */
export const ESTIMATORS = {
  charmander: charmanderEstimate,
  'p99-window': p99WindowEstimate,
} as const satisfies Record<string, Estimator>;

export type EstimatorName = keyof typeof ESTIMATORS;

/** Estimator names in a stable order (the registry's). */
export const ESTIMATOR_NAMES: readonly EstimatorName[] = Object.keys(ESTIMATORS) as EstimatorName[];

export function isEstimatorName(name: string): name is EstimatorName {
  return Object.hasOwn(ESTIMATORS, name);
}
