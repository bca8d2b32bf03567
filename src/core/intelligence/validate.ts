import { round3 } from '../model/resources.ts';
import { type FieldError, idProblem, readNumber, type Sla } from '../spec/task-spec.ts';
import { WINDOW_SAMPLES } from './estimators.ts';
import type { IntelligenceEntry, IntelligenceOverrides } from './family.ts';

/**
 * Validation of what users send about task intelligence (REST bodies, import files). Errors name
 * the field with a JSON pointer, like task-spec errors. Numbers may be JSON numbers or numeric
 * strings, as Charmander clients send them.
 */

/** A change to a family's overrides: a value sets the override, `null` removes it, absent keeps it. */
export interface OverridesPatch {
  mem?: number | null;
  nodename?: string | null;
  sla?: Sla | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The largest `mem` override accepted (MB): 1 PB, far beyond any agent. */
export const MAX_OVERRIDE_MEM_MB = 1_073_741_824;
const MAX_NODENAME_LENGTH = 255;
const SLAS: readonly Sla[] = ['one-per-node', 'singleton'];
const OVERRIDE_FIELDS = ['mem', 'nodename', 'sla'];
const ENTRY_FIELDS = ['id', 'samples', 'peakMemMb', 'peakCpus', 'lastSampleAt', 'window', 'overrides'];
const WINDOW_FIELDS = ['memMb', 'cpus'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function unknownFields(
  raw: Record<string, unknown>,
  known: readonly string[],
  at: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key))
      errors.push({ path: `${at}/${key}`, message: `unknown field "${key}" (known: ${known.join(', ')})` });
  }
}

function patchFrom(raw: Record<string, unknown>, at: string, errors: FieldError[]): OverridesPatch {
  const patch: OverridesPatch = {};
  unknownFields(raw, OVERRIDE_FIELDS, at, errors);
  if (raw.mem === null) patch.mem = null;
  else if (raw.mem !== undefined) {
    const mem = readNumber(raw.mem);
    if (mem === undefined || mem <= 0 || mem > MAX_OVERRIDE_MEM_MB || round3(mem) <= 0)
      errors.push({
        path: `${at}/mem`,
        message: `mem must be a number of MB greater than 0 and at most ${MAX_OVERRIDE_MEM_MB}, or null, got ${describe(raw.mem)}`,
      });
    else patch.mem = round3(mem);
  }
  if (raw.nodename === null) patch.nodename = null;
  else if (raw.nodename !== undefined) {
    if (
      typeof raw.nodename !== 'string' ||
      raw.nodename.length === 0 ||
      raw.nodename.length > MAX_NODENAME_LENGTH
    )
      errors.push({
        path: `${at}/nodename`,
        message: `nodename must be a non-empty string of at most ${MAX_NODENAME_LENGTH} characters, or null, got ${describe(raw.nodename)}`,
      });
    else patch.nodename = raw.nodename;
  }
  if (raw.sla === null) patch.sla = null;
  else if (raw.sla !== undefined) {
    if (typeof raw.sla !== 'string' || !SLAS.includes(raw.sla as Sla))
      errors.push({
        path: `${at}/sla`,
        message: `sla must be one of ${SLAS.join(', ')}, or null, got ${describe(raw.sla)}`,
      });
    else patch.sla = raw.sla as Sla;
  }
  return patch;
}

