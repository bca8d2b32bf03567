import type { Label } from '../mesos/v1.ts';
import {
  constantProfile,
  isVarying,
  profileFromJson,
  type TaskUsage,
  toProfile,
  type UsageProfile,
  type UsageSpec,
} from './usage-profile.ts';

/**
 * What a task really does, for the simulated agent (in-process or behind the fake master): how
 * long it runs and what it uses. Scenarios put it on submissions; the core copies it into
 * TaskInfo labels like any other label; real Mesos ignores the labels.
 *
 * Usage is a plain number (constant) or a profile (`usage-profile.ts`): memory in MB, cpus.
 */
export interface TaskBehaviour {
  readonly runtimeMs?: number;
  readonly usageMem?: UsageSpec;
  readonly usageCpus?: UsageSpec;
}

export const LABEL_RUNTIME_MS = 'offerlab.sim/runtime-ms';
export const LABEL_USAGE_MEM = 'offerlab.sim/usage-mem';
export const LABEL_USAGE_CPUS = 'offerlab.sim/usage-cpus';
export const LABEL_USAGE = 'offerlab.sim/usage';

/**
 * The labels for a behaviour (omitting what is not set):
 *
 * * `offerlab.sim/runtime-ms`: decimal milliseconds;
 * * `offerlab.sim/usage-mem`, `offerlab.sim/usage-cpus`: a decimal number, for a constant usage
 *   (a plain number or a `constant` profile) — exactly the labels of before profiles existed;
 * * `offerlab.sim/usage`: one JSON object naming only the resources whose usage varies, each as
 *   its profile with durations in ms, keys in a fixed order, e.g.
 *   `{"mem":{"profile":"ramp","from":20,"to":90,"overMs":300000}}`.
 *
 * Each resource is in exactly one of them.
 */
export function behaviourLabels(b: TaskBehaviour): Label[] {
  const labels: Label[] = [];
  if (b.runtimeMs !== undefined) labels.push({ key: LABEL_RUNTIME_MS, value: String(b.runtimeMs) });
  const varying: { mem?: UsageProfile; cpus?: UsageProfile } = {};
  const put = (spec: UsageSpec | undefined, key: string, name: 'mem' | 'cpus') => {
    if (spec === undefined) return;
    if (isVarying(spec)) varying[name] = toProfile(spec);
    else labels.push({ key, value: String(constantValue(spec)) });
  };
  put(b.usageMem, LABEL_USAGE_MEM, 'mem');
  put(b.usageCpus, LABEL_USAGE_CPUS, 'cpus');
  if (varying.mem !== undefined || varying.cpus !== undefined) {
    const json: Record<string, unknown> = {};
    if (varying.mem !== undefined) json.mem = canonical(varying.mem);
    if (varying.cpus !== undefined) json.cpus = canonical(varying.cpus);
    labels.push({ key: LABEL_USAGE, value: JSON.stringify(json) });
  }
  return labels;
}

function constantValue(spec: UsageSpec): number {
  const p = toProfile(spec);
  return p.profile === 'constant' ? p.value : Number.NaN;
}

/** A profile with its keys in a fixed order, so equal profiles give equal labels. */
function canonical(p: UsageProfile): Record<string, unknown> {
  switch (p.profile) {
    case 'constant':
      return { profile: p.profile, value: p.value };
    case 'ramp':
      return { profile: p.profile, from: p.from, to: p.to, overMs: p.overMs };
    case 'periodic':
      return { profile: p.profile, low: p.low, high: p.high, periodMs: p.periodMs };
    case 'spikes':
      return {
        profile: p.profile,
        base: p.base,
        peak: p.peak,
        everyMs: p.everyMs,
        forMs: p.forMs,
        ...(p.jitterMs !== undefined && p.jitterMs > 0 ? { jitterMs: p.jitterMs } : {}),
      };
  }
}

/**
 * Reads the behaviour back from TaskInfo labels; unknown or malformed labels are ignored. A
 * resource named in `offerlab.sim/usage` takes its profile from there, else from its decimal label.
 */
export function behaviourFromLabels(labels: readonly Label[] | undefined): TaskBehaviour {
  const value = (key: string) => labels?.find((l) => l.key === key)?.value;
  const read = (key: string): number | undefined => {
    const v = value(key);
    const n = v === undefined ? Number.NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const profiles = parseUsageLabel(value(LABEL_USAGE));
  const runtimeMs = read(LABEL_RUNTIME_MS);
  const usageMem = profiles.mem ?? read(LABEL_USAGE_MEM);
  const usageCpus = profiles.cpus ?? read(LABEL_USAGE_CPUS);
  return {
    ...(runtimeMs !== undefined ? { runtimeMs } : {}),
    ...(usageMem !== undefined ? { usageMem } : {}),
    ...(usageCpus !== undefined ? { usageCpus } : {}),
  };
}

function parseUsageLabel(text: string | undefined): { mem?: UsageProfile; cpus?: UsageProfile } {
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const o = json as Record<string, unknown>;
  const mem = o.mem === undefined ? undefined : profileFromJson(o.mem);
  const cpus = o.cpus === undefined ? undefined : profileFromJson(o.cpus);
  return { ...(mem ? { mem } : {}), ...(cpus ? { cpus } : {}) };
}

/**
 * What a task uses over time: its behaviour's usage, and for a resource without one, what it
 * was allocated (DESIGN ◆2.3: "default: what it asked").
 */
export function taskUsage(
  b: TaskBehaviour,
  allocated: { readonly mem: number; readonly cpus: number },
): TaskUsage {
  return {
    mem: b.usageMem === undefined ? constantProfile(allocated.mem) : toProfile(b.usageMem),
    cpus: b.usageCpus === undefined ? constantProfile(allocated.cpus) : toProfile(b.usageCpus),
  };
}
