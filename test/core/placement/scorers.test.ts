import test from 'ava';
import fc from 'fast-check';
import { emptyResources, round3 } from '../../../src/core/model/resources.ts';
import { usageHeadroom } from '../../../src/core/placement/filters/usage-headroom.ts';
import { observedFraction } from '../../../src/core/placement/observed.ts';
import { SCORER_NAMES, scorerByName } from '../../../src/core/placement/pipeline.ts';
import type {
  PlacementAgent,
  PlacementContext,
  PlacementTask,
  ScorerPlugin,
  SubtreeBounds,
} from '../../../src/core/placement/plugin.ts';
import { binPack } from '../../../src/core/placement/scorers/bin-pack.ts';
import { firstFit } from '../../../src/core/placement/scorers/first-fit.ts';
import { freeFraction } from '../../../src/core/placement/scorers/free-fraction.ts';
import { spread } from '../../../src/core/placement/scorers/spread.ts';
import { usageAware } from '../../../src/core/placement/scorers/usage-aware.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function agent(
  id: string,
  free: { cpus: number; mem: number },
  capacity: { cpus: number; mem: number } = { cpus: 8, mem: 8192 },
  observedMem?: number,
): PlacementAgent {
  return {
    id,
    hostname: id,
    attributes: {},
    free: { ...emptyResources(), ...free, disk: 1000 },
    capacity: { ...capacity, disk: 1000 },
    held: false,
    offerCount: 1,
    ...(observedMem !== undefined ? { observedMem } : {}),
  };
}

/** A context whose task intelligence knows these family peaks. */
function context(peaks: Record<string, number> = {}): PlacementContext {
  return {
    now: 0,
    paused: false,
    subscribed: true,
    liveCopiesOnAgent: () => 0,
    liveSingletonCopy: () => undefined,
    observedPeakMem: (specId) => peaks[specId],
  };
}

const CTX = context();

function task(cpus: number, mem: number): PlacementTask {
  return {
    id: 't-1',
    spec: { id: 't', dockerimage: 'x', cpus, mem },
    need: { ...emptyResources(), cpus, mem },
    notBefore: 0,
  };
}

/**
 * The aggregates the index keeps for a subtree, computed by hand over a set of agents. The
 * `…WithCpus` ones go over the agents with at least the task's cpus free (the index uses a cpu
 * threshold at most that, so it takes in more agents: its max is at least this, its min at most).
 */
function boundsOver(agents: readonly PlacementAgent[], tk?: PlacementTask): SubtreeBounds {
  const fractions = agents.map((a) => freeFraction(a.free, a.capacity));
  const observed = agents.map(observedFraction);
  const withCpus = agents
    .filter((a) => tk === undefined || a.free.cpus >= tk.need.cpus)
    .map(observedFraction);
  return {
    maxFreeFraction: Math.max(...fractions),
    minFreeFraction: Math.min(...fractions),
    maxObservedFraction: Math.max(...observed),
    minObservedFraction: Math.min(...observed),
    maxObservedFractionWithCpus: Math.max(...withCpus),
    minObservedFractionWithCpus: Math.min(...withCpus),
    minCapacityCpus: Math.min(...agents.map((a) => a.capacity.cpus)),
    minCapacityMem: Math.min(...agents.map((a) => a.capacity.mem)),
    maxCapacityCpus: Math.max(...agents.map((a) => a.capacity.cpus)),
    maxCapacityMem: Math.max(...agents.map((a) => a.capacity.mem)),
  };
}

/** True when the agent has the cpus free for the task (bounds may ignore the others). */
const hasCpus = (a: PlacementAgent, tk: PlacementTask) => a.free.cpus >= tk.need.cpus;

const full = agent('full', { cpus: 1, mem: 1024 });
const empty = agent('empty', { cpus: 7, mem: 7168 });
const small = task(0.5, 512);

test('scorers › are registered under first-fit, bin-pack, spread and usage-aware', (t) => {
  t.deepEqual(SCORER_NAMES, ['first-fit', 'bin-pack', 'spread', 'usage-aware']);
  t.is(scorerByName('bin-pack'), binPack);
  t.is(scorerByName('spread'), spread);
  t.is(scorerByName('first-fit'), firstFit);
  t.is(scorerByName('usage-aware'), usageAware);
  t.is(scorerByName('nope'), undefined);
  for (const s of [firstFit, binPack, spread, usageAware]) t.true(s.description.length > 0, s.name);
});

test('first-fit › is marked constant and scores every agent the same', (t) => {
  const ff: ScorerPlugin = firstFit;
  t.true(ff.constant);
  t.is(ff.score(small, full, CTX), ff.score(small, empty, CTX));
  t.is(ff.score(task(8, 8192), agent('z', { cpus: 0, mem: 0 }, { cpus: 1, mem: 1 }), CTX), 0);
  t.is(ff.bound?.(small, boundsOver([full, empty]), CTX), 0);
});

