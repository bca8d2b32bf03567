import test from 'ava';
import fc from 'fast-check';
import {
  cpuSecondsAt,
  firstExceeding,
  integralAt,
  profileFromJson,
  spikeStart,
  type UsageProfile,
  usageAt,
  valueAt,
} from '../../../src/core/model/usage-profile.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

const MIN = 60_000;
const ramp: UsageProfile = { profile: 'ramp', from: 20, to: 90, overMs: 5 * MIN };
const wave: UsageProfile = { profile: 'periodic', low: 30, high: 80, periodMs: 2 * MIN };
const spikes: UsageProfile = { profile: 'spikes', base: 40, peak: 95, everyMs: 3 * MIN, forMs: 10_000 };
const jittered: UsageProfile = { ...spikes, jitterMs: 20_000 };

const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(b));

/** The first whole ms in [0, horizon] over `limit`, by brute force. */
function scanFirst(p: UsageProfile, limit: number, horizon: number, seed = 0): number | undefined {
  for (let t = 0; t <= horizon; t++) if (valueAt(p, t, seed) > limit) return t;
  return undefined;
}

// ---- values ---------------------------------------------------------------------------------------

test('usage profile › constant is its value at every time, before launch included', (t) => {
  const c: UsageProfile = { profile: 'constant', value: 60 };
  for (const ms of [-5, 0, 1, 90_000, 86_400_000]) t.is(valueAt(c, ms), 60);
  t.deepEqual(usageAt({ mem: c, cpus: { profile: 'constant', value: 0.5 } }, 1000), { mem: 60, cpus: 0.5 });
});

test('usage profile › ramp starts at from, is linear, reaches to at over and stays there', (t) => {
  t.is(valueAt(ramp, 0), 20);
  t.is(valueAt(ramp, 2.5 * MIN), 55);
  t.is(valueAt(ramp, MIN), 20 + 70 / 5);
  t.is(valueAt(ramp, 5 * MIN), 90, 'reaches to exactly');
  t.is(valueAt(ramp, 5 * MIN - 1) < 90, true);
  t.is(valueAt(ramp, 60 * MIN), 90, 'stays at to');
  const down: UsageProfile = { profile: 'ramp', from: 100, to: 10, overMs: 1000 };
  t.is(valueAt(down, 0), 100);
  t.is(valueAt(down, 500), 55);
  t.is(valueAt(down, 5000), 10, 'a ramp may go down');
});

test('usage profile › periodic is a raised-cosine wave: low at launch, high at half a period, mean halfway', (t) => {
  t.is(valueAt(wave, 0), 30);
  t.true(close(valueAt(wave, MIN), 80));
  t.true(close(valueAt(wave, 30_000), 55), 'a quarter period: halfway');
  t.true(close(valueAt(wave, 90_000), 55));
  t.true(close(valueAt(wave, 2 * MIN), 30), 'a whole period: low again');
  t.true(close(valueAt(wave, 7 * MIN), 80), 'phase counts from launch');
  for (let ms = 0; ms <= 4 * MIN; ms += 997) {
    const v = valueAt(wave, ms);
    t.true(v >= 30 - 1e-9 && v <= 80 + 1e-9, `within [low, high] at ${ms}`);
  }
});

test('usage profile › spikes are at peak exactly inside their windows, the first one every after launch', (t) => {
  const every = 3 * MIN;
  t.is(valueAt(spikes, 0), 40, 'no spike at launch');
  t.is(valueAt(spikes, every - 1), 40);
  for (const k of [1, 2, 7]) {
    const start = k * every;
    t.is(spikeStart(spikes, k), start);
    t.is(valueAt(spikes, start - 1), 40, `before window ${k}`);
    t.is(valueAt(spikes, start), 95, `first ms of window ${k}`);
    t.is(valueAt(spikes, start + 9_999), 95, `last ms of window ${k}`);
    t.is(valueAt(spikes, start + 10_000), 40, `after window ${k}`);
  }
  let spiking = 0;
  for (let ms = 0; ms < 10 * every; ms++) if (valueAt(spikes, ms) === 95) spiking++;
  t.is(spiking, 9 * 10_000, 'nine whole windows in ten periods, none at launch');
});

