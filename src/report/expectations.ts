import type { Expectations } from '../scenario/types.ts';
import type { RunMetrics } from './metrics.ts';

export interface ExpectationResult {
  /** `jobs`: copies of the job that succeeded; `pool-size` / `pool-peak`: nodes at the end / at most. */
  readonly kind: 'running' | 'pending' | 'finished' | 'jobs' | 'pool-size' | 'pool-peak';
  readonly id: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

/** Compares the scenario's `expect` section with the end state of a run. */
export function checkExpectations(expect: Expectations, metrics: RunMetrics): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const push = (kind: ExpectationResult['kind'], id: string, expected: number, actual: number) =>
    out.push({ kind, id, expected, actual, ok: actual === expected });
  for (const kind of ['running', 'pending', 'finished'] as const) {
    for (const [id, expected] of Object.entries(expect[kind] ?? {}))
      push(kind, id, expected, metrics.bySpec.get(id)?.[kind] ?? 0);
  }
  for (const [id, expected] of Object.entries(expect.jobs ?? {}))
    push('jobs', id, expected, metrics.jobs[id]?.succeeded ?? 0);
  for (const [name, want] of Object.entries(expect.pools ?? {})) {
    const pool = metrics.pools[name];
    if (want.size !== undefined) push('pool-size', name, want.size, pool?.size ?? 0);
    if (want.peak !== undefined) push('pool-peak', name, want.peak, pool?.peak ?? 0);
  }
  return out;
}
