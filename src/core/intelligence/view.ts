import type { Sla } from '../spec/task-spec.ts';
import { ESTIMATOR_NAMES, percentile, sortedCopy } from './estimators.ts';
import type { FamilyIntelligence, IntelligenceOverrides } from './family.ts';
import { sizedMem, sizedNodename, sizedSla } from './sizing.ts';

/** Nearest-rank statistics of a window of samples. */
export interface WindowStats {
  p50: number;
  p99: number;
  max: number;
}

/**
 * One family's intelligence as `GET /client/intelligence[/<id>]` shows it (JSON-ready: absent
 * values are null). Memory in MB (2^20 bytes), CPU in shares.
 */
export interface IntelligenceView {
  id: string;
  /** Samples recorded since the history began (or was cleared). */
  samples: number;
  /** Core time of the last sample. */
  lastSampleAt: number | null;
  /** All-time peaks (Charmander's monotone running maximum). */
  peak: { memMb: number | null; cpus: number | null };
  /** The recent window the estimators read. */
  window: { samples: number; memMb: WindowStats | null; cpus: WindowStats | null };
  /** Every estimator's answer by name (null: nothing to go on). */
  estimates: Record<string, number | null>;
  /** The sizing mode in effect (`off` or an estimator name). */
  sizing: string;
  /**
   * What the next (re)submission of a metered task of this family gets under the current sizing
   * (null: left as requested). `nodename` does not apply to one-per-node copies; `sla` applies when
   * a submission starts a lineage.
   */
  inEffect: { mem: number | null; nodename: string | null; sla: Sla | null };
  overrides: IntelligenceOverrides;
}

function stats(values: readonly number[]): WindowStats | null {
  const sorted = sortedCopy(values);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const max = sorted[sorted.length - 1];
  return p50 === undefined || p99 === undefined || max === undefined ? null : { p50, p99, max };
}

export function familyView(family: FamilyIntelligence, sizing: string): IntelligenceView {
  const estimates: Record<string, number | null> = {};
  for (const name of ESTIMATOR_NAMES) estimates[name] = family.estimates[name] ?? null;
  return {
    id: family.id,
    samples: family.samples,
    lastSampleAt: family.lastSampleAt ?? null,
    peak: { memMb: family.peakMemMb ?? null, cpus: family.peakCpus ?? null },
    window: {
      samples: family.memWindow.length,
      memMb: stats(family.memWindow),
      cpus: stats(family.cpusWindow),
    },
    estimates,
    sizing,
    inEffect: {
      mem: sizedMem(family, {}, sizing) ?? null,
      nodename: sizedNodename(family, {}, sizing) ?? null,
      sla: sizedSla(family, sizing) ?? null,
    },
    overrides: { ...family.overrides },
  };
}
