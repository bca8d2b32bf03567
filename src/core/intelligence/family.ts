import type { Sla } from '../spec/task-spec.ts';
import { ESTIMATOR_NAMES, ESTIMATORS, WINDOW_SAMPLES } from './estimators.ts';

/**
 * Manual overrides for a task family, like Charmander's `charmander:task-intelligence:<id>:<attr>`
 * Redis keys: `mem` (MB) replaces whatever an estimator says, `nodename` pins copies to a node,
 * `sla` changes the family's SLA when a submission starts it.
 */
export interface IntelligenceOverrides {
  mem?: number;
  nodename?: string;
  sla?: Sla;
}

/** What offerlab knows about one task family (spec `id`), in the scheduler state. */
export interface FamilyIntelligence {
  readonly id: string;
  /** Memory samples (MB = 2^20 bytes), oldest first, at most `WINDOW_SAMPLES`. */
  readonly memWindow: number[];
  /** CPU samples (shares), aligned with `memWindow`. */
  readonly cpusWindow: number[];
  /** Samples recorded since the history began (or was cleared). */
  samples: number;
  /** The largest memory sample ever recorded: Charmander's monotone running maximum. */
  peakMemMb?: number;
  peakCpus?: number;
  lastSampleAt?: number;
  overrides: IntelligenceOverrides;
  /** Every estimator's current answer, by name (absent when it has none); derived, not stored. */
  estimates: Record<string, number>;
}

/**
 * A family's intelligence as JSON: what the durable state keeps, what export writes and import
 * reads. `window` is bounded, so snapshots stay small.
 */
export interface IntelligenceEntry {
  id: string;
  samples: number;
  peakMemMb?: number;
  peakCpus?: number;
  lastSampleAt?: number;
  window: { memMb: number[]; cpus: number[] };
  overrides: IntelligenceOverrides;
}

/** The short form records carry (no window): enough for the event stream and the journal trigger. */
export interface IntelligenceSummary {
  samples: number;
  peakMemMb?: number;
  /** Every estimator's answer, by name. */
  estimates: Record<string, number>;
  overrides: IntelligenceOverrides;
}

export function emptyFamily(id: string): FamilyIntelligence {
  return { id, memWindow: [], cpusWindow: [], samples: 0, overrides: {}, estimates: {} };
}

/** Adds one sample to the window (dropping the oldest beyond the bound) and the peaks. */
export function addSample(family: FamilyIntelligence, memMb: number, cpus: number, now: number): void {
  family.memWindow.push(memMb);
  family.cpusWindow.push(cpus);
  if (family.memWindow.length > WINDOW_SAMPLES) {
    family.memWindow.splice(0, family.memWindow.length - WINDOW_SAMPLES);
    family.cpusWindow.splice(0, family.cpusWindow.length - WINDOW_SAMPLES);
  }
  family.samples++;
  if (family.peakMemMb === undefined || memMb > family.peakMemMb) family.peakMemMb = memMb;
  if (family.peakCpus === undefined || cpus > family.peakCpus) family.peakCpus = cpus;
  family.lastSampleAt = now;
}

/** Forgets the observed history (keeps the overrides). */
export function clearHistory(family: FamilyIntelligence): void {
  family.memWindow.length = 0;
  family.cpusWindow.length = 0;
  family.samples = 0;
  delete family.peakMemMb;
  delete family.peakCpus;
  delete family.lastSampleAt;
  family.estimates = {};
}

/** Recomputes every estimator's answer from the history. */
export function refreshEstimates(family: FamilyIntelligence): void {
  const history =
    family.peakMemMb === undefined
      ? { window: family.memWindow }
      : { window: family.memWindow, peak: family.peakMemMb };
  const estimates: Record<string, number> = {};
  for (const name of ESTIMATOR_NAMES) {
    const value = ESTIMATORS[name](history);
    if (value !== undefined) estimates[name] = value;
  }
  family.estimates = estimates;
}

/** True when the family has neither history nor overrides (and so need not be kept). */
export function isEmptyFamily(family: FamilyIntelligence): boolean {
  return family.samples === 0 && Object.keys(family.overrides).length === 0;
}

/**
 * A key that changes whenever something sizing depends on changes: an estimator's answer, the
 * peak rounded up to a whole MB (the floor every sized value keeps), the overrides. Usage samples
 * that change none of them produce no record.
 */
export function sizingSignature(family: FamilyIntelligence | undefined): string {
  if (!family) return '';
  const o = family.overrides;
  const peak = family.peakMemMb === undefined ? '' : String(Math.ceil(family.peakMemMb));
  const estimates = ESTIMATOR_NAMES.map((n) => family.estimates[n] ?? '').join(',');
  return `${peak}|${estimates}|${o.mem ?? ''}|${o.nodename ?? ''}|${o.sla ?? ''}`;
}

function copyOverrides(o: IntelligenceOverrides): IntelligenceOverrides {
  const c: IntelligenceOverrides = {};
  if (o.mem !== undefined) c.mem = o.mem;
  if (o.nodename !== undefined) c.nodename = o.nodename;
  if (o.sla !== undefined) c.sla = o.sla;
  return c;
}

export function intelligenceEntry(family: FamilyIntelligence): IntelligenceEntry {
  const e: IntelligenceEntry = {
    id: family.id,
    samples: family.samples,
    window: { memMb: [...family.memWindow], cpus: [...family.cpusWindow] },
    overrides: copyOverrides(family.overrides),
  };
  if (family.peakMemMb !== undefined) e.peakMemMb = family.peakMemMb;
  if (family.peakCpus !== undefined) e.peakCpus = family.peakCpus;
  if (family.lastSampleAt !== undefined) e.lastSampleAt = family.lastSampleAt;
  return e;
}

export function intelligenceSummary(family: FamilyIntelligence): IntelligenceSummary {
  const s: IntelligenceSummary = {
    samples: family.samples,
    estimates: { ...family.estimates },
    overrides: copyOverrides(family.overrides),
  };
  if (family.peakMemMb !== undefined) s.peakMemMb = family.peakMemMb;
  return s;
}

/**
 * A family from its JSON form (durable state or a validated import): the window is cut to its
 * bound, the peaks are at least the window's, a bare peak counts as one sample, and the
 * estimates are recomputed.
 */
export function familyFromEntry(entry: IntelligenceEntry): FamilyIntelligence {
  const n = Math.min(entry.window.memMb.length, entry.window.cpus.length);
  const from = Math.max(0, n - WINDOW_SAMPLES);
  const family: FamilyIntelligence = {
    id: entry.id,
    memWindow: entry.window.memMb.slice(from, n),
    cpusWindow: entry.window.cpus.slice(from, n),
    samples: 0,
    overrides: copyOverrides(entry.overrides),
    estimates: {},
  };
  const peakMem = maxOf(family.memWindow, entry.peakMemMb);
  const peakCpus = maxOf(family.cpusWindow, entry.peakCpus);
  // A bare peak (Charmander's `…:mem` key) counts as one observation.
  family.samples = Math.max(entry.samples, family.memWindow.length, peakMem === undefined ? 0 : 1);
  if (peakMem !== undefined) family.peakMemMb = peakMem;
  if (peakCpus !== undefined) family.peakCpus = peakCpus;
  if (entry.lastSampleAt !== undefined) family.lastSampleAt = entry.lastSampleAt;
  refreshEstimates(family);
  return family;
}

function maxOf(values: readonly number[], start: number | undefined): number | undefined {
  let max = start;
  for (const v of values) if (max === undefined || v > max) max = v;
  return max;
}
