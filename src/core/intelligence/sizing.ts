import type { Sla, TaskSpec } from '../spec/task-spec.ts';
import { ESTIMATOR_NAMES, isEstimatorName } from './estimators.ts';
import type { FamilyIntelligence } from './family.ts';

/**
 * Right-sizing: Charmander's `OverwriteTaskAttributes` hook, applied to every task offerlab creates
 * while sizing is on. The sizing mode is `off` (specs run as submitted, overrides included) or the
 * name of the estimator whose answer becomes `mem`.
 *
 * - `mem` := the manual override, else the estimate (metered specs only); never below the family's
 *   all-time observed peak, rounded up to a whole MB — so right-sizing never sizes below the peak;
 * - `nodename` := the override (not for one-per-node copies, which are pinned to their agent);
 * - `sla` := the override, when a submission starts a lineage (`withSlaOverride`); relaunches,
 *   reshuffle copies and one-per-node copies keep their lineage's SLA, so the one-per-node and
 *   singleton bookkeeping stays whole.
 */
export const SIZING_OFF = 'off';

/** Every sizing mode: `off` and each estimator. */
export const SIZING_MODES: readonly string[] = [SIZING_OFF, ...ESTIMATOR_NAMES];

export function isSizingMode(mode: string): boolean {
  return mode === SIZING_OFF || isEstimatorName(mode);
}

/** The mem a copy of this family gets under the sizing mode; undefined = keep the requested mem. */
export function sizedMem(
  family: FamilyIntelligence | undefined,
  spec: Pick<TaskSpec, 'notmetered'>,
  sizing: string,
): number | undefined {
  if (sizing === SIZING_OFF || !family) return undefined;
  const base = family.overrides.mem ?? (spec.notmetered === true ? undefined : family.estimates[sizing]);
  if (base === undefined) return undefined;
  return family.peakMemMb === undefined ? base : Math.max(base, Math.ceil(family.peakMemMb));
}

/** The nodename a copy gets; undefined = keep the requested one. */
export function sizedNodename(
  family: FamilyIntelligence | undefined,
  spec: Pick<TaskSpec, 'sla'>,
  sizing: string,
): string | undefined {
  if (sizing === SIZING_OFF || !family || spec.sla === 'one-per-node') return undefined;
  return family.overrides.nodename;
}

/** The SLA a new lineage gets; undefined = keep the requested one. */
export function sizedSla(family: FamilyIntelligence | undefined, sizing: string): Sla | undefined {
  if (sizing === SIZING_OFF || !family) return undefined;
  return family.overrides.sla;
}

/**
 * The spec a new task runs with: `mem` and `nodename` as the family's intelligence says. Returns
 * the same object when nothing changes (so with sizing off a task's spec is its request).
 */
export function sizeSpec(family: FamilyIntelligence | undefined, spec: TaskSpec, sizing: string): TaskSpec {
  const mem = sizedMem(family, spec, sizing);
  const nodename = sizedNodename(family, spec, sizing);
  if ((mem === undefined || mem === spec.mem) && (nodename === undefined || nodename === spec.nodename))
    return spec;
  const sized: TaskSpec = { ...spec };
  if (mem !== undefined) sized.mem = mem;
  if (nodename !== undefined) sized.nodename = nodename;
  return sized;
}

/** A submitted spec with the family's SLA override applied (the same object when there is none). */
export function withSlaOverride(
  family: FamilyIntelligence | undefined,
  spec: TaskSpec,
  sizing: string,
): TaskSpec {
  const sla = sizedSla(family, sizing);
  return sla === undefined || sla === spec.sla ? spec : { ...spec, sla };
}

/** A spec with another SLA (or none); the same object when it already has it. */
export function withSla(spec: TaskSpec, sla: Sla | undefined): TaskSpec {
  if (spec.sla === sla) return spec;
  const copy: TaskSpec = { ...spec };
  if (sla === undefined) delete copy.sla;
  else copy.sla = sla;
  return copy;
}
