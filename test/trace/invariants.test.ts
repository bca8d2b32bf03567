import test from 'ava';
import fc from 'fast-check';
import type { TaskState } from '../../src/core/mesos/v1.ts';
import type { TaskSpec } from '../../src/core/spec/task-spec.ts';
import { endsLife, INVARIANTS, InvariantChecker, type Violation } from '../../src/trace/invariants.ts';
import type { TraceLine } from '../../src/trace/trace-line.ts';
import { TraceWriter } from '../../src/trace/trace-writer.ts';
import { fcParams, SEED } from '../helpers/property.ts';

// ---------------------------------------------------------------------------------------------
// Synthetic trace lines

interface AgentOpts {
  cpus?: number;
  mem?: number;
  disk?: number;
  ports?: [number, number][];
  attributes?: Record<string, string>;
}

function agent(t: number, id: string, o: AgentOpts = {}): TraceLine {
  return {
    t,
    type: 'agent-added',
    agent: id,
    hostname: `host-${id}`,
    resources: {
      cpus: o.cpus ?? 4,
      mem: o.mem ?? 4096,
      disk: o.disk ?? 0,
      ports: o.ports ?? [[31000, 32000]],
    },
    attributes: o.attributes ?? {},
  };
}

function submitted(t: number, task: string, spec: Partial<TaskSpec> = {}): TraceLine {
  const id = spec.id ?? task.replace(/-\d+$/, '');
  return { t, type: 'task-submitted', task, spec: { dockerimage: 'img', mem: 64, cpus: 0.1, ...spec, id } };
}

function launched(
  t: number,
  task: string,
  on: string,
  r: { cpus?: number; mem?: number; disk?: number; ports?: [number, number][] } = {},
): TraceLine {
  return {
    t,
    type: 'task-launched',
    task,
    agent: on,
    resources: {
      cpus: r.cpus ?? 0.1,
      mem: r.mem ?? 64,
      ...(r.disk !== undefined ? { disk: r.disk } : {}),
      ...(r.ports !== undefined ? { ports: r.ports } : {}),
    },
  };
}

function status(t: number, task: string, state: TaskState, on?: string): TraceLine {
  return { t, type: 'task-status', task, state, ...(on !== undefined ? { agent: on } : {}) };
}

function removed(t: number, id: string): TraceLine {
  return { t, type: 'agent-removed', agent: id, reason: 'agent lost' };
}

/** Feeds the lines through a TraceWriter into a fresh checker; finishes the trace at `finishAt`. */
function check(
  lines: readonly TraceLine[],
  finishAt?: number,
): { checker: InvariantChecker; texts: string[] } {
  const writer = new TraceWriter();
  const checker = new InvariantChecker();
  const texts: string[] = [];
  writer.listen((_l, _n, text) => texts.push(text));
  writer.listen(checker.listener);
  for (const line of lines) writer.write({ ...line });
  if (finishAt !== undefined) writer.finish(finishAt);
  return { checker, texts };
}

function summary(violations: readonly Violation[]): [string, number][] {
  return violations.map((v) => [v.invariant, v.lineNumber]);
}

/** A trace in four parts: agents, the first task, what happens in between, the second task. */
function pair(
  base: readonly TraceLine[],
  first: TraceLine[],
  between: TraceLine[],
  second: TraceLine[],
): TraceLine[] {
  return [...base, ...first, ...between, ...second];
}

