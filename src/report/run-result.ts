import type { ReasonCode } from '../core/placement/reasons.ts';
import type { Violation } from '../trace/invariants.ts';
import type { ExpectationResult } from './expectations.ts';
import type { RunMetrics } from './metrics.ts';

export interface PendingTask {
  readonly task: string;
  readonly spec: string;
  readonly why: string;
  readonly reasons: readonly { code: ReasonCode; count: number }[];
}

/** Everything one scenario run produced, for the summary, `--json` and `compare`. */
export interface RunResult {
  readonly scenario: { readonly name: string; readonly file: string; readonly description?: string };
  readonly seed: number;
  readonly policy: { readonly placement: string; readonly reshuffle: string };
  readonly transport: 'sim' | 'http';
  readonly metrics: RunMetrics;
  readonly violations: readonly Violation[];
  readonly expectations: readonly ExpectationResult[];
  readonly pending: readonly PendingTask[];
  readonly digest: string;
  readonly traceLines: number;
  /** Simulation events processed (0 for live runs). */
  readonly events: number;
  readonly fatal?: string;
}

/** A run passes when no invariant broke, every expectation held and nothing fatal happened. */
export function runPassed(r: RunResult): boolean {
  return r.violations.length === 0 && r.expectations.every((e) => e.ok) && r.fatal === undefined;
}
