import type { Expectations } from '../scenario/types.ts';
import type { RunMetrics } from './metrics.ts';

export interface ExpectationResult {
  readonly kind: 'running' | 'pending' | 'finished';
  readonly id: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

/** Compares the scenario's `expect` section with the end state of a run. */
export function checkExpectations(expect: Expectations, metrics: RunMetrics): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const kind of ['running', 'pending', 'finished'] as const) {
    for (const [id, expected] of Object.entries(expect[kind] ?? {})) {
      const actual = metrics.bySpec.get(id)?.[kind] ?? 0;
      out.push({ kind, id, expected, actual, ok: actual === expected });
    }
  }
  return out;
}