test('bin-pack, spread and usage-aware › are not constant and have a bound', (t) => {
  for (const s of [binPack, spread, usageAware] as ScorerPlugin[]) {
    t.not(s.constant, true, s.name);
    t.is(typeof s.bound, 'function', s.name);
  }
});

test('free fraction › is the mean of the free cpus and mem fractions', (t) => {
  t.is(freeFraction({ ...emptyResources(), cpus: 2, mem: 6144 }, { cpus: 8, mem: 8192, disk: 0 }), 0.5);
});

test('bin-pack › prefers the fuller agent when both fit', (t) => {
  t.true(binPack.score(small, full) > binPack.score(small, empty));
});

test('bin-pack › scores one minus the free fraction left after placement', (t) => {
  // free fraction 0.5 before, the task takes 0.25 of cpus and mem: 0.25 left free.
  const a = agent('a', { cpus: 4, mem: 4096 });
  t.is(binPack.score(task(2, 2048), a), 0.75);
});

test('bin-pack › on equal free fractions prefers the smaller agent, which the task fills more', (t) => {
  const smallAgent = agent('s', { cpus: 2, mem: 2048 }, { cpus: 4, mem: 4096 });
  const bigAgent = agent('b', { cpus: 8, mem: 8192 }, { cpus: 16, mem: 16384 });
  t.true(binPack.score(task(1, 1024), smallAgent) > binPack.score(task(1, 1024), bigAgent));
});

test('spread › prefers the emptier agent when both fit', (t) => {
  t.true(spread.score(small, empty) > spread.score(small, full));
});

test('spread › scores the free fraction left after placement', (t) => {
  const a = agent('a', { cpus: 4, mem: 4096 });
  t.is(spread.score(task(2, 2048), a), 0.25);
});

test('bin-pack and spread › rank a set of agents in opposite orders', (t) => {
  const agents = [0, 1, 2, 3, 4, 5].map((k) => agent(`a${k}`, { cpus: k + 1, mem: (k + 1) * 1024 }));
  const byBinPack = [...agents].sort((a, b) => binPack.score(small, b) - binPack.score(small, a));
  const bySpread = [...agents].sort((a, b) => spread.score(small, b) - spread.score(small, a));
  t.deepEqual(
    byBinPack.map((a) => a.id),
    bySpread.map((a) => a.id).reverse(),
  );
  t.is(byBinPack[0]?.id, 'a0');
});

test('bin-pack and spread › bounds are exact for a subtree of one agent', (t) => {
  for (const a of [full, empty]) {
    const b = boundsOver([a]);
    t.is(binPack.bound(small, b), binPack.score(small, a));
    t.is(spread.bound(small, b), spread.score(small, a));
  }
});

test('usage-aware › prefers the agent with the most observed memory after placing', (t) => {
  const busy = agent('busy', { cpus: 7, mem: 7168 }, undefined, 6000);
  const idle = agent('idle', { cpus: 1, mem: 1024 }, undefined, 500);
  // By allocation `idle` is the fuller one (bin-pack's choice); by observed use it is `busy`.
  t.true(binPack.score(small, idle) > binPack.score(small, busy));
  t.true(usageAware.score(small, busy, CTX) > usageAware.score(small, idle, CTX));
});

test('usage-aware › scores observed memory after placement as a share of capacity', (t) => {
  const a = agent('a', { cpus: 4, mem: 4096 }, { cpus: 8, mem: 8000 }, 2000);
  t.is(usageAware.score(task(1, 2000), a, CTX), 0.5, 'no samples: counted at its request');
  t.is(usageAware.score(task(1, 2000), a, context({ t: 4000 })), 0.75, 'counted at its family peak');
});

test('usage-aware › on equal observed shares prefers the smaller agent, which the task fills more', (t) => {
  const smallAgent = agent('s', { cpus: 2, mem: 2048 }, { cpus: 4, mem: 4096 }, 2048);
  const bigAgent = agent('b', { cpus: 8, mem: 8192 }, { cpus: 16, mem: 16384 }, 8192);
  t.true(usageAware.score(small, smallAgent, CTX) > usageAware.score(small, bigAgent, CTX));
});

test('usage-aware › without observedMem ranks agents by what is allocated on them', (t) => {
  t.true(usageAware.score(small, full, CTX) > usageAware.score(small, empty, CTX));
  t.is(usageAware.score(task(0, 1024), full, CTX), (8192 - 1024) / 8192 + 1024 / 8192);
});

test('usage-aware › bound is exact for a subtree of one agent', (t) => {
  for (const a of [full, empty, agent('o', { cpus: 1, mem: 100 }, undefined, 3000)]) {
    t.is(usageAware.bound(small, boundsOver([a], small), CTX), usageAware.score(small, a, CTX));
  }
});

