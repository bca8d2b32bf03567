import test from 'ava';
import type { KillCall } from '../../../src/core/mesos/v1.ts';
import { calls, Harness, launched, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';

test('kill › kills every non-terminal task whose id starts with the prefix', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'stress60' }), { count: 2 });
  h.submit(spec({ id: 'probe' }));
  h.feed(offersEvent(offer(0)));
  const cmds = h.feed({ type: 'kill', prefix: 'stress' });
  const kills = calls(cmds, 'KILL') as KillCall[];
  t.deepEqual(
    kills.map((k) => k.kill.task_id.value),
    ['stress60-000001', 'stress60-000002'],
  );
  t.is(records(cmds, 'kill-requested').length, 2);
});

test('kill › a full task id kills exactly that task', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'w' }), { count: 12 });
  h.feed(offersEvent(offer(0, { mem: 99_999, cpus: 99 })));
  const kills = calls(h.feed({ type: 'kill', prefix: 'w-000001' }), 'KILL') as KillCall[];
  t.deepEqual(
    kills.map((k) => k.kill.task_id.value),
    ['w-000001'],
  );
});

test('kill › a queued task is withdrawn with TASK_KILLED, no call to Mesos', (t) => {
  const h = new Harness();
  const [id] = h.submit(spec({ id: 'q' }));
  const cmds = h.feed({ type: 'kill', prefix: 'q' });
  t.is(calls(cmds, 'KILL').length, 0);
  t.deepEqual(
    records(cmds, 'task-status').map((r) => r.type === 'task-status' && [r.task, r.state]),
    [[id, 'TASK_KILLED']],
  );
  t.is(h.state.pending.size, 0);
});

test('kill › a killed service is not relaunched when TASK_KILLED arrives', (t) => {
  const h = new Harness().subscribe();
  const [id] = h.submit(spec({ id: 'svc' }));
  h.feed(offersEvent(offer(0)));
  h.feed({ type: 'kill', prefix: 'svc' });
  const cmds = h.feed(update(id as string, 'TASK_KILLED', { agent: 0 }));
  t.is(records(cmds, 'task-submitted').length, 0);
});

test('kill › killing a one-per-node task by its name retires it: later agents get no copy', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0)));
  h.feed({ type: 'kill', prefix: 'cadvisor' });
  const later = h.feed(offersEvent(offer(1)));
  t.is(launched(later).length, 0);
  t.is(records(later, 'task-submitted').length, 0);
});

test('kill › killing one one-per-node copy keeps that agent free of it, others continue', (t) => {
  const h = new Harness({ relaunchBackoffMs: 0 }).subscribe();
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0), offer(1)));
  const [first] = launched(h.last);
  h.feed({ type: 'kill', prefix: first?.task as string });
  const cmds = h.feed(update(first?.task as string, 'TASK_KILLED', { agent: 0 }));
  t.is(records(cmds, 'task-submitted').length, 0);
  t.is(launched(h.feed(offersEvent(offer(0), offer(2)))).length, 1, 'only the new agent 2 gets a copy');
});

test('kill › an unanswered kill is sent again after the retry interval', (t) => {
  const h = new Harness({ killRetryMs: 1000 }).subscribe();
  h.submit(spec({ id: 'svc' }));
  h.feed(offersEvent(offer(0)), 0);
  h.feed({ type: 'kill', prefix: 'svc' }, 10);
  t.is(h.state.timers.get('kill-retry'), 1010);
  const cmds = h.feed({ type: 'timer', key: 'kill-retry' }, 1010);
  t.is(calls(cmds, 'KILL').length, 1);
  t.is(records(cmds, 'kill-requested').length, 0, 'the kill is recorded once');
});

test('kill › vacate kills every task on the agent', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'w' }), { count: 2 });
  h.feed(offersEvent(offer(0)));
  t.is(calls(h.feed({ type: 'vacate', hostname: 'host-0' }), 'KILL').length, 2);
});
