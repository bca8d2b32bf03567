import test from 'ava';
import type { PoolConfig } from '../../../src/core/pools/types.ts';
import type { Command } from '../../../src/core/scheduler/commands.ts';
import { makeConfig } from '../../../src/core/scheduler/config.ts';
import { DurableBuilder, durableView, restoreState } from '../../../src/core/scheduler/durable.ts';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
import { Harness, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';

type Rec<T extends SchedulerRecord['type']> = Extract<SchedulerRecord, { type: T }>;

const BURST: PoolConfig = {
  name: 'burst',
  min: 1,
  max: 3,
  template: { cpus: 4, mem: 4096, disk: 0, ports: '31000-32000', attributes: { nodetype: 'batch' } },
  bootDelayMs: 1000,
  readyDelayMs: 1000,
  maxLaunchTimeMs: 60_000,
  maxIdleTimeMs: 30_000,
};

function orders(cmds: readonly Command[], type: 'provision' | 'destroy'): string[] {
  return cmds.flatMap((c) => (c.type === type ? [c.hostname] : []));
}

function check(h: Harness, at: number): Command[] {
  return h.feed({ type: 'timer', key: 'pools' }, at);
}

/** A pool node's agent shows up with an offer of the pool's size. */
function nodeOffer(n: number, hostname: string) {
  return { ...offer(n, { cpus: 4, mem: 4096 }, { nodetype: 'batch' }), hostname };
}

function booted(h: Harness, hostname: string, at: number): void {
  h.feed({ type: 'pool-result', action: 'provision', hostname, ok: true }, at);
}

/**
 * A pool with one node, burst-1, up (its agent offered, a pool check saw it) and a batch task
 * placed on it (not yet running).
 */
function busyNode(): { h: Harness; task: string } {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 1 });
  booted(h, 'burst-1', 1000);
  const [task] = h.submit(spec({ id: 'job', cpus: 1, mem: 512, nodetype: 'batch' }), { kind: 'batch' });
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  check(h, 3000);
  return { h, task: task as string };
}

test('pools › the first check provisions the pool up to its min', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  const cmds = check(h, 0);
  t.deepEqual(orders(cmds, 'provision'), ['burst-1']);
  t.deepEqual(
    (records(cmds, 'pool-scale') as Rec<'pool-scale'>[]).map((r) => r.reason),
    ['below its minimum of 1'],
  );
  t.deepEqual(orders(check(h, 10_000), 'provision'), [], 'a node on its way counts');
});

test('pools › queued tasks that fit on no agent grow the pool into the fewest nodes, never past max', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.submit(spec({ id: 'crunch', cpus: 2, mem: 2048, nodetype: 'batch' }), { count: 10, kind: 'batch' });
  const cmds = check(h, 0);
  t.deepEqual(orders(cmds, 'provision'), ['burst-1', 'burst-2', 'burst-3']);
  const scale = (records(cmds, 'pool-scale') as Rec<'pool-scale'>[])[0];
  t.is(
    scale?.reason,
    '10 queued tasks fit on no agent; 3 new nodes take 6 (cpus 12, mem 12288 MB); at its max of 3',
  );
});

test('pools › tasks that fit an agent with room, or another node type, grow nothing', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed(offersEvent(offer(0, { cpus: 8, mem: 8192 }, { nodetype: 'batch' })));
  h.submit(spec({ id: 'fits', cpus: 1, mem: 1024, nodetype: 'batch' }), { count: 3, kind: 'batch' });
  h.submit(spec({ id: 'gpu', cpus: 1, mem: 1024, nodetype: 'gpu' }), { kind: 'batch' });
  t.deepEqual(orders(check(h, 1000), 'provision'), []);
});

