import test from 'ava';
import fc from 'fast-check';
import type { TaskState } from '../../src/core/mesos/v1.ts';
import type { SchedulerRecord } from '../../src/core/scheduler/records.ts';
import type { TaskOrigin } from '../../src/core/scheduler/state.ts';
import type { Sla } from '../../src/core/spec/task-spec.ts';
import { checkExpectations } from '../../src/report/expectations.ts';
import { MetricsCollector, type Outcome, percentile, type RunMetrics } from '../../src/report/metrics.ts';
import { fcParams, SEED } from '../helpers/property.ts';

// ---------------------------------------------------------------------------------------------
// Records

function agentAdded(agent: string, cpus: number, mem: number): SchedulerRecord {
  return { type: 'agent-added', agent, hostname: `host-${agent}`, resources: { cpus, mem }, attributes: {} };
}

function agentRemoved(agent: string): SchedulerRecord {
  return { type: 'agent-removed', agent, hostname: `host-${agent}`, reason: 'agent lost' };
}

function submitted(
  task: string,
  o: { eligibleAt?: number; origin?: TaskOrigin; sla?: Sla; id?: string } = {},
): SchedulerRecord {
  return {
    type: 'task-submitted',
    task,
    spec: {
      id: o.id ?? task.replace(/-\d+$/, ''),
      dockerimage: 'img',
      mem: 64,
      cpus: 0.1,
      ...(o.sla !== undefined ? { sla: o.sla } : {}),
    },
    kind: 'service',
    origin: o.origin ?? 'submit',
    eligibleAt: o.eligibleAt ?? 0,
  };
}

function launched(task: string, agent: string, cpus = 0.1, mem = 64): SchedulerRecord {
  return { type: 'task-launched', task, agent, hostname: `host-${agent}`, resources: { cpus, mem } };
}

function status(task: string, state: TaskState): SchedulerRecord {
  return { type: 'task-status', task, state };
}

/** Feeds [t, record] pairs to a fresh collector and finishes it at `durationMs`. */
function collect(timeline: readonly [number, SchedulerRecord][], durationMs: number): RunMetrics {
  const c = new MetricsCollector();
  for (const [t, r] of timeline) c.add(r, t);
  return c.finish(durationMs);
}

const ZERO: Record<Outcome, number> = {
  pending: 0,
  starting: 0,
  running: 0,
  finished: 0,
  failed: 0,
  killed: 0,
  lost: 0,
  error: 0,
};

