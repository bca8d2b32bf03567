import {
  addSample,
  clearHistory,
  emptyFamily,
  type FamilyIntelligence,
  familyFromEntry,
  type IntelligenceEntry,
  intelligenceEntry,
  intelligenceSummary,
  isEmptyFamily,
  refreshEstimates,
  sizingSignature,
} from '../intelligence/family.ts';
import { sizeSpec, withSla } from '../intelligence/sizing.ts';
import {
  applyPatch,
  type OverridesPatch,
  parseIntelligenceEntries,
  parseOverridesPatch,
} from '../intelligence/validate.ts';
import { familyView, type IntelligenceView } from '../intelligence/view.ts';
import { formatFieldErrors, idProblem, type TaskSpec } from '../spec/task-spec.ts';
import type { Out } from './commands.ts';
import type { IntelligenceClearScope, UsageSample } from './inputs.ts';
import type { IntelligenceCause } from './records.ts';
import { isLive, type SchedulerState, type TaskRecord } from './state.ts';
import { refreshObservedFamily } from './tasks.ts';

/**
 * Task intelligence in the scheduler: usage samples per family (spec id), manual overrides, import
 * and export, and the queries the REST layer answers from. Sizing itself happens where tasks are
 * created (`tasks.ts` → `core/intelligence/sizing.ts`).
 */

function emit(state: SchedulerState, id: string, cause: IntelligenceCause, out: Out, before: string): void {
  const family = state.intelligence.get(id);
  if (sizingSignature(family) === before) return;
  out.record({ type: 'intelligence', id, cause, entry: family ? intelligenceSummary(family) : null });
}

function peakOf(state: SchedulerState, id: string): number | undefined {
  return state.intelligence.get(id)?.peakMemMb;
}

/** Keeps the agents' observed memory (usage-aware placement) true to a family whose peak moved. */
function notePeak(state: SchedulerState, id: string, before: number | undefined): void {
  if (peakOf(state, id) !== before) refreshObservedFamily(state, id);
}

/** Drops a family that holds nothing any more. */
function prune(state: SchedulerState, id: string): void {
  const family = state.intelligence.get(id);
  if (family && isEmptyFamily(family)) state.intelligence.delete(id);
}

/**
 * One metering round. Each valid sample of a launched, metered task is added to its family's
 * window and peak; a family whose sizing signature changed gets one `intelligence` record (in id
 * order), so steady usage produces no records at all.
 */
export function recordUsage(
  state: SchedulerState,
  samples: readonly UsageSample[],
  now: number,
  out: Out,
): void {
  const before = new Map<string, string>();
  const peaks = new Map<string, number | undefined>();
  for (const s of samples) {
    const task = state.tasks.get(s.task);
    if (!task || !isLive(task) || task.spec.notmetered === true) continue;
    if (!Number.isFinite(s.memMb) || s.memMb < 0 || !Number.isFinite(s.cpus) || s.cpus < 0) continue;
    let family = state.intelligence.get(task.specId);
    if (!before.has(task.specId)) {
      before.set(task.specId, sizingSignature(family));
      peaks.set(task.specId, family?.peakMemMb);
    }
    if (!family) {
      family = emptyFamily(task.specId);
      state.intelligence.set(task.specId, family);
    }
    addSample(family, s.memMb, s.cpus, now);
  }
  for (const id of [...before.keys()].sort()) {
    const family = state.intelligence.get(id);
    if (family) refreshEstimates(family);
    notePeak(state, id, peaks.get(id));
    emit(state, id, 'usage', out, before.get(id) ?? '');
  }
}

function reject(out: Out, message: string, id?: string): void {
  out.record({ type: 'intelligence-rejected', ...(id !== undefined ? { id } : {}), message });
}

