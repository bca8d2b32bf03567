import type { RunResult } from './run-result.ts';

/** A RunResult as plain JSON (maps become objects). */
export function resultToJson(r: RunResult, wallMs?: number): unknown {
  return {
    ...r,
    metrics: { ...r.metrics, bySpec: Object.fromEntries(r.metrics.bySpec) },
    ...(wallMs !== undefined ? { wallMs: Math.round(wallMs) } : {}),
  };
}
