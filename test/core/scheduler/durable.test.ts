import test from 'ava';
import { makeConfig } from '../../../src/core/scheduler/config.ts';
import { durableView, restoreState } from '../../../src/core/scheduler/durable.ts';
import { intelligenceView } from '../../../src/core/scheduler/intelligence.ts';
import { step } from '../../../src/core/scheduler/step.ts';
import {
  calls,
  event,
  FW,
  Harness,
  launched,
  offer,
  offersEvent,
  records,
  spec,
  update,
} from '../../helpers/core.ts';

/** A scheduler with queued, running, killed and one-per-node tasks, a hold and a framework id. */
function busyHarness(): Harness {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'web' }), { count: 3 });
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.submit(spec({ id: 'db', sla: 'singleton' }));
  h.feed(offersEvent(offer(0, { mem: 200 }), offer(1, { mem: 200 })));
  for (const l of launched(h.all)) {
    h.feed(update(l.task, 'TASK_RUNNING', { agent: Number(l.agent.split('-S')[1]), uuid: `u-${l.task}` }));
  }
  h.feed({ type: 'kill', prefix: 'cadvisor-' });
  h.feed({ type: 'hold', hostname: 'host-1', held: true, reason: 'maintenance' });
  h.submit(spec({ id: 'late', mem: 99_999 }));
  return h;
}

test('durable › a restored state has the same durable view as the one it came from', (t) => {
  const h = busyHarness();
  const view = durableView(h.state);
  t.true(view.tasks.some((task) => task.phase === 'running'));
  t.true(view.tasks.some((task) => task.phase === 'pending'));
  const restored = restoreState(h.state.config, JSON.parse(JSON.stringify(view)), 0);
  t.deepEqual(durableView(restored), view);
  t.is(restored.framework.id, FW);
  t.is(restored.nextSeq, h.state.nextSeq);
  t.is(restored.holds.get('host-1'), 'maintenance');
});

test('durable › restored launched tasks count against their agent when it offers again', (t) => {
  const h = busyHarness();
  const restored = restoreState(h.state.config, durableView(h.state), 0);
  step(restored, { type: 'connected' }, { now: 1, random: h.random });
  step(
    restored,
    event({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: FW }, heartbeat_interval_seconds: 15 },
    }),
    { now: 2, random: h.random },
  );
  const running = [...restored.tasks.values()].filter((task) => task.phase === 'running');
  t.true(running.length > 0);
  const agent0 = running.filter((task) => task.agentId === 'm1-S0');
  t.true(restored.awaitingAgent.has('m1-S0'));
  step(restored, offersEvent(offer(0, { mem: 10 })), { now: 5, random: h.random });
  const agent = restored.agents.get('m1-S0');
  t.is(agent?.taskIds.size, agent0.length);
  t.is(
    agent?.used.mem,
    agent0.reduce((sum, task) => sum + task.need.mem, 0),
  );
  t.false(restored.awaitingAgent.has('m1-S0'));
});

test('durable › after a restart, reconciliation asks about every launched task with its agent', (t) => {
  const h = busyHarness();
  const restored = restoreState(h.state.config, durableView(h.state), 0);
  const cmds = [
    ...step(restored, { type: 'connected' }, { now: 0, random: h.random }),
    ...step(
      restored,
      event({
        type: 'SUBSCRIBED',
        subscribed: { framework_id: { value: FW }, heartbeat_interval_seconds: 15 },
      }),
      { now: 1, random: h.random },
    ),
  ];
  const subscribe = calls(cmds, 'SUBSCRIBE')[0];
  t.is(
    subscribe?.type === 'SUBSCRIBE' ? subscribe.framework_id?.value : undefined,
    FW,
    'resubscribes with the same id',
  );
  const asked = calls(cmds, 'RECONCILE').flatMap((c) =>
    c.type === 'RECONCILE' ? (c.reconcile.tasks ?? []) : [],
  );
  const live = [...restored.tasks.values()].filter(
    (task) => task.phase !== 'pending' && task.phase !== 'done',
  );
  t.deepEqual(asked.map((a) => a.task_id.value).sort(), live.map((task) => task.id).sort());
  t.true(asked.every((a) => a.agent_id !== undefined));
});

test('durable › queued tasks come back queued and ended tasks beyond the history limit are dropped', (t) => {
  const h = busyHarness();
  h.submit(spec({ id: 'gone', mem: 99_999 }), { count: 2 });
  h.feed({ type: 'kill', prefix: 'gone' });
  const view = durableView(h.state);
  t.true(view.tasks.filter((x) => x.phase === 'done').length >= 2);
  const small = makeConfig({ historyLimit: 1 });
  const restored = restoreState(small, view, 0);
  t.deepEqual(
    [...restored.pending.keys()],
    view.tasks.filter((x) => x.phase === 'pending').map((x) => x.id),
  );
  t.is([...restored.tasks.values()].filter((x) => x.phase === 'done').length, 1);
});

/** A right-sizing scheduler with metered usage, overrides and sized, relaunched and SLA-overridden tasks. */
function sizedHarness(): Harness {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  const [first] = h.submit(spec({ id: 'stress60', mem: 100 }));
  h.feed({ type: 'intelligence-set', id: 'db', overrides: { sla: 'singleton', nodename: 'host-0' } });
  h.submit(spec({ id: 'db' }));
  h.feed(offersEvent(offer(0)));
  for (const l of launched(h.all)) h.feed(update(l.task, 'TASK_RUNNING', { agent: 0 }));
  for (const mb of [50, 60, 58])
    h.feed({ type: 'usage', samples: [{ task: first as string, memMb: mb, cpus: 0.3 }] });
  h.feed(update(first as string, 'TASK_FAILED', { agent: 0 }));
  h.feed({ type: 'intelligence-set', id: 'web', overrides: { mem: 32 } });
  return h;
}

test('durable › task intelligence and sized tasks survive a restart', (t) => {
  const h = sizedHarness();
  const view = durableView(h.state);
  t.deepEqual(
    view.intelligence?.map((e) => e.id),
    ['db', 'stress60', 'web'],
  );
  const relaunch = view.tasks.find((x) => x.origin === 'relaunch');
  t.is(relaunch?.spec.mem, 69);
  t.is(relaunch?.requested?.mem, 100);
  t.is(view.families.find((f) => f.specId === 'db')?.requested?.sla, undefined);
  const restored = restoreState(h.state.config, JSON.parse(JSON.stringify(view)), 0);
  t.deepEqual(durableView(restored), view);
  t.deepEqual(intelligenceView(restored), intelligenceView(h.state));
  const again = step(
    restored,
    { type: 'submit', spec: spec({ id: 'stress60', mem: 100 }), kind: 'service' },
    {
      now: 1,
      random: h.random,
    },
  );
  t.deepEqual(
    records(again, 'task-submitted').map((r) => r.type === 'task-submitted' && r.spec.mem),
    [69],
    'sized the same after the restart',
  );
});

test('durable › a snapshot written before task intelligence existed restores with none', (t) => {
  const h = busyHarness();
  const { intelligence: _, ...old } = durableView(h.state);
  const restored = restoreState(h.state.config, old, 0);
  t.is(restored.intelligence.size, 0);
  t.true([...restored.tasks.values()].every((task) => task.requested === task.spec));
});
