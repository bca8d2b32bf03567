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

function agentAdded(agent: string, cpus: number, mem: number, hostname = `host-${agent}`): SchedulerRecord {
  return { type: 'agent-added', agent, hostname, resources: { cpus, mem }, attributes: {} };
}

function agentRemoved(agent: string, hostname = `host-${agent}`): SchedulerRecord {
  return { type: 'agent-removed', agent, hostname, reason: 'agent lost' };
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

function jobCopy(
  task: string,
  job: string,
  o: { eligibleAt?: number; previous?: string } = {},
): SchedulerRecord {
  return {
    type: 'task-submitted',
    task,
    spec: { id: job, dockerimage: 'etl', mem: 64, cpus: 0.1 },
    kind: 'batch',
    origin: o.previous !== undefined ? 'relaunch' : 'submit',
    eligibleAt: o.eligibleAt ?? 0,
    job,
    ...(o.previous !== undefined ? { previous: o.previous } : {}),
  };
}

function poolNode(
  pool: string,
  hostname: string,
  state: 'starting' | 'booted' | 'ready' | 'error' | 'deleting' | 'gone',
  agent?: string,
): SchedulerRecord {
  return { type: 'pool-node', pool, hostname, state, ...(agent !== undefined ? { agent } : {}) };
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
// Agent-hours

const HOUR = 3_600_000;

test('metrics › sums agent-hours over every agent and attributes pool agents to their pool', (t) => {
  const m = collect(
    [
      [0, agentAdded('s1', 4, 4096)],
      [HOUR, poolNode('gpu', 'gpu-1', 'starting')],
      [HOUR + 60_000, agentAdded('g1', 4, 4096, 'gpu-1')],
      [HOUR + 60_000, poolNode('gpu', 'gpu-1', 'ready', 'g1')],
      [2.5 * HOUR, agentRemoved('g1', 'gpu-1')],
      [2.5 * HOUR, poolNode('gpu', 'gpu-1', 'gone')],
    ],
    3 * HOUR,
  );
  // s1: 3 h to the end of the run; g1: 1 h 59 min, from its registration to its removal
  t.deepEqual(m.agentHours, { total: 4.483, byPool: { gpu: 1.483 } });
});

test('metrics › counts an agent that leaves and comes back only while it is present', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [0.5 * HOUR, agentRemoved('a1')],
      [HOUR, agentAdded('a1', 4, 4096)],
      [HOUR, agentAdded('a1', 4, 4096)],
      [1.25 * HOUR, agentRemoved('a1')],
    ],
    2 * HOUR,
  );
  t.deepEqual(m.agentHours, { total: 0.75, byPool: {} });
});

test('metrics › attributes an agent to a pool by the hostname of its ready node', (t) => {
  const m = collect(
    [
      [0, agentAdded('g7', 4, 4096, 'gpu-7')],
      [0, poolNode('gpu', 'gpu-7', 'ready')],
    ],
    HOUR / 4,
  );
  t.deepEqual(m.agentHours, { total: 0.25, byPool: { gpu: 0.25 } });
});

// ---------------------------------------------------------------------------------------------
// Queue wait

test('metrics › measures the queue wait from submit to launch, a relaunch from its eligibleAt', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 4, 4096)],
      [0, submitted('a-1')],
      [100, launched('a-1', 'a1')],
      [0, submitted('b-1')],
      [300, launched('b-1', 'a1')],
      [500, status('b-1', 'TASK_FAILED')],
      // relaunched at 500 with a backoff to 2500; launched at 2900: it waited 400, not 2400
      [500, submitted('b-2', { origin: 'relaunch', eligibleAt: 2500 })],
      [2900, launched('b-2', 'a1')],
      [1000, submitted('c-1')],
      [1000, launched('c-1', 'a1')],
      [1000, submitted('d-1')],
      [1000, submitted('e-1')],
      [1200, status('e-1', 'TASK_KILLED')],
    ],
    5000,
  );
  // waits 0, 100, 300, 400; d-1 never launched and never ended; e-1 was withdrawn
  t.deepEqual(m.queueWait, { count: 4, p50: 100, p95: 400, max: 400, mean: 200, stillQueued: 1 });
});

