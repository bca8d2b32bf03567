/**
 * Usage profiles: what a simulated task really uses over time, for memory (MB) and cpus. Time is
 * measured in whole milliseconds from the task's launch, which for the simulated agent is the
 * moment it reports TASK_RUNNING (the command starts). Everything here is pure: the same profile,
 * time and seed always give the same numbers.
 *
 * | profile    | value at t ms after launch                                                     |
 * |------------|--------------------------------------------------------------------------------|
 * | `constant` | `value`                                                                        |
 * | `ramp`     | linear from `from` (t = 0) to `to` (t = `overMs`), then `to` for good          |
 * | `periodic` | a smooth (raised-cosine) wave: `low` at t = 0, `high` at half a period, back to `low` after a whole `periodMs`: `low + (high − low)·(1 − cos 2πt/periodMs)/2` |
 * | `spikes`   | `base`, except in spike windows of `forMs`: the k-th (k = 1, 2, …) starts at `k·everyMs + offset_k`, where `offset_k` is 0 without jitter, else a whole number of ms in [0, `jitterMs`] drawn by hashing (seed, k) — so any spike can be looked up without replaying the ones before it |
 *
 * Scenario validation guarantees every value is ≥ 0, durations are whole ms > 0, `low ≤ high`,
 * `base ≤ peak` and `forMs + jitterMs ≤ everyMs` (so window k lies inside [k·every, (k+1)·every)
 * and windows never overlap); values are still clamped at 0 for hand-made profiles.
 */

export type UsageProfile =
  | { readonly profile: 'constant'; readonly value: number }
  | { readonly profile: 'ramp'; readonly from: number; readonly to: number; readonly overMs: number }
  | { readonly profile: 'periodic'; readonly low: number; readonly high: number; readonly periodMs: number }
  | {
      readonly profile: 'spikes';
      readonly base: number;
      readonly peak: number;
      readonly everyMs: number;
      readonly forMs: number;
      readonly jitterMs?: number;
    };

/** A plain number (the scenario's short form) or a profile. */
export type UsageSpec = number | UsageProfile;

/** Memory (MB) and cpus of one task over time. */
export interface TaskUsage {
  readonly mem: UsageProfile;
  readonly cpus: UsageProfile;
}

export interface UsageValues {
  readonly mem: number;
  readonly cpus: number;
}

export const PROFILE_NAMES = ['constant', 'ramp', 'periodic', 'spikes'] as const;

export function constantProfile(value: number): UsageProfile {
  return { profile: 'constant', value };
}

/** The profile a spec stands for: a number is a constant. */
export function toProfile(spec: UsageSpec): UsageProfile {
  return typeof spec === 'number' ? constantProfile(spec) : spec;
}

/** True for a profile that is not constant (needs more than a number to describe). */
export function isVarying(spec: UsageSpec): boolean {
  return typeof spec !== 'number' && spec.profile !== 'constant';
}

