import test from 'ava';
import fc from 'fast-check';
import {
  type Bin,
  type GrowablePool,
  planGrowth,
  type QueuedTask,
  unmetOnBins,
} from '../../../src/core/pools/demand.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function task(id: string, cpus: number, mem: number, extra: Partial<QueuedTask> = {}): QueuedTask {
  return { id, need: { cpus, mem, disk: 0 }, ...extra };
}

function pool(name: string, room: number, nodetype?: string, cpus = 4, mem = 8192): GrowablePool {
  return {
    name,
    node: { cpus, mem, disk: 40_000 },
    attributes: nodetype === undefined ? {} : { nodetype },
    room,
  };
}

function bin(hostname: string, cpus: number, mem: number, nodetype?: string): Bin {
  return {
    hostname,
    attributes: nodetype === undefined ? {} : { nodetype },
    free: { cpus, mem, disk: 40_000 },
  };
}

test('a queue is packed into the fewest new nodes', (t) => {
  const queue = ['a', 'b', 'c', 'd', 'e'].map((id) => task(id, 1, 2048));
  const plan = planGrowth(queue, [], [pool('burst', 6)]);
  t.deepEqual(plan.growth, [
    { pool: 'burst', nodes: 2, tasks: ['a', 'b', 'c', 'd', 'e'], need: { cpus: 5, mem: 10_240, disk: 0 } },
  ]);
  t.deepEqual(plan.unplaceable, []);
  t.is(plan.unmet, 5);
});

test('the biggest tasks are packed first, so mixed sizes need no more nodes than they must', (t) => {
  // In queue order, first fit would open three nodes (3000+3000, 5000, 5000); biggest first opens two.
  const queue = [task('s1', 1, 3000), task('l1', 1, 5000), task('s2', 1, 3000), task('l2', 1, 5000)];
  const plan = planGrowth(queue, [], [pool('burst', 6)]);
  t.is(plan.growth[0]?.nodes, 2);
  t.deepEqual(plan.growth[0]?.tasks, ['s1', 'l1', 's2', 'l2'], 'tasks are listed in queue order');
});

test('a pool never grows past its room', (t) => {
  const queue = ['a', 'b', 'c', 'd'].map((id) => task(id, 4, 1024));
  const plan = planGrowth(queue, [], [pool('burst', 2)]);
  t.is(plan.growth.length, 1);
  t.is(plan.growth[0]?.nodes, 2);
  t.deepEqual(plan.growth[0]?.tasks, ['a', 'b']);
  t.is(plan.unmet, 4);
});

test('a pool without room grows nothing', (t) => {
  const plan = planGrowth([task('a', 1, 1024)], [], [pool('burst', 0)]);
  t.deepEqual(plan.growth, []);
});

test('tasks a full pool cannot take spill over to the next pool that admits them', (t) => {
  const queue = ['a', 'b', 'c'].map((id) => task(id, 4, 1024));
  const plan = planGrowth(queue, [], [pool('first', 1), pool('second', 5)]);
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [
      ['first', 1, ['a']],
      ['second', 2, ['b', 'c']],
    ],
  );
});

test("a task too big for the first pool's nodes grows the next pool whose nodes fit it", (t) => {
  const plan = planGrowth(
    [task('big', 8, 32_768)],
    [],
    [pool('small', 6, undefined, 4, 8192), pool('large', 2, undefined, 16, 65_536)],
  );
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [['large', 1, ['big']]],
  );
});

test('a task with a nodetype grows only a pool whose nodes carry that nodetype', (t) => {
  const queue = [
    task('etl-1', 1, 1024, { nodetype: 'etl' }),
    task('batch-1', 1, 1024, { nodetype: 'batch' }),
  ];
  const plan = planGrowth(queue, [], [pool('a-batch', 3, 'batch'), pool('b-etl', 3, 'etl')]);
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [
      ['a-batch', 1, ['batch-1']],
      ['b-etl', 1, ['etl-1']],
    ],
  );
});

test('a task without a nodetype grows the first pool in the given order', (t) => {
  const plan = planGrowth([task('any', 1, 1024)], [], [pool('b-etl', 3, 'etl'), pool('a-batch', 3, 'batch')]);
  t.deepEqual(
    plan.growth.map((g) => g.pool),
    ['b-etl'],
  );
});

test('tasks that fit on known agents grow nothing', (t) => {
  const queue = [task('a', 1, 1024), task('b', 1, 1024)];
  const plan = planGrowth(queue, [bin('static-1', 2, 4096)], [pool('burst', 6)]);
  t.deepEqual(plan.growth, []);
  t.deepEqual(plan.unplaceable, []);
  t.is(plan.unmet, 0);
});

test('tasks that fit on nodes already booting grow nothing', (t) => {
  const queue = [task('a', 2, 4096), task('b', 2, 4096)];
  const booting = bin('burst-1', 4, 8192, 'batch');
  const plan = planGrowth(queue, [booting], [pool('burst', 6, 'batch')]);
  t.deepEqual(plan.growth, []);
  t.is(plan.unmet, 0);
});