test('metrics › has no queue wait when nothing was launched', (t) => {
  const m = collect([[0, submitted('a-1')]], 1000);
  t.deepEqual(m.queueWait, { count: 0, p50: 0, p95: 0, max: 0, mean: 0, stillQueued: 1 });
});

// ---------------------------------------------------------------------------------------------
// Jobs

/** A job of `total` copies, at most 2 at once: wave 1 (etl-1, etl-2), then wave 2 (etl-3). */
function etlJob(): [number, SchedulerRecord][] {
  return [
    [0, agentAdded('a1', 8, 8192)],
    [0, { type: 'job-submitted', job: 'etl', maxtasks: 2, waitMs: 1000, total: 3 }],
    [0, jobCopy('etl-1', 'etl')],
    [0, jobCopy('etl-2', 'etl')],
    [0, { type: 'job-wave', job: 'etl', wave: 1, tasks: ['etl-1', 'etl-2'] }],
    [10, launched('etl-1', 'a1')],
    [10, launched('etl-2', 'a1')],
    [50, status('etl-1', 'TASK_FINISHED')],
    // etl-2 fails and is retried as etl-4: the copy goes on, it has not failed
    [60, status('etl-2', 'TASK_FAILED')],
    [60, jobCopy('etl-4', 'etl', { previous: 'etl-2', eligibleAt: 200 })],
    [200, launched('etl-4', 'a1')],
    [300, status('etl-4', 'TASK_FINISHED')],
    [300, { type: 'job-waiting', job: 'etl', at: 1300, succeeded: 2, failed: 0 }],
    [1300, jobCopy('etl-3', 'etl')],
    [1300, { type: 'job-wave', job: 'etl', wave: 2, tasks: ['etl-3'] }],
    [1310, launched('etl-3', 'a1')],
  ];
}

test('metrics › follows a job through its waves: status, copies and the most running at once', (t) => {
  const running = collect(etlJob(), 2000);
  t.deepEqual(running.jobs, {
    etl: {
      status: 'running',
      waves: 2,
      succeeded: 2,
      failed: 0,
      started: 3,
      maxRunning: 2,
      maxtasks: 2,
      total: 3,
    },
  });
  const waiting = collect(etlJob().slice(0, 13), 1000);
  t.is(waiting.jobs.etl?.status, 'waiting');
  t.is(waiting.jobs.etl?.waves, 1);
  const ended = collect(
    [
      ...etlJob(),
      [1400, { type: 'kill-requested', task: 'etl-3', cause: 'user' }],
      [1400, status('etl-3', 'TASK_FINISHED')],
      [1400, { type: 'job-ended', job: 'etl', status: 'completed', succeeded: 2, failed: 1 }],
    ],
    2000,
  );
  // a copy that finished after offerlab killed it does not count as succeeded (as in the core)
  t.like(ended.jobs.etl, { status: 'completed', succeeded: 2, failed: 1, maxRunning: 2 });
});

test('metrics › counts a copy that failed for good as failed, and a deleted job as deleted', (t) => {
  const m = collect(
    [
      [0, agentAdded('a1', 8, 8192)],
      [0, { type: 'job-submitted', job: 'load', maxtasks: 3, waitMs: 0 }],
      [0, jobCopy('load-1', 'load')],
      [0, jobCopy('load-2', 'load')],
      [0, jobCopy('load-3', 'load')],
      [0, { type: 'job-wave', job: 'load', wave: 1, tasks: ['load-1', 'load-2', 'load-3'] }],
      [10, launched('load-1', 'a1')],
      [20, launched('load-2', 'a1')],
      [30, status('load-1', 'TASK_LOST')],
      [40, { type: 'job-ended', job: 'load', status: 'deleted', succeeded: 0, failed: 1 }],
    ],
    100,
  );
  t.deepEqual(m.jobs, {
    load: { status: 'deleted', waves: 1, succeeded: 0, failed: 1, started: 3, maxRunning: 2, maxtasks: 3 },
  });
});