/** A 32-bit integer hash of (seed, k): the jitter of the k-th spike. */
function hash32(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Where the k-th spike window (k ≥ 1) starts, in ms since launch. */
export function spikeStart(p: Extract<UsageProfile, { profile: 'spikes' }>, k: number, seed = 0): number {
  const jitter = p.jitterMs ?? 0;
  const offset = jitter > 0 ? Math.floor((hash32(seed >>> 0, k) / 2 ** 32) * (jitter + 1)) : 0;
  return k * p.everyMs + offset;
}

/** The value of one profile `ms` after launch (before launch: as at launch). */
export function valueAt(p: UsageProfile, ms: number, seed = 0): number {
  const t = Math.max(0, ms);
  let v: number;
  switch (p.profile) {
    case 'constant':
      v = p.value;
      break;
    case 'ramp':
      v = t >= p.overMs ? p.to : p.from + ((p.to - p.from) * t) / p.overMs;
      break;
    case 'periodic': {
      const phase = (t % p.periodMs) / p.periodMs;
      v = p.low + ((p.high - p.low) * (1 - Math.cos(2 * Math.PI * phase))) / 2;
      break;
    }
    case 'spikes': {
      const k = Math.floor(t / p.everyMs);
      const start = k >= 1 ? spikeStart(p, k, seed) : Number.POSITIVE_INFINITY;
      v = t >= start && t < start + p.forMs ? p.peak : p.base;
      break;
    }
  }
  return Math.max(0, v);
}

/** Memory and cpus `msSinceLaunch` after launch. `seed` places jittered spikes (per task). */
export function usageAt(usage: TaskUsage, msSinceLaunch: number, seed = 0): UsageValues {
  return { mem: valueAt(usage.mem, msSinceLaunch, seed), cpus: valueAt(usage.cpus, msSinceLaunch, seed) };
}

/**
 * The integral of a profile from launch to `ms` after it, in value·ms (for cpus: cpu-milliseconds).
 * Exact, in closed form for every profile.
 */
export function integralAt(p: UsageProfile, ms: number, seed = 0): number {
  const t = Math.max(0, ms);
  switch (p.profile) {
    case 'constant':
      return Math.max(0, p.value) * t;
    case 'ramp': {
      const during = Math.min(t, p.overMs);
      const area = p.from * during + ((p.to - p.from) * during * during) / (2 * p.overMs);
      return Math.max(0, area + p.to * Math.max(0, t - p.overMs));
    }
    case 'periodic': {
      const w = (2 * Math.PI) / p.periodMs;
      const area = p.low * t + ((p.high - p.low) / 2) * (t - Math.sin(w * (t % p.periodMs)) / w);
      return Math.max(0, area);
    }
    case 'spikes': {
      // Window k lies inside [k·every, (k+1)·every): every window before the current period is
      // whole, the current period's window counts up to t.
      const k = Math.floor(t / p.everyMs);
      let spiking = Math.max(0, k - 1) * p.forMs;
      if (k >= 1) spiking += Math.min(Math.max(t - spikeStart(p, k, seed), 0), p.forMs);
      return Math.max(0, p.base * t + (p.peak - p.base) * spiking);
    }
  }
}

/** Cpu-seconds used from launch to `msSinceLaunch` after it. */
export function cpuSecondsAt(usage: TaskUsage, msSinceLaunch: number, seed = 0): number {
  return integralAt(usage.cpus, msSinceLaunch, seed) / 1000;
}

/**
 * The first whole millisecond after launch at which the profile's value exceeds `limit`
 * (strictly), or undefined when it never does. Computed analytically (the closed-form crossing,
 * then a check of its neighbouring milliseconds against `valueAt`, so the answer agrees with
 * `valueAt` exactly): `valueAt(p, t) > limit` and `valueAt(p, t − 1) ≤ limit`.
 */
export function firstExceeding(p: UsageProfile, limit: number, seed = 0): number | undefined {
  const over = (t: number) => valueAt(p, t, seed) > limit;
  if (over(0)) return 0;
  switch (p.profile) {
    case 'constant':
      return undefined;
    case 'ramp': {
      if (!(p.to > limit)) return undefined;
      // from ≤ limit < to: rising; the crossing is inside the ramp, at the latest at overMs.
      const exact = (p.overMs * (limit - p.from)) / (p.to - p.from);
      return settle(over, Math.floor(exact), Math.ceil(p.overMs));
    }
    case 'periodic': {
      if (!(p.high > limit)) return undefined;
      // Rising half of the first period; the wave repeats, so if no whole ms of the first
      // period is over the limit, none ever is.
      const r = (limit - p.low) / (p.high - p.low);
      const exact = (p.periodMs * Math.acos(1 - 2 * r)) / (2 * Math.PI);
      return settle(over, Math.floor(exact), Math.ceil(p.periodMs / 2));
    }
    case 'spikes':
      if (!(p.peak > limit) || p.forMs <= 0) return undefined;
      return settle(over, spikeStart(p, 1, seed), spikeStart(p, 1, seed) + Math.ceil(p.forMs));
  }
}

/**
 * From a candidate near the crossing: moves forward (at most to `last`) to the first ms that is
 * over, then back while the ms before is over too. Both walks are a few steps: they only absorb
 * floating-point rounding of the closed form.
 */
function settle(over: (t: number) => boolean, candidate: number, last: number): number | undefined {
  let t = Math.max(0, candidate);
  while (t <= last && !over(t)) t++;
  if (t > last) return undefined;
  while (t > 0 && over(t - 1)) t--;
  return t;
}

/**
 * Reads a profile back from parsed JSON (a TaskInfo label); undefined for anything that is not a
 * well-formed profile. Numbers must be finite and ≥ 0, durations whole milliseconds > 0.
 */
export function profileFromJson(x: unknown): UsageProfile | undefined {
  if (typeof x === 'number') return Number.isFinite(x) && x >= 0 ? constantProfile(x) : undefined;
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const o = x as Record<string, unknown>;
  const num = (k: string) => {
    const v = o[k];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
  };
  const dur = (k: string) => {
    const v = num(k);
    return v !== undefined && v > 0 && Number.isInteger(v) ? v : undefined;
  };
  switch (o.profile) {
    case 'constant': {
      const value = num('value');
      return value === undefined ? undefined : { profile: 'constant', value };
    }
    case 'ramp': {
      const from = num('from');
      const to = num('to');
      const overMs = dur('overMs');
      return from === undefined || to === undefined || overMs === undefined
        ? undefined
        : { profile: 'ramp', from, to, overMs };
    }
    case 'periodic': {
      const low = num('low');
      const high = num('high');
      const periodMs = dur('periodMs');
      return low === undefined || high === undefined || periodMs === undefined || high < low
        ? undefined
        : { profile: 'periodic', low, high, periodMs };
    }
    case 'spikes': {
      const base = num('base');
      const peak = num('peak');
      const everyMs = dur('everyMs');
      const forMs = dur('forMs');
      const jitterMs = o.jitterMs === undefined || o.jitterMs === 0 ? 0 : dur('jitterMs');
      if (
        base === undefined ||
        peak === undefined ||
        everyMs === undefined ||
        forMs === undefined ||
        jitterMs === undefined ||
        forMs + jitterMs > everyMs
      )
        return undefined;
      return { profile: 'spikes', base, peak, everyMs, forMs, ...(jitterMs > 0 ? { jitterMs } : {}) };
    }
    default:
      return undefined;
  }
}
