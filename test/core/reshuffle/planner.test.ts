import test from 'ava';
import fc from 'fast-check';
import type { Range } from '../../../src/core/mesos/v1.ts';
import { agentVerdict, pipelineFor } from '../../../src/core/placement/pipeline.ts';
import type { PlacementContext } from '../../../src/core/placement/plugin.ts';
import {
  type Budgets,
  movable,
  type PlanAgent,
  type PlanInput,
  type PlanTask,
  planReshuffle,
  STRATEGIES,
  toWaves,
} from '../../../src/core/reshuffle/planner.ts';
import type { TaskSpec } from '../../../src/core/spec/task-spec.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

const PIPELINE = pipelineFor('first-fit');
const PORTS: Range[] = [{ begin: 31000, end: 32000 }];

function agent(id: string, mem: number, used: number, extra: Partial<PlanAgent> = {}): PlanAgent {
  return {
    id,
    hostname: id,
    attributes: { nodetype: 'lab' },
    capacity: { cpus: 8, mem, disk: 0 },
    free: { cpus: 8, mem: mem - used, disk: 0, ports: PORTS },
    held: false,
    firstSeenAt: 0,
    ...extra,
  };
}

function task(
  id: string,
  agentId: string,
  mem: number,
  sizedMem = mem,
  spec: Partial<TaskSpec> = {},
): PlanTask {
  const specId = id.replace(/-\d+$/, '');
  return {
    id,
    specId,
    agentId,
    spec: { id: specId, dockerimage: 'stress', mem, cpus: 0.1, reshuffleable: true, ...spec },
    need: { cpus: 0.1, mem, disk: 0, ports: [] },
    sizedMem,
  };
}

test('planner › right-size relaunches an oversized task in place, reserving the smaller copy first', (t) => {
  const plan = planReshuffle(
    { agents: [agent('a', 1000, 100)], tasks: [task('s-1', 'a', 100, 66)], pipeline: PIPELINE },
    'right-size',
  );
  t.deepEqual(plan.moves, [
    { task: 's-1', specId: 's', from: 'a', to: 'a', mem: 66, order: 'reserve-first' },
  ]);
  t.is(plan.expected.allocatedMemBefore, 100);
  t.is(plan.expected.allocatedMemAfter, 66);
  t.is(plan.expected.freeMemAfter - plan.expected.freeMemBefore, 34);
});

test('planner › right-size kills first when the two copies would not fit side by side, if the budget allows', (t) => {
  const input = { agents: [agent('a', 120, 100)], tasks: [task('s-1', 'a', 100, 66)], pipeline: PIPELINE };
  const allowed = planReshuffle(
    { ...input, budgets: { maxConcurrentMoves: 5, minRunningPerFamily: 0 } },
    'right-size',
  );
  t.is(allowed.moves[0]?.order, 'kill-first');
  const guarded = planReshuffle(input, 'right-size');
  t.deepEqual(guarded.moves, [], 'the only running copy of s may not go down');
  t.deepEqual(guarded.skipped, [{ task: 's-1', reason: 'Budget' }]);
});

test('planner › right-size leaves tasks that would not shrink', (t) => {
  const plan = planReshuffle(
    { agents: [agent('a', 1000, 100)], tasks: [task('s-1', 'a', 100, 110)], pipeline: PIPELINE },
    'right-size',
  );
  t.deepEqual(plan.moves, []);
  t.deepEqual(plan.skipped, [{ task: 's-1', reason: 'NoGain' }]);
});

test('planner › consolidate empties the least loaded agent onto the fullest ones that take its tasks', (t) => {
  const plan = planReshuffle(
    {
      agents: [agent('a', 1000, 700), agent('b', 1000, 500), agent('c', 1000, 150)],
      tasks: [
        task('x-1', 'a', 700),
        task('y-1', 'b', 500),
        task('z-1', 'c', 100),
        task('z-2', 'c', 50),
        task('cad-1', 'c', 20, 20, { sla: 'one-per-node' }),
      ],
      pipeline: PIPELINE,
    },
    'consolidate',
  );
  t.deepEqual(
    plan.moves.map((m) => [m.task, m.from, m.to, m.order]),
    [
      ['z-1', 'c', 'a', 'reserve-first'],
      ['z-2', 'c', 'a', 'reserve-first'],
    ],
  );
  t.deepEqual(plan.expected.agentsEmptied, ['c'], 'a one-per-node copy does not keep an agent busy');
});

test('planner › consolidate does not touch an agent it cannot empty', (t) => {
  const plan = planReshuffle(
    {
      agents: [agent('a', 1000, 950), agent('b', 1000, 300)],
      tasks: [task('x-1', 'a', 950), task('y-1', 'b', 200), task('y-2', 'b', 100)],
      pipeline: PIPELINE,
    },
    'consolidate',
  );
  t.true(plan.moves.every((m) => m.from !== 'b'));
  t.true(plan.skipped.some((s) => s.reason === 'AgentNotEmptied'));
});

