import test from 'ava';
import {
  agentId,
  calls,
  Harness,
  launched,
  offer,
  offersEvent,
  records,
  spec,
  update,
} from '../../helpers/core.ts';

test('submit › plain tasks get count independent copies with unique, fixed-width ids', (t) => {
  const h = new Harness();
  const ids = h.submit(spec({ id: 'stress60' }), { count: 3 });
  t.deepEqual(ids, ['stress60-000001', 'stress60-000002', 'stress60-000003']);
});

test('submit › one-per-node creates a copy for every eligible agent, including agents that join later', (t) => {
  const h = new Harness({ idleSuppressMs: 0 }).subscribe();
  h.feed(offersEvent(offer(0, {}, { nodetype: 'lab' }), offer(1, {}, { nodetype: 'analytics' })));
  h.submit(spec({ id: 'exporter', sla: 'one-per-node', nodetype: 'lab' }));
  t.is(calls(h.last, 'REVIVE').length, 1, 'the idle framework revives and waits for the offers');
  const revived = h.feed(
    offersEvent(offer(0, {}, { nodetype: 'lab' }), offer(1, {}, { nodetype: 'analytics' })),
  );
  t.deepEqual(
    launched(revived).map((l) => l.agent),
    [agentId(0)],
  );
  const later = h.feed(offersEvent(offer(2, {}, { nodetype: 'lab' })));
  t.deepEqual(
    launched(later).map((l) => l.agent),
    [agentId(2)],
  );
  t.is(records(later, 'agent-added').length, 1);
});

test('submit › one-per-node never puts two copies on one agent', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0), offer(0)));
  h.feed(offersEvent(offer(0)));
  t.is(launched(h.all).length, 1);
});

test('submit › a one-per-node copy that fails is relaunched on its own agent', (t) => {
  const h = new Harness({ relaunchBackoffMs: 0 }).subscribe();
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0), offer(1)));
  const first = launched(h.last).find((l) => l.agent === agentId(1));
  h.feed(update(first?.task as string, 'TASK_FAILED', { agent: 1 }));
  const again = launched(h.feed(offersEvent(offer(0, { mem: 9000 }), offer(1))));
  t.deepEqual(
    again.map((l) => l.agent),
    [agentId(1)],
  );
});

test('submit › a one-per-node copy lost with its agent is not placed anywhere else', (t) => {
  const h = new Harness({ relaunchBackoffMs: 0 }).subscribe();
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0), offer(1)));
  const onOne = launched(h.last).find((l) => l.agent === agentId(1));
  const cmds = h.feed(
    update(onOne?.task as string, 'TASK_LOST', {
      agent: 1,
      reason: 'REASON_AGENT_REMOVED',
      source: 'SOURCE_MASTER',
    }),
  );
  t.is(records(cmds, 'task-submitted').length, 0);
  t.is(records(cmds, 'agent-removed').length, 1);
  t.false(h.state.agents.has(agentId(1)));
});

test('submit › a one-per-node copy queued for a removed agent is dropped with a terminal status', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'big', sla: 'one-per-node', mem: 99_999 }));
  h.feed(offersEvent(offer(0)));
  const [copy] = [...h.state.pending.keys()];
  const cmds = h.feed({
    type: 'event',
    event: { type: 'FAILURE', failure: { agent_id: { value: agentId(0) } } },
  });
  const statuses = records(cmds, 'task-status');
  t.deepEqual(
    statuses.map((r) => r.type === 'task-status' && [r.task, r.state]),
    [[copy, 'TASK_DROPPED']],
  );
  t.is(h.state.pending.size, 0);
});

test('submit › a second submission of an active singleton is refused', (t) => {
  const h = new Harness();
  h.submit(spec({ id: 'influxdb', sla: 'singleton' }));
  const ids = h.submit(spec({ id: 'influxdb', sla: 'singleton' }));
  t.deepEqual(ids, []);
  const [rejected] = records(h.last, 'submit-rejected');
  t.regex(rejected?.type === 'submit-rejected' ? rejected.message : '', /already active/);
});

test('submit › a singleton is launched once even with room on many agents', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'influxdb', sla: 'singleton' }));
  h.feed(offersEvent(offer(0), offer(1), offer(2)));
  t.is(launched(h.all).length, 1);
});

test('submit › count above one is refused for singleton and one-per-node tasks', (t) => {
  const h = new Harness();
  t.deepEqual(h.submit(spec({ id: 's', sla: 'singleton' }), { count: 2 }), []);
  t.deepEqual(h.submit(spec({ id: 'o', sla: 'one-per-node' }), { count: 2 }), []);
  t.is(records(h.all, 'submit-rejected').length, 2);
});