test('only what the bins cannot hold grows a pool, bins filled in queue order', (t) => {
  // The bin holds a and b; c finds it full and needs a node.
  const queue = [task('a', 1, 1024), task('b', 1, 1024), task('c', 1, 1024)];
  const plan = planGrowth(queue, [bin('static-1', 2, 8192)], [pool('burst', 6)]);
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [['burst', 1, ['c']]],
  );
  t.is(plan.unmet, 1);
});

test('a bin of the wrong nodetype does not count as room for a task', (t) => {
  const queue = [task('etl-1', 1, 1024, { nodetype: 'etl' })];
  const plan = planGrowth(queue, [bin('static-1', 8, 16_384, 'core')], [pool('etl', 2, 'etl')]);
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes]),
    [['etl', 1]],
  );
});

test('a task too big for any pool node is unplaceable and grows nothing', (t) => {
  const plan = planGrowth([task('huge', 2, 65_536), task('small', 1, 1024)], [], [pool('burst', 6)]);
  t.deepEqual(plan.unplaceable, ['huge']);
  t.deepEqual(
    plan.growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [['burst', 1, ['small']]],
  );
});

test('a task asking for a nodetype no pool has is unplaceable', (t) => {
  const plan = planGrowth([task('gpu', 1, 1024, { nodetype: 'gpu' })], [], [pool('burst', 6, 'batch')]);
  t.deepEqual(plan.unplaceable, ['gpu']);
  t.deepEqual(plan.growth, []);
});

test('a task pinned to a nodename no bin has is unplaceable, as new nodes get names of their own', (t) => {
  const plan = planGrowth(
    [task('pinned', 1, 1024, { nodename: 'static-9' })],
    [bin('static-1', 4, 8192)],
    [pool('burst', 6)],
  );
  t.deepEqual(plan.unplaceable, ['pinned']);
  t.deepEqual(plan.growth, []);
});

test('what the new nodes are for is summed and rounded to three decimals', (t) => {
  const queue = [task('a', 0.1, 100.1), task('b', 0.2, 200.2)];
  const plan = planGrowth(queue, [], [pool('burst', 6)]);
  t.deepEqual(plan.growth[0]?.need, { cpus: 0.3, mem: 300.3, disk: 0 });
});

test('an empty queue grows nothing', (t) => {
  t.deepEqual(planGrowth([], [bin('static-1', 1, 1024)], [pool('burst', 6)]), {
    growth: [],
    unplaceable: [],
    unmet: 0,
  });
});

test('tasks a pool could take but has no room for are waiting, not unplaceable', (t) => {
  const { growth, unplaceable, unmet } = planGrowth(
    [task('a', 4, 8192), task('b', 4, 8192)],
    [],
    [pool('p', 1)],
  );
  t.deepEqual(
    growth.map((g) => [g.pool, g.nodes, g.tasks]),
    [['p', 1, ['a']]],
  );
  t.deepEqual(unplaceable, []);
  t.is(unmet, 2);
});

test(`first fit over the bins, resumed per kind of request, leaves what a plain first-fit scan leaves (seed=${SEED})`, (t) => {
  const naive = (queue: readonly QueuedTask[], bins: readonly Bin[]): string[] => {
    const free = bins.map((b) => ({ ...b, free: { ...b.free } }));
    const left: string[] = [];
    for (const q of queue) {
      const b = free.find(
        (x) =>
          (q.nodetype === undefined || x.attributes.nodetype === q.nodetype) &&
          (q.nodename === undefined || x.hostname === q.nodename) &&
          q.need.cpus <= x.free.cpus + 1e-9 &&
          q.need.mem <= x.free.mem + 1e-9 &&
          q.need.disk <= x.free.disk + 1e-9,
      );
      if (!b) left.push(q.id);
      else {
        b.free.cpus -= q.need.cpus;
        b.free.mem -= q.need.mem;
        b.free.disk -= q.need.disk;
      }
    }
    return left;
  };
  const types = fc.constantFrom(undefined, 'a', 'b');
  const arb = fc.record({
    bins: fc.array(
      fc.record({ cpus: fc.integer({ min: 0, max: 8 }), mem: fc.integer({ min: 0, max: 8 }), type: types }),
      { maxLength: 12 },
    ),
    queue: fc.array(
      fc.record({
        cpus: fc.integer({ min: 1, max: 4 }),
        mem: fc.integer({ min: 1, max: 4 }),
        type: types,
        host: fc.option(fc.nat(12), { nil: undefined }),
      }),
      { maxLength: 40 },
    ),
  });
  fc.assert(
    fc.property(arb, ({ bins, queue }) => {
      const b: Bin[] = bins.map((x, i) => ({
        hostname: `h${i}`,
        attributes: x.type === undefined ? {} : { nodetype: x.type },
        free: { cpus: x.cpus, mem: x.mem * 1024, disk: 0 },
      }));
      const q: QueuedTask[] = queue.map((x, i) => ({
        id: `t${i}`,
        need: { cpus: x.cpus, mem: x.mem * 1024, disk: 0 },
        ...(x.type !== undefined ? { nodetype: x.type } : {}),
        ...(x.host !== undefined ? { nodename: `h${x.host}` } : {}),
      }));
      const ours = unmetOnBins(q, b).map((x) => x.id);
      if (JSON.stringify(ours) !== JSON.stringify(naive(q, b))) throw new Error(`${ours} vs ${naive(q, b)}`);
    }),
    fcParams(300),
  );
  t.pass();
});