test('metrics › starts a job over when its id is submitted again', (t) => {
  const m = collect(
    [
      ...etlJob(),
      [1400, status('etl-3', 'TASK_FINISHED')],
      [1400, { type: 'job-ended', job: 'etl', status: 'completed', succeeded: 3, failed: 0 }],
      [1500, { type: 'job-submitted', job: 'etl', maxtasks: 1, waitMs: 0, total: 1 }],
      [1500, jobCopy('etl-5', 'etl')],
      [1500, { type: 'job-wave', job: 'etl', wave: 1, tasks: ['etl-5'] }],
    ],
    2000,
  );
  t.deepEqual(m.jobs.etl, {
    status: 'running',
    waves: 1,
    succeeded: 0,
    failed: 0,
    started: 1,
    maxRunning: 0,
    maxtasks: 1,
    total: 1,
  });
});

// ---------------------------------------------------------------------------------------------
// Pools

test('metrics › follows a pool: size at the end, peak, nodes provisioned and destroyed, errors, scaling', (t) => {
  const m = collect(
    [
      [0, { type: 'pool', pool: 'gpu', mode: 'normal', min: 0, max: 4, size: 0 }],
      [0, { type: 'pool', pool: 'idle', mode: 'normal', min: 0, max: 4, size: 0 }],
      [10, poolNode('gpu', 'gpu-1', 'starting')],
      [10, poolNode('gpu', 'gpu-2', 'starting')],
      [10, poolNode('gpu', 'gpu-3', 'starting')],
      [
        10,
        { type: 'pool-scale', pool: 'gpu', direction: 'up', nodes: ['gpu-1', 'gpu-2', 'gpu-3'], reason: 'x' },
      ],
      [20, poolNode('gpu', 'gpu-1', 'booted')],
      [30, poolNode('gpu', 'gpu-1', 'ready', 'g1')],
      [40, poolNode('gpu', 'gpu-3', 'error')],
      [40, poolNode('gpu', 'gpu-3', 'deleting')],
      [50, poolNode('gpu', 'gpu-3', 'gone')],
      [60, { type: 'pool-scale', pool: 'gpu', direction: 'down', nodes: ['gpu-2'], reason: 'idle' }],
      [60, poolNode('gpu', 'gpu-2', 'deleting')],
      [70, poolNode('gpu', 'gpu-2', 'gone')],
      [80, poolNode('gpu', 'gpu-4', 'starting')],
      [80, { type: 'pool-scale', pool: 'gpu', direction: 'up', nodes: ['gpu-4'], reason: 'x' }],
    ],
    100,
  );
  t.deepEqual(m.pools, {
    gpu: { size: 2, peak: 3, provisioned: 4, destroyed: 2, errors: 1, scaleUps: 2, scaleDowns: 1 },
    idle: { size: 0, peak: 0, provisioned: 0, destroyed: 0, errors: 0, scaleUps: 0, scaleDowns: 0 },
  });
});

test('metrics › leaves out pools it has no records of', (t) => {
  const m = collect([[0, agentAdded('a1', 4, 4096)]], 100);
  t.deepEqual(m.pools, {});
  t.deepEqual(m.jobs, {});
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

test('expectations › compares the copies of a job that succeeded', (t) => {
  const m = collect([...etlJob(), [1400, status('etl-3', 'TASK_FAILED')]], 2000);
  t.deepEqual(checkExpectations({ jobs: { etl: 2, ghost: 1 } }, m), [
    { kind: 'jobs', id: 'etl', expected: 2, actual: 2, ok: true },
    { kind: 'jobs', id: 'ghost', expected: 1, actual: 0, ok: false },
  ]);
  t.false(checkExpectations({ jobs: { etl: 3 } }, m)[0]?.ok);
});

test("expectations › compares a pool's size at the end and its peak, each only when given", (t) => {
  const m = collect(
    [
      [10, poolNode('gpu', 'gpu-1', 'starting')],
      [10, poolNode('gpu', 'gpu-2', 'starting')],
      [70, poolNode('gpu', 'gpu-2', 'gone')],
    ],
    100,
  );
  t.deepEqual(checkExpectations({ pools: { gpu: { size: 1, peak: 3 }, cpu: { size: 0 } } }, m), [
    { kind: 'pool-size', id: 'gpu', expected: 1, actual: 1, ok: true },
    { kind: 'pool-peak', id: 'gpu', expected: 3, actual: 2, ok: false },
    { kind: 'pool-size', id: 'cpu', expected: 0, actual: 0, ok: true },
  ]);
  t.deepEqual(checkExpectations({ pools: { gpu: {} } }, m), []);
});
