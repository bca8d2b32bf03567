import test from 'ava';
import fc from 'fast-check';
import { selectAgent, selectByScan } from '../../../src/core/placement/pipeline.ts';
import type { PlacementTask } from '../../../src/core/placement/plugin.ts';
import { placementContext } from '../../../src/core/scheduler/context.ts';
import type { Input } from '../../../src/core/scheduler/inputs.ts';
import { explainTask } from '../../../src/core/scheduler/queries.ts';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
import { isLive } from '../../../src/core/scheduler/state.ts';
import { observedMemFromScratch, specNeed } from '../../../src/core/scheduler/tasks.ts';
import { agentId, Harness, launched, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function usage(...samples: [string, number][]): Input {
  return { type: 'usage', samples: samples.map(([task, memMb]) => ({ task, memMb, cpus: 0.5 })) };
}

/** Reports every task launched so far and not yet running as TASK_RUNNING. */
function runningAll(h: Harness): void {
  for (const l of launched(h.all)) {
    if (h.state.tasks.get(l.task)?.phase !== 'launching') continue;
    h.feed(update(l.task, 'TASK_RUNNING', { agent: Number(l.agent.split('-S')[1]) }));
  }
}

function observed(h: Harness, n: number): number | undefined {
  return h.state.agents.get(agentId(n))?.observedMem;
}

/** Where the commands launched each task: task id → agent number. */
function placements(cmds: ReturnType<Harness['feed']>): Record<string, number> {
  return Object.fromEntries(launched(cmds).map((l) => [l.task, Number(l.agent.split('-S')[1])]));
}

/**
 * The index must agree with the full scan for a probe task of every family, which it only does
 * when every change of observed memory was passed on to it with `update`.
 */
function indexAgrees(h: Harness, families: readonly string[]): boolean {
  const ctx = placementContext(h.state, h.now);
  const agents = h.state.index.agents();
  for (const id of families) {
    for (const mem of [16, 256, 1024]) {
      const s = spec({ id, mem });
      const probe: PlacementTask = { id: `${id}-probe`, spec: s, need: specNeed(s), notBefore: 0 };
      const fromIndex = selectAgent(ctx, probe, h.state.index, h.state.pipeline);
      const fromScan = selectByScan(ctx, probe, agents, h.state.pipeline);
      if (fromIndex?.id !== fromScan?.id) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The observed sum per agent

test('observed memory › a launched task counts at its request while its family has no samples', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  h.submit(spec({ id: 'web', mem: 300 }), { count: 2 });
  h.submit(spec({ id: 'db', mem: 1000 }));
  t.is(observed(h, 0), undefined, 'no agent yet');
  h.feed(offersEvent(offer(0)));
  t.is(observed(h, 0), 1600);
  t.deepEqual(
    [...(h.state.agents.get(agentId(0))?.observedByFamily ?? [])],
    [
      ['web', { tasks: 2, requestedMem: 600, mem: 600 }],
      ['db', { tasks: 1, requestedMem: 1000, mem: 1000 }],
    ],
  );
  t.is(observed(h, 0), observedMemFromScratch(h.state, agentId(0)));
});

test('observed memory › follows a family peak up, never down, on every agent running the family', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  const [w1] = h.submit(spec({ id: 'web', mem: 300 }));
  h.submit(spec({ id: 'db', mem: 1000 }));
  h.feed(offersEvent(offer(0)));
  const [w2] = h.submit(spec({ id: 'web', mem: 300 }));
  h.feed(offersEvent(offer(1)));
  runningAll(h);
  t.deepEqual([observed(h, 0), observed(h, 1)], [1300, 300]);
  h.feed(usage([w1 as string, 200]));
  t.deepEqual([observed(h, 0), observed(h, 1)], [1200, 200], 'the peak of one copy counts for both');
  h.feed(usage([w2 as string, 500]));
  t.deepEqual([observed(h, 0), observed(h, 1)], [1500, 500]);
  h.feed(usage([w1 as string, 100], [w2 as string, 450]));
  t.deepEqual([observed(h, 0), observed(h, 1)], [1500, 500], 'the peak is the all-time maximum');
  for (const n of [0, 1]) t.is(observed(h, n), observedMemFromScratch(h.state, agentId(n)));
  t.true(indexAgrees(h, ['web', 'db']));
});

test('observed memory › a peak change reaches the placement index at once', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  // Four agents, so that the index prunes whole subtrees by their bounds.
  const [web] = h.submit(spec({ id: 'web', mem: 300 }));
  h.feed(offersEvent(offer(0)));
  h.submit(spec({ id: 'db', mem: 1000 }));
  h.feed(offersEvent(offer(1)));
  h.submit(spec({ id: 'cache', mem: 1500 }));
  h.feed(offersEvent(offer(2)));
  runningAll(h);
  // Every agent holds an offer again and nothing is queued: a probe shows where a task would go.
  h.feed(offersEvent(offer(0, { mem: 3796 }), offer(1, { mem: 3096 }), offer(2, { mem: 2596 }), offer(3)));
  const ctx = () => placementContext(h.state, h.now);
  const s = spec({ id: 'probe', mem: 64 });
  const probe: PlacementTask = { id: 'probe-1', spec: s, need: specNeed(s), notBefore: 0 };
  const choice = () => selectAgent(ctx(), probe, h.state.index, h.state.pipeline)?.id;
  t.is(choice(), agentId(2), 'cache: 1500 MB observed');
  h.feed(usage([web as string, 2000]));
  t.is(choice(), agentId(0), 'web: now 2000 MB');
  t.true(indexAgrees(h, ['web', 'db', 'probe']));
});

test('observed memory › drops a task that ends, at what it counted for', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  const [w1, w2] = h.submit(spec({ id: 'web', mem: 300 }), { count: 2 });
  const [db] = h.submit(spec({ id: 'db', mem: 1000 }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  h.feed(usage([w1 as string, 700]));
  t.is(observed(h, 0), 2400);
  h.feed(update(w1 as string, 'TASK_FINISHED', { agent: 0 }));
  t.is(observed(h, 0), 1700, 'the other copy still counts at the peak');
  h.feed(update(db as string, 'TASK_FAILED', { agent: 0 }));
  t.is(observed(h, 0), observedMemFromScratch(h.state, agentId(0)));
  t.false(h.state.agents.get(agentId(0))?.observedByFamily.has('db') ?? true, 'an empty share is dropped');
  h.feed({ type: 'kill', prefix: 'web' });
  h.feed(update(w2 as string, 'TASK_KILLED', { agent: 0 }));
  t.is(h.state.agents.get(agentId(0))?.taskIds.size, h.state.agents.get(agentId(0))?.observedByFamily.size);
  t.is(observed(h, 0), observedMemFromScratch(h.state, agentId(0)));
});

test('observed memory › goes back to the request when the history is cleared, and follows an import', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  const [w1] = h.submit(spec({ id: 'web', mem: 300 }), { count: 2 });
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  h.feed(usage([w1 as string, 900]));
  t.is(observed(h, 0), 1800);
  h.feed({ type: 'intelligence-clear', id: 'web', what: 'overrides' });
  t.is(observed(h, 0), 1800, 'overrides are not usage');
  h.feed({ type: 'intelligence-clear', id: 'web', what: 'history' });
  t.is(observed(h, 0), 600);
  h.feed({
    type: 'intelligence-import',
    entries: [{ id: 'web', samples: 1, peakMemMb: 1234.5, window: { memMb: [], cpus: [] }, overrides: {} }],
  });
  t.is(observed(h, 0), 2469);
  h.feed({ type: 'intelligence-import', entries: [] });
  t.is(observed(h, 0), 600, 'a replacing import without the family forgets its peak');
  h.feed(usage([w1 as string, 50]));
  h.feed({ type: 'intelligence-clear', id: 'web' });
  t.is(observed(h, 0), 600);
  t.true(indexAgrees(h, ['web']));
});

type Op =
  | { kind: 'submit'; family: number; mem: number; count: number }
  | { kind: 'offer'; agent: number }
  | { kind: 'running' }
  | { kind: 'usage'; pick: number; mem: number }
  | { kind: 'end'; pick: number }
  | { kind: 'clear'; family: number };

const FAMILIES = ['web', 'db', 'batch'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      family: fc.nat(2),
      mem: fc.integer({ min: 1, max: 3000 }),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('offer' as const), agent: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('running' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('usage' as const),
      pick: fc.nat(),
      mem: fc.integer({ min: 0, max: 4_000_000 }).map((n) => n / 1000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), family: fc.nat(2) }) },
);