const TERMINAL: readonly TaskState[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

// ---------------------------------------------------------------------------------------------
// Life of a task

test('invariants › checks the five invariants of the design', (t) => {
  t.deepEqual([...INVARIANTS].sort(), ['no-overcommit', 'nodetype', 'one-per-node', 'ports', 'singleton']);
});

test('invariants › a task ends its life at every terminal state and at TASK_UNKNOWN only', (t) => {
  for (const s of TERMINAL) t.true(endsLife(s), s);
  t.true(endsLife('TASK_UNKNOWN'));
  for (const s of [
    'TASK_STAGING',
    'TASK_STARTING',
    'TASK_RUNNING',
    'TASK_KILLING',
    'TASK_UNREACHABLE',
  ] as const)
    t.false(endsLife(s), s);
});

// ---------------------------------------------------------------------------------------------
// no-overcommit

const twoBig = (between: TraceLine[]) =>
  pair(
    [agent(0, 'a1', { cpus: 4, mem: 1000, disk: 100 })],
    [submitted(0, 'big-1'), launched(10, 'big-1', 'a1', { cpus: 3, mem: 100 })],
    between,
    [submitted(20, 'big-2'), launched(30, 'big-2', 'a1', { cpus: 3, mem: 100 })],
  );

test('invariants › no-overcommit is reported at the launch that over-commits cpus', (t) => {
  const lines = twoBig([status(15, 'big-1', 'TASK_RUNNING', 'a1')]);
  const { checker, texts } = check(lines);
  t.deepEqual(summary(checker.violations), [['no-overcommit', 6]]);
  t.is(checker.violations[0]?.line, texts[5]);
  t.regex(checker.violations[0]?.message ?? '', /big-2/);
  t.regex(checker.violations[0]?.message ?? '', /cpus 6\/4/);
});

test('invariants › no-overcommit counts mem and disk as well as cpus', (t) => {
  const mem = check([
    agent(0, 'a1', { mem: 1000 }),
    submitted(0, 'm-1'),
    launched(1, 'm-1', 'a1', { mem: 600 }),
    submitted(2, 'm-2'),
    launched(3, 'm-2', 'a1', { mem: 600 }),
  ]).checker;
  t.deepEqual(summary(mem.violations), [['no-overcommit', 5]]);
  const disk = check([
    agent(0, 'a1', { disk: 100 }),
    submitted(0, 'd-1'),
    launched(1, 'd-1', 'a1', { disk: 60 }),
    submitted(2, 'd-2'),
    launched(3, 'd-2', 'a1', { disk: 60 }),
  ]).checker;
  t.deepEqual(summary(disk.violations), [['no-overcommit', 5]]);
});

test('invariants › no-overcommit allows an agent filled exactly, with Mesos-rounded fractions', (t) => {
  const lines: TraceLine[] = [agent(0, 'a1', { cpus: 1, mem: 300 })];
  for (let i = 1; i <= 10; i++)
    lines.push(submitted(i, `f-${i}`), launched(i, `f-${i}`, 'a1', { cpus: 0.1, mem: 30 }));
  t.deepEqual(check(lines).checker.violations, []);
});

for (const state of TERMINAL) {
  test(`invariants › no-overcommit is not reported when the earlier task ended with ${state}`, (t) => {
    const { checker } = check(twoBig([status(15, 'big-1', state, 'a1')]));
    t.deepEqual(checker.violations, []);
  });
}

test('invariants › no-overcommit is not reported when the earlier task became TASK_UNKNOWN', (t) => {
  const { checker } = check(twoBig([status(15, 'big-1', 'TASK_UNKNOWN', 'a1')]));
  t.deepEqual(checker.violations, []);
});

for (const state of ['TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE'] as const) {
  test(`invariants › no-overcommit is still reported when the earlier task is only ${state}`, (t) => {
    const { checker } = check(twoBig([status(15, 'big-1', state, 'a1')]));
    t.deepEqual(summary(checker.violations), [['no-overcommit', 6]]);
  });
}

test('invariants › no-overcommit is per agent', (t) => {
  const { checker } = check([
    agent(0, 'a1', { cpus: 4 }),
    agent(0, 'a2', { cpus: 4 }),
    submitted(0, 'big-1'),
    launched(1, 'big-1', 'a1', { cpus: 3 }),
    submitted(2, 'big-2'),
    launched(3, 'big-2', 'a2', { cpus: 3 }),
  ]);
  t.deepEqual(checker.violations, []);
});

test(`invariants › no-overcommit is reported exactly where a model of the agent overflows (seed=${SEED})`, (t) => {
  // ops: a positive number launches a task of that many cpus; a negative one ends the task at that index
  const ops = fc.array(
    fc.oneof(
      fc.integer({ min: 1, max: 4 }).map((cpus) => ({ launch: cpus })),
      fc.nat(30).map((index) => ({ end: index })),
    ),
    { maxLength: 30 },
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(ops, (list) => {
        const lines: TraceLine[] = [agent(0, 'a1', { cpus: 6, mem: 1e9 })];
        const live = new Map<string, number>();
        const launchedIds: string[] = [];
        const expected: number[] = [];
        let used = 0;
        for (const op of list) {
          if ('launch' in op) {
            const id = `t-${launchedIds.length}`;
            launchedIds.push(id);
            lines.push(submitted(0, id), launched(0, id, 'a1', { cpus: op.launch, mem: 1 }));
            used += op.launch;
            live.set(id, op.launch);
            if (used > 6) expected.push(lines.length);
          } else {
            const id = launchedIds[op.end];
            if (id === undefined) continue;
            lines.push(status(0, id, 'TASK_KILLED'));
            used -= live.get(id) ?? 0;
            live.delete(id);
          }
        }
        const { checker } = check(lines);
        const got = checker.violations.map((v) => {
          if (v.invariant !== 'no-overcommit') throw new Error(`unexpected ${v.invariant}`);
          return v.lineNumber;
        });
        return JSON.stringify(got) === JSON.stringify(expected);
      }),
      fcParams(200),
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// one-per-node

const twoOnOne = (between: TraceLine[], secondAgent = 'a1') =>
  pair(
    [agent(0, 'a1'), agent(0, 'a2')],
    [submitted(0, 'cadvisor-1', { sla: 'one-per-node' }), launched(1, 'cadvisor-1', 'a1')],
    between,
    [submitted(2, 'cadvisor-2', { sla: 'one-per-node' }), launched(3, 'cadvisor-2', secondAgent)],
  );

test('invariants › one-per-node is reported at a second live copy on one agent', (t) => {
  const { checker, texts } = check(twoOnOne([status(1, 'cadvisor-1', 'TASK_RUNNING')]));
  t.deepEqual(summary(checker.violations), [['one-per-node', 7]]);
  t.is(checker.violations[0]?.line, texts[6]);
  t.regex(checker.violations[0]?.message ?? '', /cadvisor-2.*cadvisor-1/);
});

test('invariants › one-per-node allows one copy on each of two agents', (t) => {
  t.deepEqual(check(twoOnOne([], 'a2')).checker.violations, []);
});

test('invariants › one-per-node is not reported when the earlier copy ended first', (t) => {
  t.deepEqual(check(twoOnOne([status(2, 'cadvisor-1', 'TASK_KILLED')])).checker.violations, []);
  t.deepEqual(check(twoOnOne([status(2, 'cadvisor-1', 'TASK_UNKNOWN')])).checker.violations, []);
});

test('invariants › one-per-node does not apply to tasks without that sla', (t) => {
  const { checker } = check([
    agent(0, 'a1'),
    submitted(0, 'web-1'),
    launched(1, 'web-1', 'a1'),
    submitted(2, 'web-2'),
    launched(3, 'web-2', 'a1'),
  ]);
  t.deepEqual(checker.violations, []);
});

// ---------------------------------------------------------------------------------------------
// singleton

const twoSingletons = (between: TraceLine[]) =>
  pair(
    [agent(0, 'a1'), agent(0, 'a2')],
    [submitted(0, 'redis-1', { sla: 'singleton' }), launched(1, 'redis-1', 'a1')],
    between,
    [submitted(2, 'redis-2', { sla: 'singleton' }), launched(3, 'redis-2', 'a2')],
  );

test('invariants › singleton is reported at a second live copy anywhere in the cluster', (t) => {
  const { checker, texts } = check(twoSingletons([status(1, 'redis-1', 'TASK_RUNNING')]));
  t.deepEqual(summary(checker.violations), [['singleton', 7]]);
  t.is(checker.violations[0]?.line, texts[6]);
  t.regex(checker.violations[0]?.message ?? '', /redis-2.*redis-1/);
});

test('invariants › singleton counts a copy that is launched but not yet running', (t) => {
  const { checker } = check(twoSingletons([status(1, 'redis-1', 'TASK_STAGING')]));
  t.deepEqual(summary(checker.violations), [['singleton', 7]]);
});

test('invariants › singleton is not reported when the earlier copy ended first', (t) => {
  t.deepEqual(check(twoSingletons([status(2, 'redis-1', 'TASK_LOST')])).checker.violations, []);
  t.deepEqual(check(twoSingletons([status(2, 'redis-1', 'TASK_UNKNOWN')])).checker.violations, []);
});

test('invariants › singleton is per spec id', (t) => {
  const { checker } = check([
    agent(0, 'a1'),
    submitted(0, 'redis-1', { sla: 'singleton' }),
    launched(1, 'redis-1', 'a1'),
    submitted(0, 'influxdb-1', { sla: 'singleton' }),
    launched(1, 'influxdb-1', 'a1'),
  ]);
  t.deepEqual(checker.violations, []);
});

// ---------------------------------------------------------------------------------------------
// nodetype and nodename

test('invariants › nodetype is reported when a task runs on another nodetype', (t) => {
  const { checker, texts } = check([
    agent(0, 'a1', { attributes: { nodetype: 'analytics' } }),
    submitted(0, 'stress-1', { nodetype: 'lab' }),
    launched(1, 'stress-1', 'a1'),
  ]);
  t.deepEqual(summary(checker.violations), [['nodetype', 3]]);
  t.is(checker.violations[0]?.line, texts[2]);
  t.regex(checker.violations[0]?.message ?? '', /stress-1 wants nodetype lab/);
});

test('invariants › nodetype is reported when the agent has no nodetype at all', (t) => {
  const { checker } = check([
    agent(0, 'a1'),
    submitted(0, 'stress-1', { nodetype: 'lab' }),
    launched(1, 'stress-1', 'a1'),
  ]);
  t.deepEqual(summary(checker.violations), [['nodetype', 3]]);
});

test('invariants › nodetype is not reported on an agent of that nodetype', (t) => {
  const { checker } = check([
    agent(0, 'a1', { attributes: { nodetype: 'lab' } }),
    submitted(0, 'stress-1', { nodetype: 'lab' }),
    launched(1, 'stress-1', 'a1'),
  ]);
  t.deepEqual(checker.violations, []);
});

test('invariants › nodename is checked under the nodetype invariant', (t) => {
  const wrong = check([
    agent(0, 'a1', { attributes: { nodetype: 'lab', nodename: 'lab-1' } }),
    submitted(0, 'pinned-1', { nodename: 'lab-2' }),
    launched(1, 'pinned-1', 'a1'),
  ]).checker;
  t.deepEqual(summary(wrong.violations), [['nodetype', 3]]);
  t.regex(wrong.violations[0]?.message ?? '', /pinned-1 wants nodename lab-2/);
  const right = check([
    agent(0, 'a1', { attributes: { nodetype: 'lab', nodename: 'lab-2' } }),
    submitted(0, 'pinned-1', { nodename: 'lab-2' }),
    launched(1, 'pinned-1', 'a1'),
  ]).checker;
  t.deepEqual(right.violations, []);
});

// ---------------------------------------------------------------------------------------------
// ports

test("invariants › ports is reported when host ports are outside the agent's ranges", (t) => {
  const { checker, texts } = check([
    agent(0, 'a1', { ports: [[31000, 31100]] }),
    submitted(0, 'web-1'),
    launched(1, 'web-1', 'a1', { ports: [[31100, 31101]] }),
  ]);
  t.deepEqual(summary(checker.violations), [['ports', 3]]);
  t.is(checker.violations[0]?.line, texts[2]);
  t.regex(checker.violations[0]?.message ?? '', /web-1 uses host ports outside/);
});

test("invariants › ports is not reported for host ports inside the agent's ranges", (t) => {
  const { checker } = check([
    agent(0, 'a1', {
      ports: [
        [8000, 8000],
        [31000, 31100],
      ],
    }),
    submitted(0, 'web-1'),
    launched(1, 'web-1', 'a1', {
      ports: [
        [8000, 8000],
        [31050, 31100],
      ],
    }),
  ]);
  t.deepEqual(checker.violations, []);
});

test('invariants › ports is reported for an agent that offers no ports', (t) => {
  const { checker } = check([
    agent(0, 'a1', { ports: [] }),
    submitted(0, 'web-1'),
    launched(1, 'web-1', 'a1', { ports: [[31500, 31500]] }),
  ]);
  t.deepEqual(summary(checker.violations), [['ports', 3]]);
});

const twoOnPort = (between: TraceLine[], secondPorts: [number, number][] = [[31500, 31500]], on = 'a1') =>
  pair(
    [agent(0, 'a1'), agent(0, 'a2')],
    [submitted(0, 'web-1'), launched(1, 'web-1', 'a1', { ports: [[31490, 31500]] })],
    between,
    [submitted(2, 'api-1'), launched(3, 'api-1', on, { ports: secondPorts })],
  );

test('invariants › ports is reported when two live tasks share a host port on one agent', (t) => {
  const { checker, texts } = check(twoOnPort([status(1, 'web-1', 'TASK_RUNNING')]));
  t.deepEqual(summary(checker.violations), [['ports', 7]]);
  t.is(checker.violations[0]?.line, texts[6]);
  t.regex(checker.violations[0]?.message ?? '', /api-1 shares a host port with web-1/);
});

test('invariants › ports is not reported for disjoint host ports on one agent', (t) => {
  t.deepEqual(check(twoOnPort([], [[31501, 31510]])).checker.violations, []);
});

test('invariants › ports is not reported for the same host port on two agents', (t) => {
  t.deepEqual(check(twoOnPort([], [[31500, 31500]], 'a2')).checker.violations, []);
});

test('invariants › ports is not reported when the task holding the port ended first', (t) => {
  t.deepEqual(check(twoOnPort([status(2, 'web-1', 'TASK_FINISHED')])).checker.violations, []);
  t.deepEqual(check(twoOnPort([status(2, 'web-1', 'TASK_UNKNOWN')])).checker.violations, []);
});

// ---------------------------------------------------------------------------------------------
// agent removal

const onRemovedAgent = (after: TraceLine[]) => [
  agent(0, 'a1'),
  submitted(0, 'web-1'),
  launched(10, 'web-1', 'a1'),
  status(20, 'web-1', 'TASK_RUNNING', 'a1'),
  removed(100, 'a1'),
  ...after,
];

test('invariants › a terminal status before the agent-removed line is fine', (t) => {
  const { checker } = check(
    [
      agent(0, 'a1'),
      submitted(0, 'web-1'),
      launched(10, 'web-1', 'a1'),
      status(90, 'web-1', 'TASK_LOST', 'a1'),
      removed(100, 'a1'),
    ],
    500,
  );
  t.deepEqual(checker.violations, []);
});

test('invariants › a terminal status at the same t after the agent-removed line is fine', (t) => {
  const { checker } = check(
    onRemovedAgent([status(100, 'web-1', 'TASK_LOST', 'a1'), { t: 200, type: 'kill-requested', task: 'x' }]),
    500,
  );
  t.deepEqual(checker.violations, []);
});

test('invariants › TASK_UNKNOWN at the time of the removal also ends the task', (t) => {
  const { checker } = check(onRemovedAgent([status(100, 'web-1', 'TASK_UNKNOWN')]), 500);
  t.deepEqual(checker.violations, []);
});

test('invariants › a terminal status later than the agent removal is a violation', (t) => {
  const { checker, texts } = check(onRemovedAgent([status(150, 'web-1', 'TASK_LOST', 'a1')]), 500);
  t.deepEqual(summary(checker.violations), [['agent-removal', 5]]);
  t.is(checker.violations[0]?.line, texts[4]);
  t.regex(checker.violations[0]?.message ?? '', /a1 was removed at t=100 but web-1/);
});

test('invariants › a non-terminal status at the time of the removal is a violation', (t) => {
  const { checker } = check(onRemovedAgent([status(100, 'web-1', 'TASK_UNREACHABLE', 'a1')]), 500);
  t.deepEqual(summary(checker.violations), [['agent-removal', 5]]);
});

test('invariants › no status at all for a task on a removed agent is a violation at the end', (t) => {
  const { checker } = check(onRemovedAgent([]), 100);
  t.deepEqual(summary(checker.violations), [['agent-removal', 5]]);
});

test('invariants › a violation is found by any later line, not only by the task status', (t) => {
  const { checker } = check(onRemovedAgent([{ t: 101, type: 'kill-requested', task: 'other' }]));
  t.deepEqual(summary(checker.violations), [['agent-removal', 5]]);
});

test('invariants › a task reported late for a removed agent no longer blocks its singleton', (t) => {
  const { checker } = check([
    agent(0, 'a1'),
    agent(0, 'a2'),
    submitted(0, 'redis-1', { sla: 'singleton' }),
    launched(10, 'redis-1', 'a1'),
    removed(100, 'a1'),
    submitted(200, 'redis-2', { sla: 'singleton' }),
    launched(210, 'redis-2', 'a2'),
  ]);
  t.deepEqual(summary(checker.violations), [['agent-removal', 5]]);
});

test('invariants › tasks on other agents are not affected by a removal', (t) => {
  const { checker } = check(
    [
      agent(0, 'a1'),
      agent(0, 'a2'),
      submitted(0, 'web-1'),
      launched(10, 'web-1', 'a2'),
      removed(100, 'a1'),
      status(300, 'web-1', 'TASK_FINISHED', 'a2'),
    ],
    500,
  );
  t.deepEqual(checker.violations, []);
});

// ---------------------------------------------------------------------------------------------
// Reporting

test('invariants › firstByInvariant keeps the first violation of each invariant', (t) => {
  const { checker } = check([
    agent(0, 'a1', { cpus: 1, attributes: { nodetype: 'lab' } }),
    submitted(0, 'x-1', { nodetype: 'gpu' }),
    launched(1, 'x-1', 'a1', { cpus: 1 }),
    submitted(0, 'x-2', { nodetype: 'gpu' }),
    launched(1, 'x-2', 'a1', { cpus: 1 }),
  ]);
  t.deepEqual(summary(checker.violations), [
    ['nodetype', 3],
    ['no-overcommit', 5],
    ['nodetype', 5],
  ]);
  const first = checker.firstByInvariant();
  t.deepEqual([...first.keys()].sort(), ['no-overcommit', 'nodetype']);
  t.is(first.get('nodetype')?.lineNumber, 3);
  t.is(first.get('no-overcommit')?.lineNumber, 5);
});

test('invariants › a clean trace has no violations', (t) => {
  const { checker } = check(
    [
      agent(0, 'a1', { attributes: { nodetype: 'lab' } }),
      agent(0, 'a2', { attributes: { nodetype: 'lab' } }),
      submitted(0, 'cadvisor-1', { sla: 'one-per-node' }),
      submitted(0, 'cadvisor-2', { sla: 'one-per-node' }),
      submitted(0, 'redis-1', { sla: 'singleton', nodetype: 'lab' }),
      launched(10, 'cadvisor-1', 'a1', { ports: [[31500, 31500]] }),
      launched(10, 'cadvisor-2', 'a2', { ports: [[31500, 31500]] }),
      launched(10, 'redis-1', 'a1', { ports: [[31600, 31600]] }),
      status(20, 'cadvisor-1', 'TASK_RUNNING', 'a1'),
      status(20, 'cadvisor-2', 'TASK_RUNNING', 'a2'),
      status(20, 'redis-1', 'TASK_RUNNING', 'a1'),
    ],
    1000,
  );
  t.deepEqual(checker.violations, []);
});