/** The life of one task: submitted at 0, launched at 10 if it has statuses, then the statuses. */
function life(task: string, states: readonly TaskState[], launch = true): [number, SchedulerRecord][] {
  const out: [number, SchedulerRecord][] = [[0, submitted(task)]];
  if (launch) out.push([10, launched(task, 'a1')]);
  states.forEach((s, i) => {
    out.push([20 + i, status(task, s)]);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

const OUTCOME_CASES: readonly [string, readonly TaskState[], boolean, Outcome][] = [
  ['never launched', [], false, 'pending'],
  ['launched, staging', ['TASK_STAGING'], true, 'starting'],
  ['launched, starting', ['TASK_STAGING', 'TASK_STARTING'], true, 'starting'],
  ['running', ['TASK_STAGING', 'TASK_RUNNING'], true, 'running'],
  ['killing', ['TASK_RUNNING', 'TASK_KILLING'], true, 'running'],
  ['unreachable', ['TASK_RUNNING', 'TASK_UNREACHABLE'], true, 'running'],
  ['finished', ['TASK_RUNNING', 'TASK_FINISHED'], true, 'finished'],
  ['failed', ['TASK_RUNNING', 'TASK_FAILED'], true, 'failed'],
  ['killed', ['TASK_RUNNING', 'TASK_KILLED'], true, 'killed'],
  ['lost', ['TASK_RUNNING', 'TASK_LOST'], true, 'lost'],
  ['gone', ['TASK_RUNNING', 'TASK_GONE'], true, 'lost'],
  ['gone by operator', ['TASK_GONE_BY_OPERATOR'], true, 'lost'],
  ['dropped', ['TASK_DROPPED'], true, 'lost'],
  ['unknown to the master', ['TASK_RUNNING', 'TASK_UNKNOWN'], true, 'lost'],
  ['error', ['TASK_ERROR'], true, 'error'],
  ['killed before launch', ['TASK_KILLED'], false, 'killed'],
  ['dropped before launch', ['TASK_DROPPED'], false, 'lost'],
  ['finished, then a stray running', ['TASK_RUNNING', 'TASK_FINISHED', 'TASK_RUNNING'], true, 'finished'],
];

for (const [what, states, launch, outcome] of OUTCOME_CASES) {
  test(`metrics › counts a task that is ${what} as ${outcome}`, (t) => {
    const m = collect([[0, agentAdded('a1', 4, 4096)], ...life('x-1', states, launch)], 1000);
    t.deepEqual(m.tasks, { ...ZERO, [outcome]: 1, submitted: 1 });
    t.deepEqual(m.bySpec.get('x'), { ...ZERO, [outcome]: 1, submitted: 1 });
  });
}

test('metrics › counts outcomes per spec id, sorted by id, with the sla', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 8, 8192)],
      ...life('web-1', ['TASK_RUNNING']),
      ...life('web-2', ['TASK_RUNNING']),
      ...life('web-3', [], false),
      ...life('batch-1', ['TASK_RUNNING', 'TASK_FINISHED']),
      ...life('batch-2', ['TASK_RUNNING', 'TASK_FAILED']),
      [0, submitted('redis-1', { sla: 'singleton' })],
      [10, launched('redis-1', 'a1')],
      [20, status('redis-1', 'TASK_RUNNING')],
    ],
    1000,
  );
  t.deepEqual([...m.bySpec.keys()], ['batch', 'redis', 'web']);
  t.deepEqual(m.bySpec.get('web'), { ...ZERO, running: 2, pending: 1, submitted: 3 });
  t.deepEqual(m.bySpec.get('batch'), { ...ZERO, finished: 1, failed: 1, submitted: 2 });
  t.deepEqual(m.bySpec.get('redis'), { ...ZERO, running: 1, submitted: 1, sla: 'singleton' });
  t.deepEqual(m.tasks, { ...ZERO, running: 3, pending: 1, finished: 1, failed: 1, submitted: 6 });
});

test('metrics › ignores records about tasks it never saw submitted', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [1, launched('ghost-1', 'a1', 4, 4096)],
      [2, status('ghost-1', 'TASK_RUNNING')],
    ],
    1000,
  );
  t.is(m.tasks.submitted, 0);
  t.is(m.bySpec.size, 0);
  t.is(m.meanCpuAllocation, 0);
  t.is(m.agents.empty, 1);
});

// ---------------------------------------------------------------------------------------------
// Latency

test('metrics › measures latency from submit to the first TASK_RUNNING', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [100, submitted('a-1')],
      [150, launched('a-1', 'a1')],
      [350, status('a-1', 'TASK_RUNNING')],
      [400, status('a-1', 'TASK_RUNNING')],
      [900, status('a-1', 'TASK_FAILED')],
    ],
    1000,
  );
  t.deepEqual(m.latency, { count: 1, p50: 250, p99: 250, max: 250 });
});

test('metrics › measures a relaunch from the end of its backoff (eligibleAt)', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [1000, submitted('a-2', { origin: 'relaunch', eligibleAt: 3000 })],
      [3000, launched('a-2', 'a1')],
      [3400, status('a-2', 'TASK_RUNNING')],
    ],
    5000,
  );
  t.deepEqual(m.latency, { count: 1, p50: 400, p99: 400, max: 400 });
});