test(`observed memory › always equals the sum worked out from scratch, and the index stays in step (seed=${SEED})`, (t) => {
  let launchedTasks = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
      runs++;
      const h = new Harness({ placement: 'usage-aware' }).subscribe();
      for (const op of ops) {
        const live = [...h.state.tasks.values()].filter(isLive);
        if (op.kind === 'submit')
          h.submit(spec({ id: FAMILIES[op.family], mem: op.mem }), { count: op.count });
        else if (op.kind === 'offer') h.feed(offersEvent(offer(op.agent, { mem: 8192 })));
        else if (op.kind === 'running') runningAll(h);
        else if (op.kind === 'usage' && live.length > 0)
          h.feed(usage([(live[op.pick % live.length] as { id: string }).id, op.mem]));
        else if (op.kind === 'end' && live.length > 0) {
          const task = live[op.pick % live.length];
          if (task?.agentId !== undefined)
            h.feed(update(task.id, 'TASK_FINISHED', { agent: Number(task.agentId.split('-S')[1]) }));
        } else if (op.kind === 'clear')
          h.feed({ type: 'intelligence-clear', id: FAMILIES[op.family] as string, what: 'history' });
        for (const agent of h.state.agents.values()) {
          const scratch = observedMemFromScratch(h.state, agent.id);
          if (Math.abs(agent.observedMem - scratch) > 0.001 * FAMILIES.length)
            throw new Error(`${agent.id}: observedMem ${agent.observedMem}, from scratch ${scratch}`);
        }
        if (!indexAgrees(h, FAMILIES)) throw new Error(`the index disagrees with the scan after ${op.kind}`);
      }
      launchedTasks += launched(h.all).length;
    }),
    { ...fcParams(150), includeErrorInReport: true },
  );
  t.log(`${launchedTasks} tasks launched in ${runs} runs`);
  t.true(launchedTasks > runs, 'the workloads must launch tasks, or the property says little');
});