test('usage profile › jitter delays each spike by whole ms within [0, jitter], the same for the same seed', (t) => {
  const every = 3 * MIN;
  const starts = (seed: number) => Array.from({ length: 50 }, (_, i) => spikeStart(jittered, i + 1, seed));
  const a = starts(12345);
  t.deepEqual(starts(12345), a, 'deterministic');
  t.notDeepEqual(starts(54321), a, 'another seed, other offsets');
  t.true(new Set(a.map((s, i) => s - (i + 1) * every)).size > 10, 'offsets vary from spike to spike');
  a.forEach((start, i) => {
    const offset = start - (i + 1) * every;
    t.true(Number.isInteger(offset) && offset >= 0 && offset <= 20_000, `offset ${offset}`);
    t.is(valueAt(jittered, start - 1, 12345), 40);
    t.is(valueAt(jittered, start, 12345), 95);
    t.is(valueAt(jittered, start + 9_999, 12345), 95);
    t.is(valueAt(jittered, start + 10_000, 12345), 40);
  });
});

// ---- never negative, integrals ----------------------------------------------------------------------

const level = fc.double({ min: 0, max: 10_000, noNaN: true });
const ms = fc.integer({ min: 1, max: 100_000 });
const profileArb: fc.Arbitrary<UsageProfile> = fc.oneof(
  level.map((value): UsageProfile => ({ profile: 'constant', value })),
  fc
    .tuple(level, level, ms)
    .map(([from, to, overMs]): UsageProfile => ({ profile: 'ramp', from, to, overMs })),
  fc.tuple(level, level, ms).map(
    ([a, b, periodMs]): UsageProfile => ({
      profile: 'periodic',
      low: Math.min(a, b),
      high: Math.max(a, b),
      periodMs,
    }),
  ),
  fc
    .tuple(
      level,
      level,
      ms,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([a, b, everyMs, f, j]): UsageProfile => {
      const forMs = Math.max(1, Math.floor(everyMs * f));
      const jitterMs = Math.floor((everyMs - forMs) * j);
      return {
        profile: 'spikes',
        base: Math.min(a, b),
        peak: Math.max(a, b),
        everyMs: Math.max(everyMs, forMs),
        forMs,
        ...(jitterMs > 0 ? { jitterMs } : {}),
      };
    }),
);

