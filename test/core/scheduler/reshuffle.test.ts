import test from 'ava';
import type { KillCall } from '../../../src/core/mesos/v1.ts';
import { calls, Harness, launched, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';

function runningAll(h: Harness): void {
  for (const l of launched(h.all))
    h.feed(update(l.task, 'TASK_RUNNING', { agent: Number(l.agent.split('-S')[1]) }));
}

test('reshuffle › kills every running reshuffleable task except one-per-node ones and resubmits it', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'stress60', reshuffleable: true }), { count: 2 });
  h.submit(spec({ id: 'keeper' }));
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node', reshuffleable: true }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  const cmds = h.feed({ type: 'reshuffle' });
  const killed = (calls(cmds, 'KILL') as KillCall[]).map((k) => k.kill.task_id.value).sort();
  t.deepEqual(killed, ['stress60-000001', 'stress60-000002']);
  const resubmitted = records(cmds, 'task-submitted').map((r) => r.type === 'task-submitted' && r.origin);
  t.deepEqual(resubmitted, ['reshuffle', 'reshuffle']);
  const [summary] = records(cmds, 'reshuffle');
  t.deepEqual(summary?.type === 'reshuffle' && summary.moved, ['stress60-000001', 'stress60-000002']);
});

test('reshuffle › a reshuffled singleton waits until the old copy is gone', (t) => {
  const h = new Harness().subscribe();
  const [old] = h.submit(spec({ id: 'grafana', sla: 'singleton', reshuffleable: true }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  h.feed({ type: 'reshuffle' });
  t.is(launched(h.feed(offersEvent(offer(1)))).length, 0, 'old copy still live');
  const gone = h.feed(update(old as string, 'TASK_KILLED', { agent: 0 }));
  t.is(launched(gone).length, 1, 'launched on the offer already held, as soon as the old copy ended');
});

test('reshuffle › tasks that are not yet running are left alone', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'stress60', reshuffleable: true }));
  h.feed(offersEvent(offer(0)));
  t.is(calls(h.feed({ type: 'reshuffle' }), 'KILL').length, 0);
});