test('planner › a destination must pass the same filters as placement (nodetype, held agents)', (t) => {
  const plan = planReshuffle(
    {
      agents: [
        agent('a', 1000, 100),
        agent('b', 1000, 600, { attributes: { nodetype: 'analytics' } }),
        agent('c', 1000, 700, { held: true }),
      ],
      tasks: [task('x-1', 'a', 100, 100, { nodetype: 'lab' }), task('y-1', 'b', 600), task('w-1', 'c', 700)],
      pipeline: PIPELINE,
    },
    'consolidate',
  );
  t.true(
    plan.moves.every((m) => m.task !== 'x-1'),
    'nowhere to go: b is analytics, c is held',
  );
});

test('planner › a singleton is never reserved twice: it moves kill-first', (t) => {
  const plan = planReshuffle(
    {
      agents: [agent('a', 1000, 700), agent('b', 1000, 100)],
      tasks: [task('x-1', 'a', 700), task('db-1', 'b', 100, 100, { sla: 'singleton' })],
      pipeline: PIPELINE,
      budgets: { maxConcurrentMoves: 5, minRunningPerFamily: 0 },
    },
    'consolidate',
  );
  t.deepEqual(
    plan.moves.map((m) => [m.task, m.to, m.order]),
    [['db-1', 'a', 'kill-first']],
  );
});

test('planner › budgets: waves hold at most maxConcurrentMoves, and a family keeps its minimum running', (t) => {
  const moves = ['1', '2', '3', '4', '5'].map((n) => ({
    task: `s-${n}`,
    specId: 's',
    from: 'a',
    to: 'b',
    mem: 10,
    order: 'reserve-first' as const,
  }));
  const budgets: Budgets = { maxConcurrentMoves: 2, minRunningPerFamily: 1 };
  t.deepEqual(
    toWaves(moves, new Map([['s', 5]]), budgets).waves.map((w) => w.length),
    [2, 2, 1],
  );
  const killFirst = moves.map((m) => ({ ...m, order: 'kill-first' as const }));
  const { waves } = toWaves(killFirst, new Map([['s', 3]]), {
    maxConcurrentMoves: 5,
    minRunningPerFamily: 1,
  });
  t.true(
    waves.every((w) => w.length <= 2),
    'with 3 running and 1 to keep, at most 2 are down at once',
  );
  const lone = toWaves(killFirst.slice(0, 1), new Map([['s', 1]]), {
    maxConcurrentMoves: 5,
    minRunningPerFamily: 1,
  });
  t.deepEqual(lone.waves, []);
  t.deepEqual(lone.skipped, [{ task: 's-1', reason: 'Budget' }]);
});

test('planner › rebalance moves work onto the agents that joined last while it narrows the gap', (t) => {
  const plan = planReshuffle(
    {
      agents: [agent('a', 1000, 800), agent('b', 1000, 0, { firstSeenAt: 60_000 })],
      tasks: [task('x-1', 'a', 400), task('x-2', 'a', 200), task('x-3', 'a', 200)],
      pipeline: PIPELINE,
    },
    'rebalance',
  );
  t.true(plan.moves.length > 0);
  t.true(plan.moves.every((m) => m.to === 'b'));
  const movedMem = plan.moves.reduce((s, m) => s + m.mem, 0);
  t.true(movedMem <= 400, 'it stops before the new agent is the busier one');
});

// --- properties ----------------------------------------------------------------------------------