test('metrics › measures from the submit when eligibleAt is earlier', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [2000, submitted('a-1', { eligibleAt: 0 })],
      [2100, status('a-1', 'TASK_RUNNING')],
    ],
    5000,
  );
  t.is(m.latency.max, 100);
});

test('metrics › leaves tasks that never ran out of the latency figures', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [0, submitted('a-1')],
      [0, submitted('b-1')],
      [10, launched('b-1', 'a1')],
      [20, status('b-1', 'TASK_FAILED')],
    ],
    1000,
  );
  t.deepEqual(m.latency, { count: 0, p50: 0, p99: 0, max: 0 });
});

test('metrics › reports the nearest-rank p50 and p99 of the latencies', (t) => {
  // latencies 10, 20, … 1000 ms, submitted in a scrambled order
  const timeline: [number, SchedulerRecord][] = [[0, agentAdded('a1', 1000, 1e6)]];
  const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  for (const i of order) timeline.push([0, submitted(`t-${i}`)]);
  const runs = order.map((i) => [(i + 1) * 10, i] as const).sort((a, b) => a[0] - b[0]);
  for (const [at, i] of runs) {
    timeline.push([at, launched(`t-${i}`, 'a1')], [at, status(`t-${i}`, 'TASK_RUNNING')]);
  }
  const m = collect(timeline, 2000);
  t.deepEqual(m.latency, { count: 100, p50: 500, p99: 990, max: 1000 });
});

// ---------------------------------------------------------------------------------------------
// Allocation

test('metrics › computes the time-weighted share of cpus and mem held by live tasks', (t) => {
  // [0, 500)    a1 (4 cpus, 1000 MB) holds A (2 cpus, 500 MB):    cpus 2/4 = 0.5,   mem 500/1000 = 0.5
  // [500, 750)  A finished; a2 joins; B (1 cpu, 1000 MB) on a2:   cpus 1/8 = 0.125, mem 1000/2000 = 0.5
  // [750, 1000) a1 removed:                                       cpus 1/4 = 0.25,  mem 1000/1000 = 1
  // cpus: (0.5·500 + 0.125·250 + 0.25·250) / 1000 = 0.34375
  // mem:  (0.5·500 + 0.5·250 + 1·250) / 1000     = 0.625
  const m = collect(
    [
      [0, agentAdded('a1', 4, 1000)],
      [0, submitted('A-1')],
      [0, launched('A-1', 'a1', 2, 500)],
      [100, status('A-1', 'TASK_RUNNING')],
      [500, status('A-1', 'TASK_FINISHED')],
      [500, agentAdded('a2', 4, 1000)],
      [500, submitted('B-1')],
      [500, launched('B-1', 'a2', 1, 1000)],
      [750, agentRemoved('a1')],
    ],
    1000,
  );
  t.is(m.meanCpuAllocation, 0.34375);
  t.is(m.meanMemAllocation, 0.625);
  t.deepEqual(m.agents, { present: 1, empty: 0, removed: 1, added: 2 });
});

test('metrics › counts a launched task as allocated until it ends, whatever its state', (t) => {
  // staging from 0 to 400, then killed: 1/2 of the cpus for 400 of 1000 ms
  const m = collect(
    [
      [0, agentAdded('a1', 2, 100)],
      [0, submitted('s-1')],
      [0, launched('s-1', 'a1', 1, 10)],
      [0, status('s-1', 'TASK_STAGING')],
      [400, status('s-1', 'TASK_KILLED')],
      [600, status('s-1', 'TASK_KILLED')],
    ],
    1000,
  );
  t.is(m.meanCpuAllocation, 0.2);
  t.is(m.meanMemAllocation, 0.04);
});