test('pools › a node is up once its agent offers; idle past max_idle_time it is held and destroyed, not below min', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 1 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 2 });
  check(h, 0);
  booted(h, 'burst-1', 1000);
  booted(h, 'burst-2', 1000);
  h.feed(offersEvent(nodeOffer(1, 'burst-1'), nodeOffer(2, 'burst-2')), 2000);
  const ready = records(check(h, 10_000), 'pool-node') as Rec<'pool-node'>[];
  t.deepEqual(
    ready.map((r) => [r.hostname, r.state]),
    [
      ['burst-1', 'ready'],
      ['burst-2', 'ready'],
    ],
  );
  t.deepEqual(orders(check(h, 20_000), 'destroy'), [], 'idle, but not for long enough');
  const cmds = check(h, 40_000);
  t.deepEqual(orders(cmds, 'destroy'), ['burst-1'], 'one goes, the other keeps the pool at its min');
  t.deepEqual(
    (records(cmds, 'agent-held') as Rec<'agent-held'>[]).map((r) => r.hostname),
    ['burst-1'],
  );
  h.feed({ type: 'pool-result', action: 'destroy', hostname: 'burst-1', ok: true }, 41_000);
  t.deepEqual([...(h.state.pools.get('burst')?.nodes.keys() ?? [])], ['burst-2']);
  t.deepEqual(orders(check(h, 200_000), 'destroy'), []);
});

test('pools › a busy node is never destroyed for idleness', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 1 });
  booted(h, 'burst-1', 1000);
  const [task] = h.submit(spec({ id: 'long', cpus: 1, mem: 512, nodetype: 'batch' }), { kind: 'batch' });
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  h.feed(update(task as string, 'TASK_RUNNING', { agent: 1 }), 3000);
  for (let at = 10_000; at <= 300_000; at += 10_000) t.deepEqual(orders(check(h, at), 'destroy'), []);
});

test('pools › a frozen pool neither grows nor shrinks, and refuses launches', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  const frozen = h.feed({ type: 'pool-mode', pool: 'burst', action: 'freeze' });
  t.like((records(frozen, 'pool') as Rec<'pool'>[])[0], { mode: 'frozen', min: 0, max: 0, size: 0 });
  h.submit(spec({ id: 'crunch', cpus: 2, mem: 2048, nodetype: 'batch' }), { count: 4, kind: 'batch' });
  t.deepEqual(orders(check(h, 0), 'provision'), []);
  const refused = records(
    h.feed({ type: 'pool-launch', pool: 'burst', count: 1 }),
    'pool-rejected',
  ) as Rec<'pool-rejected'>[];
  t.is(refused[0]?.message, 'pool burst is frozen; restore it first');
  h.feed({ type: 'pool-mode', pool: 'burst', action: 'restore' });
  t.is(orders(check(h, 10_000), 'provision').length, 2, 'restored: the queue grows it again');
});

test('pools › a launch beyond max is refused with the numbers', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  const cmds = h.feed({ type: 'pool-launch', pool: 'burst', count: 4 });
  t.is(
    (records(cmds, 'pool-rejected') as Rec<'pool-rejected'>[])[0]?.message,
    'cannot launch 4: pool burst has 0 of at most 3 nodes',
  );
  t.deepEqual(orders(cmds, 'provision'), []);
});

test('pools › a drained pool holds its busy node and destroys it once empty', (t) => {
  const { h, task } = busyNode();
  const drain = h.feed({ type: 'pool-mode', pool: 'burst', action: 'drain' }, 4000);
  t.deepEqual(
    (records(drain, 'agent-held') as Rec<'agent-held'>[]).map((r) => r.hostname),
    ['burst-1'],
  );
  t.deepEqual(orders(drain, 'destroy'), []);
  h.feed(update(task as string, 'TASK_RUNNING', { agent: 1 }), 5000);
  h.feed(update(task as string, 'TASK_FINISHED', { agent: 1 }), 6000);
  t.deepEqual(orders(check(h, 10_000), 'destroy'), ['burst-1']);
});

test('pools › a node whose agent never registers is an error and destroyed', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  check(h, 0);
  booted(h, 'burst-1', 1000);
  const cmds = check(h, 61_000);
  const states = (records(cmds, 'pool-node') as Rec<'pool-node'>[]).map((r) => [r.state, r.reason]);
  t.deepEqual(states[0], ['error', 'agent not registered 61 s after the request']);
  t.deepEqual(orders(cmds, 'destroy'), ['burst-1']);
});