const inputArb: fc.Arbitrary<PlanInput> = fc
  .record({
    agents: fc.array(
      fc.record({
        mem: fc.integer({ min: 200, max: 4000 }),
        type: fc.constantFrom('lab', 'analytics'),
        held: fc.boolean(),
        late: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    tasks: fc.array(
      fc.record({
        agent: fc.nat(),
        mem: fc.integer({ min: 10, max: 600 }),
        shrink: fc.double({ min: 0.3, max: 1.3, noNaN: true }),
        family: fc.constantFrom('s', 't', 'u', 'db', 'cad'),
        reshuffleable: fc.boolean(),
        nodetype: fc.option(fc.constantFrom('lab', 'analytics'), { nil: undefined }),
      }),
      { maxLength: 20 },
    ),
    max: fc.integer({ min: 1, max: 6 }),
    min: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ agents, tasks, max, min }) => {
    const used = new Map<number, number>();
    const placed: PlanTask[] = [];
    const singletonPlaced = new Set<string>();
    tasks.forEach((x, i) => {
      const ai = x.agent % agents.length;
      const a = agents[ai];
      if (a === undefined || (used.get(ai) ?? 0) + x.mem > a.mem) return;
      if (x.nodetype !== undefined && x.nodetype !== a.type) return;
      if (x.family === 'db' && singletonPlaced.has('db')) return;
      if (x.family === 'db') singletonPlaced.add('db');
      used.set(ai, (used.get(ai) ?? 0) + x.mem);
      const sla = x.family === 'db' ? 'singleton' : x.family === 'cad' ? 'one-per-node' : undefined;
      placed.push({
        id: `${x.family}-${i}`,
        specId: x.family,
        agentId: `ag${ai}`,
        spec: {
          id: x.family,
          dockerimage: 'img',
          mem: x.mem,
          cpus: 0.1,
          reshuffleable: x.reshuffleable,
          ...(sla ? { sla } : {}),
          ...(x.nodetype ? { nodetype: x.nodetype } : {}),
        },
        need: { cpus: 0.1, mem: x.mem, disk: 0, ports: [] },
        sizedMem: Math.max(1, Math.ceil(x.mem * x.shrink)),
      });
    });
    return {
      agents: agents.map((a, i) => ({
        id: `ag${i}`,
        hostname: `ag${i}`,
        attributes: { nodetype: a.type },
        capacity: { cpus: 64, mem: a.mem, disk: 0 },
        free: { cpus: 64, mem: a.mem - (used.get(i) ?? 0), disk: 0, ports: PORTS },
        held: a.held,
        firstSeenAt: a.late ? 1000 : 0,
      })),
      tasks: placed,
      pipeline: PIPELINE,
      budgets: { maxConcurrentMoves: max, minRunningPerFamily: min },
    };
  });

/** Replays a plan wave by wave on plain numbers and reports the first thing that breaks. */
function replayProblem(
  input: PlanInput,
  strategy: string,
  plan: ReturnType<typeof planReshuffle>,
): string | undefined {
  const free = new Map(input.agents.map((a) => [a.id, a.free.mem]));
  const where = new Map(input.tasks.map((x) => [x.id, x.agentId]));
  const byId = new Map(input.tasks.map((x) => [x.id, x]));
  for (const m of plan.moves) {
    const x = byId.get(m.task);
    if (!x) return `moves an unknown task ${m.task}`;
    if (!movable(x)) return `moves ${m.task}, which is not reshuffleable or is one-per-node`;
    if (m.mem !== x.sizedMem) return `sizes ${m.task} to ${m.mem}, not its right size ${x.sizedMem}`;
    if (strategy === 'charmander') continue;
    const dest = input.agents.find((a) => a.id === m.to);
    if (!dest) return `moves ${m.task} to an unknown agent ${m.to}`;
    free.set(x.agentId, (free.get(x.agentId) ?? 0) + x.need.mem);
    free.set(m.to, (free.get(m.to) ?? 0) - m.mem);
    where.set(m.task, m.to);
    const ctx: PlacementContext = {
      now: 0,
      paused: false,
      subscribed: true,
      liveCopiesOnAgent: () => 0,
      liveSingletonCopy: () => undefined,
    };
    const verdict = agentVerdict(
      ctx,
      { id: 'replay', spec: x.spec, need: { ...x.need, mem: 0 }, notBefore: 0 },
      {
        id: dest.id,
        hostname: dest.hostname,
        attributes: dest.attributes,
        free: { cpus: 64, mem: 1e9, disk: 0, ports: PORTS },
        capacity: dest.capacity,
        held: dest.held,
        offerCount: 1,
      },
      PIPELINE.filters,
    );
    if (verdict !== undefined) return `moves ${m.task} to ${m.to}, which placement rejects: ${verdict}`;
  }
  for (const [id, f] of free) if (f < -1e-6) return `overcommits ${id} by ${-f} MB`;
  return undefined;
}

test(`planner › plans are deterministic, move only movable tasks, keep every family within its budget, and never overcommit or break a constraint (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(inputArb, fc.constantFrom(...STRATEGIES), (input, strategy) => {
      const plan = planReshuffle(input, strategy);
      const again = planReshuffle(input, strategy);
      if (JSON.stringify(plan) !== JSON.stringify(again)) return false;
      const problem = replayProblem(input, strategy, plan);
      if (problem !== undefined) throw new Error(problem);
      if (strategy === 'charmander') return true;
      const budgets = input.budgets ?? { maxConcurrentMoves: 5, minRunningPerFamily: 1 };
      const running = new Map<string, number>();
      for (const x of input.tasks) running.set(x.specId, (running.get(x.specId) ?? 0) + 1);
      for (const wave of plan.waves) {
        if (wave.length > budgets.maxConcurrentMoves) throw new Error(`a wave of ${wave.length} moves`);
        const down = new Map<string, number>();
        for (const m of wave) if (m.order === 'kill-first') down.set(m.specId, (down.get(m.specId) ?? 0) + 1);
        for (const [family, n] of down) {
          const have = running.get(family) ?? 0;
          if (have - n < Math.min(have, budgets.minRunningPerFamily))
            throw new Error(
              `a wave takes ${family} from ${have} to ${have - n} running (budget ${budgets.minRunningPerFamily})`,
            );
        }
      }
      return true;
    }),
    fcParams(300),
  );
  t.pass();
});
