import test from 'ava';
import type { AcknowledgeCall, KillCall } from '../../../src/core/mesos/v1.ts';
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

const UUID = 'jVuXL0yIRpqMq4TnAUkVPw==';

function running(): { h: Harness; id: string } {
  const h = new Harness().subscribe();
  const [id] = h.submit(spec({ id: 'svc' }));
  h.feed(offersEvent(offer(0)));
  return { h, id: id as string };
}

test('status › acknowledges an update that carries a uuid, echoing agent, task and uuid', (t) => {
  const { h, id } = running();
  const cmds = h.feed(update(id, 'TASK_RUNNING', { agent: 0, uuid: UUID }));
  const [ack] = calls(cmds, 'ACKNOWLEDGE') as AcknowledgeCall[];
  t.deepEqual(ack?.acknowledge, { agent_id: { value: agentId(0) }, task_id: { value: id }, uuid: UUID });
});

test('status › never acknowledges an update without a uuid', (t) => {
  const { h, id } = running();
  const cmds = h.feed(update(id, 'TASK_RUNNING', { agent: 0, source: 'SOURCE_MASTER' }));
  t.is(calls(cmds, 'ACKNOWLEDGE').length, 0);
  t.is(records(cmds, 'task-status').length, 1);
});

test('status › the ACK comes after the record of the update', (t) => {
  const { h, id } = running();
  const cmds = h.feed(update(id, 'TASK_RUNNING', { agent: 0, uuid: UUID }));
  const recordAt = cmds.findIndex((c) => c.type === 'record' && c.record.type === 'task-status');
  const ackAt = cmds.findIndex((c) => c.type === 'send' && c.call.type === 'ACKNOWLEDGE');
  t.true(recordAt >= 0 && ackAt > recordAt);
});

test('status › a repeated update changes nothing but is acknowledged again', (t) => {
  const { h, id } = running();
  h.feed(update(id, 'TASK_RUNNING', { agent: 0, uuid: UUID }));
  const again = h.feed(update(id, 'TASK_RUNNING', { agent: 0, uuid: UUID }));
  t.is(records(again, 'task-status').length, 0);
  t.is(calls(again, 'ACKNOWLEDGE').length, 1);
});

test('status › a service that fails is relaunched with a new id after the backoff', (t) => {
  const h = new Harness({ relaunchBackoffMs: 1000 }).subscribe();
  const [id] = h.submit(spec({ id: 'svc' }));
  h.feed(offersEvent(offer(0)), 0);
  h.feed(update(id as string, 'TASK_RUNNING', { agent: 0, uuid: UUID }), 10);
  const cmds = h.feed(update(id as string, 'TASK_FAILED', { agent: 0, uuid: UUID }), 20);
  const [sub] = records(cmds, 'task-submitted');
  t.truthy(sub);
  if (sub?.type !== 'task-submitted') return;
  t.not(sub.task, id);
  t.is(sub.origin, 'relaunch');
  t.is(sub.previous, id);
  t.is(sub.eligibleAt, 1020);
  t.is(h.state.timers.get('relaunch'), 1020);
  t.is(calls(h.feed(offersEvent(offer(0)), 500), 'ACCEPT').length, 0, 'not before the backoff');
  t.is(calls(h.feed({ type: 'timer', key: 'relaunch' }, 1020), 'ACCEPT').length, 1);
});

test('status › consecutive failures double the backoff up to the cap', (t) => {
  const h = new Harness({ relaunchBackoffMs: 1000, relaunchBackoffMaxMs: 4000 }).subscribe();
  let [id] = h.submit(spec({ id: 'crash' }));
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    h.feed(offersEvent(offer(0)), h.now + 1);
    h.feed(update(id as string, 'TASK_FAILED', { agent: 0 }), h.now + 1);
    const task = [...h.state.pending.values()][0];
    delays.push((task?.notBefore ?? 0) - h.now);
    id = task?.id;
    h.now = task?.notBefore ?? h.now;
    h.feed({ type: 'timer', key: 'relaunch' });
  }
  t.deepEqual(delays, [1000, 2000, 4000, 4000, 4000]);
});

test('status › a batch task that finishes is not relaunched', (t) => {
  const h = new Harness().subscribe();
  const [id] = h.submit(spec({ id: 'job' }), { kind: 'batch' });
  h.feed(offersEvent(offer(0)));
  const cmds = h.feed(update(id as string, 'TASK_FINISHED', { agent: 0 }));
  t.is(records(cmds, 'task-submitted').length, 0);
  t.is(h.state.pending.size, 0);
});

