import test from 'ava';
import type { ReconcileCall, SubscribeCall } from '../../../src/core/mesos/v1.ts';
import {
  agentId,
  calls,
  event,
  FW,
  Harness,
  offer,
  offersEvent,
  records,
  spec,
  update,
} from '../../helpers/core.ts';

test('step › the first SUBSCRIBE carries a complete FrameworkInfo and no framework id', (t) => {
  const h = new Harness({ principal: 'lab', hostname: 'sched-1' });
  const [sub] = calls(h.feed({ type: 'connected' }), 'SUBSCRIBE') as SubscribeCall[];
  t.is(sub?.framework_id, undefined);
  const info = sub?.subscribe.framework_info;
  t.is(info?.name, 'offerlab');
  t.is(info?.user, 'root');
  t.deepEqual(info?.roles, ['*']);
  t.is(info?.failover_timeout, 604800);
  t.true(info?.checkpoint);
  t.is(info?.principal, 'lab');
  t.deepEqual(
    info?.capabilities?.map((c) => c.type),
    ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'],
  );
});

test('step › a resubscription carries the framework id at the top level and in the FrameworkInfo', (t) => {
  const h = new Harness({}, FW);
  const [sub] = calls(h.feed({ type: 'connected' }), 'SUBSCRIBE') as SubscribeCall[];
  t.is(sub?.framework_id?.value, FW);
  t.is(sub?.subscribe.framework_info.id?.value, FW);
});

test('step › after every subscription, launched tasks are reconciled explicitly with their agents', (t) => {
  const h = new Harness({ reconcileBackoffMs: 1000 }).subscribe();
  const [id] = h.submit(spec({ id: 'svc' }));
  h.feed(offersEvent(offer(0)), 0);
  h.feed({ type: 'disconnected', reason: 'stream cut' }, 10);
  t.is(h.state.offers.size, 0, 'offers die with the subscription');
  h.feed({ type: 'connected' }, 20);
  const cmds = h.feed(event({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: FW } } }), 30);
  const [rec] = calls(cmds, 'RECONCILE') as ReconcileCall[];
  t.deepEqual(rec?.reconcile.tasks, [{ task_id: { value: id as string }, agent_id: { value: agentId(0) } }]);
  t.false(h.state.reconciled);
  t.is(h.state.timers.get('reconcile'), 1030);
  const again = h.feed({ type: 'timer', key: 'reconcile' }, 1030);
  t.is(calls(again, 'RECONCILE').length, 1, 'no answer yet: ask again');
  const done = h.feed(
    update(id as string, 'TASK_RUNNING', {
      agent: 0,
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
    }),
    1100,
  );
  t.true(h.state.reconciled);
  t.is(records(done, 'reconciled').length, 1);
});

test('step › the master removing the framework is fatal', (t) => {
  const h = new Harness().subscribe();
  const cmds = h.feed(event({ type: 'ERROR', error: { message: 'Framework has been removed' } }));
  t.true(cmds.some((c) => c.type === 'fatal'));
});

test('step › "Framework failed over" ends the subscription without being fatal', (t) => {
  const h = new Harness().subscribe();
  const cmds = h.feed(event({ type: 'ERROR', error: { message: 'Framework failed over' } }));
  t.false(cmds.some((c) => c.type === 'fatal'));
  t.false(h.state.framework.subscribed);
});

test('step › an agent FAILURE removes the agent from placement', (t) => {
  const h = new Harness().subscribe();
  h.feed(offersEvent(offer(0)));
  const cmds = h.feed(event({ type: 'FAILURE', failure: { agent_id: { value: agentId(0) } } }));
  t.is(records(cmds, 'agent-removed').length, 1);
  t.is(h.state.index.size, 0);
});

test('step › an executor FAILURE does not remove the agent', (t) => {
  const h = new Harness().subscribe();
  h.feed(offersEvent(offer(0)));
  h.feed(
    event({
      type: 'FAILURE',
      failure: { agent_id: { value: agentId(0) }, executor_id: { value: 'e' }, status: 256 },
    }),
  );
  t.true(h.state.agents.has(agentId(0)));
});