test('pools › a failed provision is destroyed at once; failed destroys are retried a bounded number of times', (t) => {
  const h = new Harness({ pools: [BURST], poolDestroyAttempts: 2 }).subscribe();
  check(h, 0);
  const failed = h.feed(
    { type: 'pool-result', action: 'provision', hostname: 'burst-1', ok: false, message: 'quota exceeded' },
    1000,
  );
  t.deepEqual(orders(failed, 'destroy'), ['burst-1']);
  h.feed(
    { type: 'pool-result', action: 'destroy', hostname: 'burst-1', ok: false, message: 'timeout' },
    2000,
  );
  t.deepEqual(orders(check(h, 10_000), 'destroy'), ['burst-1'], 'retried');
  const last = h.feed(
    { type: 'pool-result', action: 'destroy', hostname: 'burst-1', ok: false, message: 'timeout' },
    11_000,
  );
  t.regex(
    (records(last, 'pool-node') as Rec<'pool-node'>[])[0]?.reason ?? '',
    /destroy failed 2 times \(timeout\); remove the machine by hand/,
  );
  t.deepEqual(orders(check(h, 20_000), 'destroy'), [], 'left for an operator');
});

test('pools › with auto mode off nothing grows or shrinks by itself', (t) => {
  const h = new Harness({ pools: [BURST], autoScale: false }).subscribe();
  h.submit(spec({ id: 'crunch', cpus: 2, mem: 2048, nodetype: 'batch' }), { count: 4, kind: 'batch' });
  t.deepEqual(orders(check(h, 0), 'provision'), []);
  const on = h.feed({ type: 'auto-scale', enabled: true }, 5000);
  t.deepEqual(records(on, 'auto-scale'), [{ type: 'auto-scale', enabled: true }]);
  t.deepEqual(
    orders(check(h, 10_000), 'provision'),
    ['burst-1', 'burst-2'],
    'the floor, and one more for the queue',
  );
});

test('pools › an operator destroys a held empty node; a busy or unheld one is refused with the way out', (t) => {
  const { h, task } = busyNode();
  const unheld = records(
    h.feed({ type: 'pool-destroy', hostname: 'burst-1' }),
    'pool-rejected',
  ) as Rec<'pool-rejected'>[];
  t.is(unheld[0]?.message, 'burst-1 is not held: hold it first (PUT /workernode/burst-1/hold)');
  h.feed({ type: 'hold', hostname: 'burst-1', held: true, reason: 'maintenance' });
  const busy = records(
    h.feed({ type: 'pool-destroy', hostname: 'burst-1' }),
    'pool-rejected',
  ) as Rec<'pool-rejected'>[];
  t.regex(busy[0]?.message ?? '', /still has 1 task: wait for it to end or vacate it/);
  h.feed(update(task as string, 'TASK_RUNNING', { agent: 1 }), 4000);
  h.feed(update(task as string, 'TASK_FINISHED', { agent: 1 }), 5000);
  t.deepEqual(orders(h.feed({ type: 'pool-destroy', hostname: 'burst-1' }, 6000), 'destroy'), ['burst-1']);
  const other = records(
    h.feed({ type: 'pool-destroy', hostname: 'host-0' }),
    'pool-rejected',
  ) as Rec<'pool-rejected'>[];
  t.is(other[0]?.message, 'host-0 is not a node of any pool');
});

test('pools › a restored pool keeps its nodes and bounds; creations and destroys in flight are settled again', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 2 });
  booted(h, 'burst-1', 1000);
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  check(h, 3000);
  h.feed({ type: 'pool-mode', pool: 'burst', action: 'freeze' });
  h.feed({ type: 'hold', hostname: 'burst-1', held: true });
  h.feed({ type: 'pool-destroy', hostname: 'burst-1' });
  const view = durableView(h.state);
  const builder = new DurableBuilder();
  for (const pool of view.pools ?? []) builder.apply({ k: 'pool', pool });
  const restored = restoreState(
    makeConfig({ pools: [BURST] }),
    { ...view, pools: builder.view().pools ?? [] },
    0,
  );
  const pool = restored.pools.get('burst');
  t.like(pool, { mode: 'frozen', min: 2, max: 2, nextIndex: 3 });
  t.deepEqual(
    [...(pool?.nodes.values() ?? [])].map((n) => [n.hostname, n.phase, n.message]),
    [
      ['burst-1', 'error', 'a destroy was interrupted by a restart'],
      ['burst-2', 'booted', undefined],
    ],
  );
});

