import test from 'ava';
import fc from 'fast-check';
import { emptyResources, round3 } from '../../../src/core/model/resources.ts';
import { SCORER_NAMES, scorerByName } from '../../../src/core/placement/pipeline.ts';
import type {
  PlacementAgent,
  PlacementTask,
  ScorerPlugin,
  SubtreeBounds,
} from '../../../src/core/placement/plugin.ts';
import { binPack } from '../../../src/core/placement/scorers/bin-pack.ts';
import { firstFit } from '../../../src/core/placement/scorers/first-fit.ts';
import { freeFraction } from '../../../src/core/placement/scorers/free-fraction.ts';
import { spread } from '../../../src/core/placement/scorers/spread.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function agent(
  id: string,
  free: { cpus: number; mem: number },
  capacity: { cpus: number; mem: number } = { cpus: 8, mem: 8192 },
): PlacementAgent {
  return {
    id,
    hostname: id,
    attributes: {},
    free: { ...emptyResources(), ...free, disk: 1000 },
    capacity: { ...capacity, disk: 1000 },
    held: false,
    offerCount: 1,
  };
}

function task(cpus: number, mem: number): PlacementTask {
  return {
    id: 't-1',
    spec: { id: 't', dockerimage: 'x', cpus, mem },
    need: { ...emptyResources(), cpus, mem },
    notBefore: 0,
  };
}

/** The aggregates the index keeps for a subtree, computed by hand over a set of agents. */
function boundsOver(agents: readonly PlacementAgent[]): SubtreeBounds {
  const fractions = agents.map((a) => freeFraction(a.free, a.capacity));
  return {
    maxFreeFraction: Math.max(...fractions),
    minFreeFraction: Math.min(...fractions),
    minCapacityCpus: Math.min(...agents.map((a) => a.capacity.cpus)),
    minCapacityMem: Math.min(...agents.map((a) => a.capacity.mem)),
    maxCapacityCpus: Math.max(...agents.map((a) => a.capacity.cpus)),
    maxCapacityMem: Math.max(...agents.map((a) => a.capacity.mem)),
  };
}

const full = agent('full', { cpus: 1, mem: 1024 });
const empty = agent('empty', { cpus: 7, mem: 7168 });
const small = task(0.5, 512);

test('scorers › are registered under first-fit, bin-pack and spread', (t) => {
  t.deepEqual(SCORER_NAMES, ['first-fit', 'bin-pack', 'spread']);
  t.is(scorerByName('bin-pack'), binPack);
  t.is(scorerByName('spread'), spread);
  t.is(scorerByName('first-fit'), firstFit);
  t.is(scorerByName('nope'), undefined);
  for (const s of [firstFit, binPack, spread]) t.true(s.description.length > 0, s.name);
});

test('first-fit › is marked constant and scores every agent the same', (t) => {
  const ff: ScorerPlugin = firstFit;
  t.true(ff.constant);
  t.is(ff.score(small, full), ff.score(small, empty));
  t.is(ff.score(task(8, 8192), agent('z', { cpus: 0, mem: 0 }, { cpus: 1, mem: 1 })), 0);
  t.is(ff.bound?.(small, boundsOver([full, empty])), 0);
});

test('bin-pack and spread › are not constant and have a bound', (t) => {
  for (const s of [binPack, spread] as ScorerPlugin[]) {
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

/** An agent with free resources at most its capacity (sometimes none, sometimes all). */
const agentArb: fc.Arbitrary<PlacementAgent> = fc
  .tuple(capacityArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([cap, fc1, fc2]) =>
    agent(
      'a',
      { cpus: round3(cap.cpus * fc1), mem: round3(cap.mem * fc2) },
      { cpus: cap.cpus, mem: cap.mem },
    ),
  );

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

for (const scorer of [binPack, spread]) {
  test(`${scorer.name} › bound is never below the score of any agent in a subtree (seed=${SEED})`, (t) => {
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 12 }), taskArb, (agents, tk) => {
        const bound = scorer.bound(tk, boundsOver(agents));
        return agents.every((a) => scorer.score(tk, a) <= bound);
      }),
      fcParams(1000),
    );
    t.pass();
  });

  test(`${scorer.name} › bound is exact for a subtree of identical agents (seed=${SEED})`, (t) => {
    fc.assert(
      fc.property(agentArb, fc.integer({ min: 1, max: 8 }), taskArb, (a, n, tk) => {
        const copies = Array.from({ length: n }, (_, i) => ({ ...a, id: `c${i}` }));
        return scorer.bound(tk, boundsOver(copies)) === scorer.score(tk, a);
      }),
      fcParams(300),
    );
    t.pass();
  });
}