test('metrics › allocation is 0 without agents or tasks', (t) => {
  const none = collect([], 1000);
  t.is(none.meanCpuAllocation, 0);
  t.is(none.meanMemAllocation, 0);
  const idle = collect([[0, agentAdded('a1', 4, 4096)]], 1000);
  t.is(idle.meanCpuAllocation, 0);
  t.deepEqual(idle.agents, { present: 1, empty: 1, removed: 0, added: 1 });
});

// ---------------------------------------------------------------------------------------------
// Agents, kills, relaunches

test('metrics › counts the agents that end the run without a live task as empty', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [0, agentAdded('a2', 4, 4096)],
      [0, agentAdded('a3', 4, 4096)],
      [0, agentAdded('a4', 4, 4096)],
      [0, submitted('x-1')],
      [1, launched('x-1', 'a1')],
      [0, submitted('y-1')],
      [1, launched('y-1', 'a2')],
      [5, status('y-1', 'TASK_FINISHED')],
      [0, submitted('z-1')],
      [1, launched('z-1', 'a3')],
      [6, agentRemoved('a3')],
      [7, status('z-1', 'TASK_LOST')],
      [8, agentRemoved('nonexistent')],
    ],
    100,
  );
  // a1 holds x-1; a2 is empty again after y-1 finished; a3 is gone; a4 never had a task
  t.deepEqual(m.agents, { present: 3, empty: 2, removed: 1, added: 4 });
});

test('metrics › counts relaunches by origin and kills by kill requests', (t) => {
  const m = collect(
    [
      [0, submitted('web-1')],
      [1, submitted('web-2', { origin: 'relaunch', eligibleAt: 100 })],
      [2, submitted('web-3', { origin: 'relaunch', eligibleAt: 200 })],
      [3, submitted('web-4', { origin: 'reshuffle' })],
      [4, submitted('cadvisor-1', { origin: 'one-per-node', sla: 'one-per-node' })],
      [5, { type: 'kill-requested', task: 'web-1', cause: 'user' }],
      [6, { type: 'kill-requested', task: 'web-2', cause: 'reshuffle' }],
      [7, { type: 'kill-requested', task: 'web-3', cause: 'vacate' }],
    ],
    100,
  );
  t.is(m.relaunches, 2);
  t.is(m.kills, 3);
  t.is(m.tasks.submitted, 5);
});

test('metrics › collects reshuffles, rejections, give-ups and connection records', (t) => {
  const m = collect(
    [
      [0, { type: 'subscribed', framework: 'f1', resubscribed: false }],
      [1, { type: 'reshuffle', strategy: 'charmander', moved: ['a-1', 'b-1', 'c-1'] }],
      [2, { type: 'submit-rejected', id: 'bad', message: 'mem must be a number' }],
      [3, { type: 'gave-up', task: 'batch-1', message: 'failed 3 times' }],
      [4, { type: 'disconnected', reason: 'master failover' }],
      [5, { type: 'subscribed', framework: 'f1', resubscribed: true }],
      [6, { type: 'reshuffle', strategy: 'charmander', moved: ['a-2'] }],
    ],
    100,
  );
  t.is(m.reshuffled, 4);
  t.deepEqual(m.rejected, ['bad: mem must be a number']);
  t.deepEqual(m.gaveUp, ['batch-1: failed 3 times']);
  t.is(m.subscriptions, 2);
  t.is(m.disconnections, 1);
  t.is(m.durationMs, 100);
});

test('metrics › its listener adds records like add does', (t) => {
  const timeline: [number, SchedulerRecord][] = [
    [0, agentAdded('a1', 4, 1000)],
    [0, submitted('A-1')],
    [0, launched('A-1', 'a1', 2, 500)],
    [100, status('A-1', 'TASK_RUNNING')],
  ];
  const c = new MetricsCollector();
  for (const [at, r] of timeline) c.listener(r, at);
  t.deepEqual(c.finish(1000), collect(timeline, 1000));
});

// ---------------------------------------------------------------------------------------------
// percentile