test('status › a failing batch task is retried a bounded number of times, then given up', (t) => {
  const h = new Harness({ batchMaxRetries: 2, relaunchBackoffMs: 1 }).subscribe();
  let [id] = h.submit(spec({ id: 'job' }), { kind: 'batch' });
  let gaveUp = 0;
  let submitted = 1;
  for (let i = 0; i < 5 && id !== undefined; i++) {
    h.feed(offersEvent(offer(0)), h.now + 10);
    const cmds = h.feed(update(id, 'TASK_FAILED', { agent: 0 }), h.now + 10);
    gaveUp += records(cmds, 'gave-up').length;
    const next = records(cmds, 'task-submitted')[0];
    submitted += next ? 1 : 0;
    id = next?.type === 'task-submitted' ? next.task : undefined;
  }
  t.is(submitted, 3, 'the first attempt and two retries');
  t.is(gaveUp, 1);
});

test('status › TASK_ERROR is not retried: the description itself is wrong', (t) => {
  const h = new Harness().subscribe();
  const [id] = h.submit(spec({ id: 'bad' }));
  h.feed(offersEvent(offer(0)));
  const cmds = h.feed(
    update(id as string, 'TASK_ERROR', { agent: 0, reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' }),
  );
  t.is(records(cmds, 'task-submitted').length, 0);
  t.is(records(cmds, 'gave-up').length, 1);
});

test('status › a live task offerlab does not know is killed', (t) => {
  const h = new Harness().subscribe();
  const cmds = h.feed(update('stranger-1', 'TASK_RUNNING', { agent: 3, uuid: UUID }));
  const [kill] = calls(cmds, 'KILL') as KillCall[];
  t.deepEqual(kill?.kill, { task_id: { value: 'stranger-1' }, agent_id: { value: agentId(3) } });
  t.is(calls(cmds, 'ACKNOWLEDGE').length, 1);
});

test('status › TASK_UNKNOWN from the master ends the task and a service is replaced', (t) => {
  const { h, id } = running();
  const cmds = h.feed(
    update(id, 'TASK_UNKNOWN', { source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' }),
  );
  t.is(h.state.tasks.get(id)?.phase, 'done');
  t.is(records(cmds, 'task-submitted').length, 1);
});

test('status › a task that comes back after being given up on is killed', (t) => {
  const { h, id } = running();
  h.feed(update(id, 'TASK_LOST', { agent: 0, source: 'SOURCE_MASTER' }));
  const cmds = h.feed(update(id, 'TASK_RUNNING', { agent: 0, uuid: UUID }));
  t.is(calls(cmds, 'KILL').length, 1);
});

test('status › an unreachable unconstrained task is replaced after the timeout, a singleton is not', (t) => {
  const h = new Harness({ unreachableTimeoutMs: 1000 }).subscribe();
  const [plain] = h.submit(spec({ id: 'plain' }));
  const [single] = h.submit(spec({ id: 'single', sla: 'singleton' }));
  h.feed(offersEvent(offer(0)), 0);
  h.feed(update(plain as string, 'TASK_UNREACHABLE', { agent: 0, source: 'SOURCE_MASTER' }), 10);
  h.feed(update(single as string, 'TASK_UNREACHABLE', { agent: 0, source: 'SOURCE_MASTER' }), 10);
  t.is(h.state.timers.get('unreachable'), 1010);
  const cmds = h.feed({ type: 'timer', key: 'unreachable' }, 1010);
  const subs = records(cmds, 'task-submitted').map((r) => (r.type === 'task-submitted' ? r.spec.id : ''));
  t.deepEqual(subs, ['plain']);
  t.is(h.state.tasks.get(single as string)?.phase, 'unreachable');
});

test('status › an agent is forgotten when the last of its tasks is reported removed, not at the first', (t) => {
  const h = new Harness({ relaunchBackoffMs: 0 }).subscribe();
  h.submit(spec({ id: 'web', mem: 64 }), { count: 2 });
  h.feed(offersEvent(offer(0)));
  const [a, b] = launched(h.last).map((l) => l.task);
  const lost = { agent: 0, reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER' } as const;
  const first = h.feed(update(a as string, 'TASK_LOST', lost));
  t.is(records(first, 'agent-removed').length, 0, 'the other task is still on the agent');
  t.true(h.state.agents.has(agentId(0)));
  const last = h.feed(update(b as string, 'TASK_LOST', lost));
  t.is(records(last, 'agent-removed').length, 1);
  t.false(h.state.agents.has(agentId(0)));
});