// ---------------------------------------------------------------------------------------------
// End to end: usage-aware placement in the scheduler core

test('usage-aware › packs by observed use: the fullest agent with headroom, never where the peak does not fit', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  // Three agents of 4 cpus and 4096 MB: 3686.4 MB may be observed in use (10% margin).
  const [hog] = h.submit(spec({ id: 'hog', mem: 512 })); // asks for 512 MB, really uses 3000
  h.feed(offersEvent(offer(0)));
  const [steady] = h.submit(spec({ id: 'steady', mem: 1024 })); // asks for 1024 MB, uses 1500
  h.feed(offersEvent(offer(1)));
  runningAll(h);
  h.feed(usage([hog as string, 3000], [steady as string, 1500]));
  t.deepEqual([observed(h, 0), observed(h, 1)], [3000, 1500]);
  t.deepEqual(
    [h.state.agents.get(agentId(0))?.used.mem, h.state.agents.get(agentId(1))?.used.mem],
    [512, 1024],
    'by allocation agent 0 is the emptier one',
  );

  // Two web copies (no samples: 600 MB each). The first fills agent 0 — the fullest by observed
  // use — to 3600 MB; the second would take it past 3686.4 MB and goes to agent 1.
  const [web1, web2] = h.submit(spec({ id: 'web', mem: 600 }), { count: 2 });
  const first = placements(
    h.feed(offersEvent(offer(0, { cpus: 3.9, mem: 3584 }), offer(1, { cpus: 3.9, mem: 3072 }), offer(2))),
  );
  t.deepEqual(first, { [web1 as string]: 0, [web2 as string]: 1 });
  t.deepEqual([observed(h, 0), observed(h, 1), observed(h, 2)], [3600, 2100, 0]);
  runningAll(h);

  // Agent 2's offer is still held; agents 0 and 1 offer what is left. Two more hogs: each asks
  // for 512 MB, which fits everywhere by allocation, but the family is observed to peak at
  // 3000 MB. Only the empty agent 2 has room for that; the other one waits.
  h.feed(offersEvent(offer(0, { cpus: 3.8, mem: 2984 }), offer(1, { cpus: 3.8, mem: 2472 })));
  t.deepEqual(
    [0, 1, 2].map((n) => h.state.agents.get(agentId(n))?.offerCount),
    [1, 1, 1],
  );
  const [hog2, hog3] = h.submit(spec({ id: 'hog', mem: 512 }), { count: 2 });
  t.deepEqual(placements(h.last), { [hog2 as string]: 2 });
  t.is(h.state.tasks.get(hog3 as string)?.phase, 'pending');
  t.deepEqual([observed(h, 0), observed(h, 1), observed(h, 2)], [3600, 2100, 3000]);
  const why = explainTask(h.state, hog3 as string, h.now);
  t.deepEqual(why?.reasons, [
    { code: 'ObservedUsageTooHigh', count: 3, agents: ['host-0', 'host-1', 'host-2'] },
  ]);
  // Every launch kept observed use within the margin.
  for (const n of [0, 1, 2]) t.true((observed(h, n) ?? 0) <= 4096 * 0.9, `agent ${n}`);
});

test('usage-aware › bin-pack on the same cluster packs by allocation and overcommits real memory', (t) => {
  // The contrast: the scheduler only looks at requests, so the hogs go where 512 MB is free.
  const h = new Harness({ placement: 'bin-pack' }).subscribe();
  const [hog] = h.submit(spec({ id: 'hog', mem: 512 }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  h.feed(usage([hog as string, 3000]));
  h.submit(spec({ id: 'hog', mem: 512 }));
  const placed = placements(h.feed(offersEvent(offer(0, { cpus: 3.9, mem: 3584 }), offer(1))));
  t.deepEqual(Object.values(placed), [0]);
  t.is(observed(h, 0), 6000, 'observed memory is tracked under every policy');
});

test('usage-aware › is accepted as a placement policy with its recorded launches', (t) => {
  const h = new Harness({ placement: 'usage-aware' }).subscribe();
  t.is(h.state.pipeline.scorer.name, 'usage-aware');
  t.is(h.state.pipeline.filters.at(-1)?.name, 'UsageHeadroom');
  h.submit(spec({ id: 'web', mem: 100 }));
  const cmds = h.feed(offersEvent(offer(3)));
  const launchedRecords = records(cmds, 'task-launched') as Extract<
    SchedulerRecord,
    { type: 'task-launched' }
  >[];
  t.is(launchedRecords[0]?.agent, agentId(3));
});