const capacityArb = fc.record({
  cpus: fc.oneof(
    fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
    fc.integer({ min: 1, max: 64_000 }).map((n) => n / 1000),
  ),
  mem: fc.oneof(
    fc.constantFrom(1024, 4096, 131072),
    fc.integer({ min: 1, max: 262_144_000 }).map((n) => n / 1000),
  ),
});

/**
 * An agent with free resources at most its capacity (sometimes none, sometimes all), and observed
 * memory from none to past its capacity, or not tracked at all.
 */
const agentArb: fc.Arbitrary<PlacementAgent> = fc
  .tuple(
    capacityArb,
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.option(fc.double({ min: 0, max: 1.5, noNaN: true })),
  )
  .map(([cap, fc1, fc2, used]) =>
    agent(
      'a',
      { cpus: round3(cap.cpus * fc1), mem: round3(cap.mem * fc2) },
      { cpus: cap.cpus, mem: cap.mem },
      used === null ? undefined : round3(cap.mem * used),
    ),
  );

/** Family peaks the context may know for task `t` (none, or some memory). */
const peakArb = fc.option(fc.integer({ min: 0, max: 65_536_000 }).map((n) => n / 1000));

function contextFor(peak: number | null): PlacementContext {
  return peak === null ? CTX : context({ t: peak });
}

const taskArb: fc.Arbitrary<PlacementTask> = fc
  .tuple(
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 16_000 }).map((n) => n / 1000),
    ),
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 65_536_000 }).map((n) => n / 1000),
    ),
  )
  .map(([cpus, mem]) => task(cpus, mem));

for (const scorer of [binPack, spread, usageAware] as ScorerPlugin[]) {
  const bound = scorer.bound as NonNullable<ScorerPlugin['bound']>;
  test(`${scorer.name} › bound is never below the score of any agent in a subtree (seed=${SEED})`, (t) => {
    fc.assert(
      fc.property(
        fc.array(agentArb, { minLength: 1, maxLength: 12 }),
        taskArb,
        peakArb,
        (agents, tk, peak) => {
          const ctx = contextFor(peak);
          const b = bound(tk, boundsOver(agents, tk), ctx);
          return agents.every((a) => !hasCpus(a, tk) || scorer.score(tk, a, ctx) <= b);
        },
      ),
      fcParams(1000),
    );
    t.pass();
  });

  test(`${scorer.name} › bound is exact for a subtree of identical agents (seed=${SEED})`, (t) => {
    fc.assert(
      fc.property(agentArb, fc.integer({ min: 1, max: 8 }), taskArb, peakArb, (a, n, tk, peak) => {
        const ctx = contextFor(peak);
        const copies = Array.from({ length: n }, (_, i) => ({ ...a, id: `c${i}` }));
        if (!hasCpus(a, tk)) return true;
        return bound(tk, boundsOver(copies, tk), ctx) === scorer.score(tk, a, ctx);
      }),
      fcParams(300),
    );
    t.pass();
  });
}

test(`UsageHeadroom › excludes never rule out a subtree holding an agent with the cpus that passes (seed=${SEED})`, (t) => {
  let excluded = 0;
  let subtrees = 0;
  for (const margin of [0, 0.1, 0.35]) {
    const f = usageHeadroom(margin);
    fc.assert(
      fc.property(
        fc.array(agentArb, { minLength: 1, maxLength: 12 }),
        taskArb,
        peakArb,
        (agents, tk, peak) => {
          const ctx = contextFor(peak);
          const passing = agents.some((a) => hasCpus(a, tk) && f.filter(ctx, tk, a) === undefined);
          const skip = f.excludes(ctx, tk, boundsOver(agents, tk));
          subtrees++;
          if (skip) excluded++;
          return !(passing && skip);
        },
      ),
      fcParams(1000),
    );
  }
  t.log(`${excluded} of ${subtrees} subtrees excluded`);
  t.true(excluded > subtrees / 50, 'the test must exercise exclusion');
});

test(`UsageHeadroom › excludes agree with the filter at the boundary (seed=${SEED})`, (t) => {
  // Tasks that fill an agent's headroom exactly, or just past it.
  const f = usageHeadroom();
  fc.assert(
    fc.property(agentArb, fc.constantFrom(-0.001, 0, 0.001), (a, delta) => {
      const room = round3(a.capacity.mem * 0.9 - (a.observedMem ?? a.capacity.mem - a.free.mem));
      if (room + delta <= 0) return true;
      const tk = task(0, round3(room + delta));
      const passes = f.filter(CTX, tk, a) === undefined;
      return !(passes && f.excludes(CTX, tk, boundsOver([a], tk)));
    }),
    fcParams(1000),
  );
  t.pass();
});