/** Reads a change to the overrides (the body of `PUT /client/intelligence/<id>`). */
export function parseOverridesPatch(raw: unknown): Parsed<OverridesPatch> {
  if (!isObject(raw))
    return {
      ok: false,
      errors: [{ path: '', message: `overrides must be an object, got ${describe(raw)}` }],
    };
  const errors: FieldError[] = [];
  const value = patchFrom(raw, '', errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** The overrides after a patch (`replace`: start from none instead of the current ones). */
export function applyPatch(
  current: IntelligenceOverrides,
  patch: OverridesPatch,
  replace = false,
): IntelligenceOverrides {
  const next: IntelligenceOverrides = replace ? {} : { ...current };
  if (patch.mem === null) delete next.mem;
  else if (patch.mem !== undefined) next.mem = patch.mem;
  if (patch.nodename === null) delete next.nodename;
  else if (patch.nodename !== undefined) next.nodename = patch.nodename;
  if (patch.sla === null) delete next.sla;
  else if (patch.sla !== undefined) next.sla = patch.sla;
  return next;
}

function nonNegative(
  raw: Record<string, unknown>,
  field: string,
  at: string,
  errors: FieldError[],
  integer = false,
): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const n = readNumber(value);
  if (n === undefined || n < 0 || (integer && !Number.isInteger(n))) {
    errors.push({
      path: `${at}/${field}`,
      message: `${field} must be ${integer ? 'a whole number' : 'a number'} at least 0, got ${describe(value)}`,
    });
    return undefined;
  }
  return n;
}

function series(raw: unknown, at: string, errors: FieldError[]): number[] | undefined {
  if (!Array.isArray(raw)) {
    errors.push({ path: at, message: `must be an array of numbers, got ${describe(raw)}` });
    return undefined;
  }
  if (raw.length > WINDOW_SAMPLES) {
    errors.push({ path: at, message: `must hold at most ${WINDOW_SAMPLES} samples, got ${raw.length}` });
    return undefined;
  }
  const out: number[] = [];
  raw.forEach((v, i) => {
    const n = readNumber(v);
    if (n === undefined || n < 0)
      errors.push({ path: `${at}/${i}`, message: `must be a number at least 0, got ${describe(v)}` });
    else out.push(n);
  });
  return out;
}

function entryFrom(raw: unknown, at: string, errors: FieldError[]): IntelligenceEntry | undefined {
  if (!isObject(raw)) {
    errors.push({ path: at, message: `an entry must be an object, got ${describe(raw)}` });
    return undefined;
  }
  const before = errors.length;
  unknownFields(raw, ENTRY_FIELDS, at, errors);
  let id = '';
  if (typeof raw.id !== 'string')
    errors.push({ path: `${at}/id`, message: `id must be a string, got ${describe(raw.id)}` });
  else {
    const problem = idProblem(raw.id);
    if (problem !== undefined) errors.push({ path: `${at}/id`, message: `id ${problem}` });
    id = raw.id;
  }
  const samples = nonNegative(raw, 'samples', at, errors, true);
  const peakMemMb = nonNegative(raw, 'peakMemMb', at, errors);
  const peakCpus = nonNegative(raw, 'peakCpus', at, errors);
  let lastSampleAt: number | undefined;
  if (raw.lastSampleAt !== undefined) {
    lastSampleAt = readNumber(raw.lastSampleAt);
    if (lastSampleAt === undefined)
      errors.push({
        path: `${at}/lastSampleAt`,
        message: `lastSampleAt must be a number, got ${describe(raw.lastSampleAt)}`,
      });
  }
  let memMb: number[] = [];
  let cpus: number[] = [];
  if (raw.window !== undefined) {
    if (!isObject(raw.window))
      errors.push({ path: `${at}/window`, message: `window must be an object, got ${describe(raw.window)}` });
    else {
      unknownFields(raw.window, WINDOW_FIELDS, `${at}/window`, errors);
      memMb = series(raw.window.memMb ?? [], `${at}/window/memMb`, errors) ?? [];
      cpus =
        raw.window.cpus === undefined
          ? memMb.map(() => 0)
          : (series(raw.window.cpus, `${at}/window/cpus`, errors) ?? []);
      if (cpus.length !== memMb.length)
        errors.push({
          path: `${at}/window/cpus`,
          message: `cpus must have as many samples as memMb (${memMb.length}), got ${cpus.length}`,
        });
    }
  }
  let overrides: IntelligenceOverrides = {};
  if (raw.overrides !== undefined) {
    if (!isObject(raw.overrides))
      errors.push({
        path: `${at}/overrides`,
        message: `overrides must be an object, got ${describe(raw.overrides)}`,
      });
    else overrides = applyPatch({}, patchFrom(raw.overrides, `${at}/overrides`, errors));
  }
  if (errors.length > before) return undefined;
  const entry: IntelligenceEntry = {
    id,
    samples: Math.max(samples ?? 0, memMb.length),
    window: { memMb, cpus },
    overrides,
  };
  if (peakMemMb !== undefined) entry.peakMemMb = peakMemMb;
  if (peakCpus !== undefined) entry.peakCpus = peakCpus;
  if (lastSampleAt !== undefined) entry.lastSampleAt = lastSampleAt;
  return entry;
}

/**
 * Reads an intelligence import: an array of entries in the export format
 * (`[{id, samples?, peakMemMb?, peakCpus?, lastSampleAt?, window?: {memMb, cpus?}, overrides?}]`).
 * A bare `{id, peakMemMb}` is Charmander's observed maximum; ids must be unique.
 */
export function parseIntelligenceEntries(raw: unknown): Parsed<IntelligenceEntry[]> {
  if (!Array.isArray(raw))
    return {
      ok: false,
      errors: [{ path: '', message: `an import must be an array of entries, got ${describe(raw)}` }],
    };
  const errors: FieldError[] = [];
  const entries: IntelligenceEntry[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const entry = entryFrom(item, `/${i}`, errors);
    if (!entry) return;
    if (seen.has(entry.id)) errors.push({ path: `/${i}/id`, message: `duplicate id "${entry.id}"` });
    seen.add(entry.id);
    entries.push(entry);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: entries };
}
