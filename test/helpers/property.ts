import type { Parameters as FcParameters } from 'fast-check';

/**
 * The seed for fast-check properties: `FC_SEED` when set (to replay a failure), otherwise a fresh
 * one per run. Put it in the test title so every run prints it, e.g.
 * `test(\`placement › index agrees with the full scan (seed=${SEED})\`, …)`.
 */
export const SEED: number =
  process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (process.pid << 8)) >>> 0;

/** fast-check parameters with the run's seed and a run count (`FC_RUNS` overrides). */
export function fcParams<T>(numRuns: number): FcParameters<T> {
  return { seed: SEED, numRuns: process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : numRuns };
}