test(`usage profile › values and integrals are never negative; integrals never decrease (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      profileArb,
      fc.integer({ min: -1000, max: 10_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.nat(),
      (p, at, step, seed) => {
        const v = valueAt(p, at, seed);
        const a = integralAt(p, at, seed);
        const b = integralAt(p, at + step, seed);
        return v >= 0 && a >= 0 && b >= a - 1e-6 * Math.max(1, Math.abs(a));
      },
    ),
    fcParams(2000),
  );
  t.pass();
});

test('usage profile › integrals in closed form match the definitions', (t) => {
  t.is(integralAt({ profile: 'constant', value: 0.5 }, 10_000), 5000);
  // Ramp 20 → 90 over 5 min: the average during the ramp is 55, then 90.
  t.true(close(integralAt(ramp, 5 * MIN), 55 * 5 * MIN));
  t.true(close(integralAt(ramp, 7 * MIN), 55 * 5 * MIN + 90 * 2 * MIN));
  // A whole number of periods of the wave averages (low + high) / 2.
  t.true(close(integralAt(wave, 6 * MIN), 55 * 6 * MIN, 1e-9));
  // Spikes: base all the time plus (peak − base) for every ms spent in a window.
  t.is(integralAt(spikes, 3 * MIN + 4000), 40 * (3 * MIN + 4000) + 55 * 4000);
  t.is(integralAt(spikes, 10 * 3 * MIN), 40 * 30 * MIN + 55 * 9 * 10_000);
  // Against a Riemann sum (midpoints, 1 ms steps) for a jittered profile.
  const horizon = 20 * MIN;
  let sum = 0;
  for (let x = 0; x < horizon; x++) sum += valueAt(jittered, x, 7);
  t.is(integralAt(jittered, horizon, 7), sum, 'a step function sums exactly');
  t.is(cpuSecondsAt({ mem: ramp, cpus: { profile: 'constant', value: 2 } }, 90_000), 180);
});

// ---- first exceeding --------------------------------------------------------------------------------

test('usage profile › firstExceeding finds the ramp crossing to the millisecond', (t) => {
  // 20 + 70·t/300000 > 60 ⇔ t > 171428.57…
  const at = firstExceeding(ramp, 60);
  t.is(at, 171_429);
  t.true(valueAt(ramp, 171_429) > 60);
  t.true(valueAt(ramp, 171_428) <= 60);
  t.is(firstExceeding(ramp, 90), undefined, 'reaching the limit is not exceeding it');
  t.is(firstExceeding(ramp, 10), 0, 'over from the start');
  // 90 − 70·d/300000 > 89.999 ⇔ d < 4.29 ms before the end of the ramp.
  t.is(firstExceeding(ramp, 89.999), 5 * MIN - 4);
  t.is(firstExceeding({ profile: 'ramp', from: 100, to: 10, overMs: 1000 }, 100), undefined);
});

test('usage profile › firstExceeding for constant, periodic and spikes', (t) => {
  t.is(firstExceeding({ profile: 'constant', value: 200 }, 128), 0);
  t.is(firstExceeding({ profile: 'constant', value: 128 }, 128), undefined);
  const w = firstExceeding(wave, 55);
  t.is(w, 30_001, 'just after a quarter period');
  t.is(firstExceeding(wave, 80), undefined, 'the peak equals the limit: never over');
  t.is(firstExceeding(wave, 20), 0);
  t.is(firstExceeding(spikes, 60), 3 * MIN, 'the first spike');
  t.is(firstExceeding(spikes, 95), undefined);
  t.is(firstExceeding(spikes, 30), 0, 'the base is over already');
  t.is(firstExceeding(jittered, 60, 99), spikeStart(jittered, 1, 99));
});

test(`usage profile › firstExceeding agrees with a millisecond scan (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      profileArb.filter((p) => p.profile !== 'spikes' || p.everyMs <= 20_000),
      fc.double({ min: 0, max: 10_000, noNaN: true }),
      fc.nat(),
      (p, limit, seed) => {
        const horizon =
          p.profile === 'spikes'
            ? 2 * p.everyMs
            : p.profile === 'ramp'
              ? p.overMs
              : p.profile === 'periodic'
                ? p.periodMs
                : 1;
        const got = firstExceeding(p, limit, seed);
        const want = scanFirst(p, limit, horizon, seed);
        return got === want;
      },
    ),
    fcParams(300),
  );
  t.pass();
});

// ---- JSON -------------------------------------------------------------------------------------------

test('usage profile › profileFromJson reads well-formed profiles and refuses the rest', (t) => {
  for (const p of [ramp, wave, spikes, jittered, { profile: 'constant', value: 1 } as UsageProfile])
    t.deepEqual(profileFromJson(JSON.parse(JSON.stringify(p))), p);
  t.deepEqual(profileFromJson(7), { profile: 'constant', value: 7 });
  for (const bad of [
    -1,
    'ramp',
    null,
    [],
    { profile: 'ramp', from: 1, to: 2 },
    { profile: 'ramp', from: -1, to: 2, overMs: 10 },
    { profile: 'ramp', from: 1, to: 2, overMs: 0 },
    { profile: 'ramp', from: 1, to: 2, overMs: 1.5 },
    { profile: 'periodic', low: 5, high: 1, periodMs: 10 },
    { profile: 'spikes', base: 1, peak: 2, everyMs: 10, forMs: 8, jitterMs: 3 },
    { profile: 'square', value: 1 },
  ])
    t.is(profileFromJson(bad), undefined, JSON.stringify(bad));
});