/** Sets or removes manual overrides of one family (Charmander's `…:<id>:mem|nodename|sla` keys). */
export function setOverrides(
  state: SchedulerState,
  id: string,
  overrides: OverridesPatch,
  replace: boolean,
  out: Out,
): void {
  const problem = idProblem(id);
  if (problem !== undefined) {
    reject(out, `id ${problem}`, id);
    return;
  }
  const parsed = parseOverridesPatch(overrides);
  if (!parsed.ok) {
    reject(out, formatFieldErrors(parsed.errors), id);
    return;
  }
  const current = state.intelligence.get(id);
  const before = sizingSignature(current);
  const family = current ?? emptyFamily(id);
  family.overrides = applyPatch(family.overrides, parsed.value, replace);
  if (!current) state.intelligence.set(id, family);
  prune(state, id);
  emit(state, id, 'set', out, before);
}

/** Forgets a family's intelligence: everything, only its overrides, or only its history. */
export function clearIntelligence(
  state: SchedulerState,
  id: string,
  what: IntelligenceClearScope,
  out: Out,
): void {
  const family = state.intelligence.get(id);
  if (!family) return;
  const before = sizingSignature(family);
  const peak = family.peakMemMb;
  if (what === 'all') state.intelligence.delete(id);
  else {
    if (what === 'overrides') family.overrides = {};
    else clearHistory(family);
    prune(state, id);
  }
  notePeak(state, id, peak);
  emit(state, id, 'clear', out, before);
}

/**
 * Imports intelligence in the export format, validated as a whole. With `replace` (the default)
 * the import is the whole map; otherwise only the families it names are replaced. Each family
 * whose sizing signature changed gets a record, in id order.
 */
export function importIntelligence(
  state: SchedulerState,
  entries: readonly IntelligenceEntry[],
  replace: boolean,
  out: Out,
): void {
  const parsed = parseIntelligenceEntries(entries);
  if (!parsed.ok) {
    reject(out, formatFieldErrors(parsed.errors));
    return;
  }
  const incoming = new Map(parsed.value.map((e) => [e.id, familyFromEntry(e)] as const));
  const ids = new Set(incoming.keys());
  if (replace) for (const id of state.intelligence.keys()) ids.add(id);
  for (const id of [...ids].sort()) {
    const before = sizingSignature(state.intelligence.get(id));
    const peak = peakOf(state, id);
    const next = incoming.get(id);
    if (next && !isEmptyFamily(next)) state.intelligence.set(id, next);
    else state.intelligence.delete(id);
    notePeak(state, id, peak);
    emit(state, id, 'import', out, before);
  }
}

/** Every family's intelligence in the export (and import, and durable) format, by id. */
export function exportIntelligence(state: SchedulerState): IntelligenceEntry[] {
  return [...state.intelligence.keys()].sort().map((id) => intelligenceEntry(familyOf(state, id)));
}

function familyOf(state: SchedulerState, id: string): FamilyIntelligence {
  const family = state.intelligence.get(id);
  if (!family) throw new Error(`no intelligence for ${id}`);
  return family;
}

/**
 * The REST view of task intelligence: every family by id, or one family (undefined when offerlab
 * knows nothing about it).
 */
export function intelligenceView(state: SchedulerState): IntelligenceView[];
export function intelligenceView(state: SchedulerState, id: string): IntelligenceView | undefined;
export function intelligenceView(
  state: SchedulerState,
  id?: string,
): IntelligenceView[] | IntelligenceView | undefined {
  if (id !== undefined) {
    const family = state.intelligence.get(id);
    return family ? familyView(family, state.config.sizing) : undefined;
  }
  return [...state.intelligence.keys()]
    .sort()
    .map((key) => familyView(familyOf(state, key), state.config.sizing));
}

/**
 * The spec a new copy of a lineage starts from, unsized: what the user submitted, with the SLA of
 * the lineage (which an SLA override may have set when it was submitted).
 */
export function lineageSpec(task: Pick<TaskRecord, 'spec' | 'requested'>): TaskSpec {
  return withSla(task.requested, task.spec.sla);
}

/**
 * What a task would run with if it were resubmitted now (for planners and queries): its lineage's
 * spec, right-sized under the current sizing.
 */
export function resubmittedSpec(
  state: SchedulerState,
  task: Pick<TaskRecord, 'spec' | 'requested'>,
): TaskSpec {
  const spec = lineageSpec(task);
  return sizeSpec(state.intelligence.get(spec.id), spec, state.config.sizing);
}