test('percentile › is nearest-rank', (t) => {
  const four = [10, 20, 30, 40];
  t.is(percentile(four, 0), 10);
  t.is(percentile(four, 25), 10);
  t.is(percentile(four, 26), 20);
  t.is(percentile(four, 50), 20);
  t.is(percentile(four, 75), 30);
  t.is(percentile(four, 76), 40);
  t.is(percentile(four, 100), 40);
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.is(percentile(ten, 50), 5);
  t.is(percentile(ten, 90), 9);
  t.is(percentile(ten, 91), 10);
  t.is(percentile(ten, 99), 10);
  t.is(percentile([7], 1), 7);
  t.is(percentile([7], 99), 7);
});

test('percentile › is 0 for no values', (t) => {
  t.is(percentile([], 50), 0);
  t.is(percentile([], 99), 0);
});

/** The values 1 … n, so that a percentile is its own rank. */
function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

test('percentile › takes the rank ceil(p·n/100) exactly, without floating-point drift', (t) => {
  const wrong: string[] = [];
  for (let n = 1; n <= 300; n++) {
    const values = oneTo(n);
    for (let p = 1; p <= 100; p++) {
      const rank = Math.ceil((p * n) / 100);
      const got = percentile(values, p);
      if (got !== rank) wrong.push(`p${p} of ${n}: rank ${got} instead of ${rank}`);
    }
  }
  t.deepEqual(wrong.slice(0, 4), [], `${wrong.length} of 30000 (p, n) pairs take the wrong rank`);
  // 7% of 100 values is rank 7, and 28% of 25 values is rank 7
  t.is(percentile(oneTo(100), 7), 7);
  t.is(percentile(oneTo(25), 28), 7);
});

test(`percentile › returns a value at or above p% of the values and is monotone in p (seed=${SEED})`, (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (raw, p, q) => {
          const values = [...raw].sort((a, b) => a - b);
          const n = values.length;
          const v = percentile(values, p);
          const atOrBelow = values.filter((x) => x <= v).length;
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          return (
            values.includes(v) && atOrBelow * 100 >= p * n && percentile(values, lo) <= percentile(values, hi)
          );
        },
      ),
      fcParams(300),
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// Expectations

test('expectations › compares running, pending and finished copies per spec id', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 8, 8192)],
      ...life('web-1', ['TASK_RUNNING']),
      ...life('web-2', ['TASK_RUNNING']),
      ...life('web-3', [], false),
      ...life('batch-1', ['TASK_RUNNING', 'TASK_FINISHED']),
      ...life('batch-2', ['TASK_RUNNING', 'TASK_FAILED']),
    ],
    1000,
  );
  t.deepEqual(
    checkExpectations(
      {
        running: { web: 2, batch: 1, ghost: 0 },
        pending: { web: 1 },
        finished: { batch: 2, ghost: 1 },
      },
      m,
    ),
    [
      { kind: 'running', id: 'web', expected: 2, actual: 2, ok: true },
      { kind: 'running', id: 'batch', expected: 1, actual: 0, ok: false },
      { kind: 'running', id: 'ghost', expected: 0, actual: 0, ok: true },
      { kind: 'pending', id: 'web', expected: 1, actual: 1, ok: true },
      { kind: 'finished', id: 'batch', expected: 2, actual: 1, ok: false },
      { kind: 'finished', id: 'ghost', expected: 1, actual: 0, ok: false },
    ],
  );
});

test('expectations › has nothing to check for an empty expect section', (t) => {
  t.deepEqual(checkExpectations({}, collect([], 10)), []);
});

test('expectations › does not count starting copies as running', (t) => {
  const m = collect([[0, agentAdded('a1', 4, 4096)], ...life('web-1', ['TASK_STAGING'])], 100);
  t.deepEqual(checkExpectations({ running: { web: 1 } }, m), [
    { kind: 'running', id: 'web', expected: 1, actual: 0, ok: false },
  ]);
});