test('pools › a frozen pool keeps a failed node in error until it is restored', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  check(h, 0);
  h.feed({ type: 'pool-mode', pool: 'burst', action: 'freeze' });
  const failed = h.feed(
    { type: 'pool-result', action: 'provision', hostname: 'burst-1', ok: false, message: 'quota exceeded' },
    1000,
  );
  t.deepEqual(orders(failed, 'destroy'), []);
  t.is(h.state.pools.get('burst')?.nodes.get('burst-1')?.phase, 'error');
  t.deepEqual(orders(check(h, 10_000), 'destroy'), []);
  h.feed({ type: 'pool-mode', pool: 'burst', action: 'restore' });
  t.deepEqual(orders(check(h, 20_000), 'destroy'), ['burst-1']);
});

test('pools › a node whose agent took a task before the pool knew is held, not destroyed, and goes once empty', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 1 });
  booted(h, 'burst-1', 1000);
  const [task] = h.submit(spec({ id: 'job', cpus: 1, mem: 512, nodetype: 'batch' }), { kind: 'batch' });
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  // No pool check has seen the agent yet: the node is still `booted` when the operator deletes it.
  const cmds = h.feed({ type: 'pool-destroy', hostname: 'burst-1' }, 2500);
  t.deepEqual(orders(cmds, 'destroy'), []);
  t.is(h.state.pools.get('burst')?.nodes.get('burst-1')?.phase, 'up');
  t.true(h.state.agents.get(h.state.agentsByHostname.get('burst-1') ?? '')?.held);
  h.feed(update(task as string, 'TASK_RUNNING', { agent: 1 }), 3000);
  h.feed(update(task as string, 'TASK_FINISHED', { agent: 1 }), 4000);
  t.deepEqual(orders(check(h, 10_000), 'destroy'), ['burst-1']);
});

test('pools › a hold the pool did not place never gets a node destroyed, whatever its reason says', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 1 });
  booted(h, 'burst-1', 1000);
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  check(h, 3000);
  h.feed({ type: 'hold', hostname: 'burst-1', held: true, reason: 'pool upgrade' });
  for (let at = 10_000; at <= 200_000; at += 10_000) t.deepEqual(orders(check(h, at), 'destroy'), []);
});

test('pools › an up node whose agent is not seen for max_launch_time is an error and destroyed', (t) => {
  const h = new Harness({ pools: [{ ...BURST, min: 0 }] }).subscribe();
  h.feed({ type: 'pool-launch', pool: 'burst', count: 1 });
  booted(h, 'burst-1', 1000);
  h.feed(offersEvent(nodeOffer(1, 'burst-1')), 2000);
  check(h, 3000);
  // As after a restart: the agent is unknown and Mesos never says it was removed.
  h.state.agentsByHostname.delete('burst-1');
  check(h, 10_000);
  t.is(h.state.pools.get('burst')?.nodes.get('burst-1')?.phase, 'up');
  const cmds = check(h, 71_000);
  t.deepEqual(
    (records(cmds, 'pool-node') as Rec<'pool-node'>[]).map((r) => [r.state, r.reason]).slice(0, 1),
    [['error', 'its agent has not been seen for 61 s']],
  );
  t.deepEqual(orders(cmds, 'destroy'), ['burst-1']);
});

test('pools › tasks asking for a host port the pool does not offer grow nothing', (t) => {
  const h = new Harness({
    pools: [{ ...BURST, min: 0, template: { ...BURST.template, ports: '' } }],
  }).subscribe();
  h.submit(
    spec({
      id: 'web',
      cpus: 1,
      mem: 512,
      nodetype: 'batch',
      ports: [{ host_port: 8080, container_port: 80 }],
    }),
  );
  t.deepEqual(orders(check(h, 0), 'provision'), []);
});

test('pools › a restored pool in normal mode takes its bounds from the configuration', (t) => {
  const h = new Harness({ pools: [BURST] }).subscribe();
  check(h, 0);
  const restored = restoreState(
    makeConfig({ pools: [{ ...BURST, min: 0, max: 5 }] }),
    durableView(h.state),
    0,
  );
  t.like(restored.pools.get('burst'), { mode: 'normal', min: 0, max: 5 });
});
