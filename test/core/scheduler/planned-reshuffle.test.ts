import test from 'ava';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
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

/**
 * host-0 runs a big task that stays; host-1 runs one small reshuffleable task: consolidating
 * empties host-1 by moving it next to the big one.
 */
function twoAgents(): { h: Harness; small: string; big: string } {
  const h = new Harness({ reshuffleWaveTimeoutMs: 60_000 }).subscribe();
  const [big] = h.submit(spec({ id: 'big', mem: 700 }));
  h.feed(offersEvent(offer(0, { mem: 1000 })), 10);
  const [small] = h.submit(spec({ id: 'small', mem: 100, reshuffleable: true }));
  h.feed(offersEvent(offer(1, { mem: 1000 })), 20);
  for (const l of launched(h.all))
    h.feed(
      update(l.task, 'TASK_RUNNING', { agent: l.agent === agentId(0) ? 0 : 1, uuid: `u-${l.task}` }),
      30,
    );
  if (big === undefined || small === undefined) throw new Error('nothing submitted');
  return { h, small, big };
}

function recordOf<T extends SchedulerRecord['type']>(rs: SchedulerRecord[], type: T) {
  return rs.find((r) => r.type === type) as Extract<SchedulerRecord, { type: T }> | undefined;
}

test('planned reshuffle › a dry run records the plan and changes nothing', (t) => {
  const { h, small } = twoAgents();
  const cmds = h.feed({ type: 'reshuffle', strategy: 'consolidate', dryRun: true }, 1000);
  const plan = recordOf(records(cmds), 'reshuffle-plan');
  t.true(plan?.dryRun);
  t.deepEqual(
    plan?.plan.moves.map((m) => [m.task, m.to]),
    [[small, agentId(0)]],
  );
  t.deepEqual(plan?.plan.expected.agentsEmptied, [agentId(1)]);
  t.is(calls(cmds, 'KILL').length, 0);
  t.is(records(cmds, 'task-submitted').length, 0);
});

test('planned reshuffle › reserve first: the replacement runs on its destination before the old copy is killed', (t) => {
  const { h, small } = twoAgents();
  const start = h.feed({ type: 'reshuffle', strategy: 'consolidate' }, 1000);
  t.is(calls(start, 'KILL').length, 0, 'nothing is killed before the replacement runs');
  const submitted = records(start, 'task-submitted')[0];
  t.is(
    submitted?.type === 'task-submitted' ? submitted.agent : undefined,
    agentId(0),
    'pinned to the destination',
  );
  const replacement = submitted?.type === 'task-submitted' ? submitted.task : '';
  const placed = h.feed(offersEvent(offer(0, { mem: 300 })), 2000);
  t.deepEqual(launched(placed), [{ task: replacement, agent: agentId(0) }]);
  const running = h.feed(update(replacement, 'TASK_RUNNING', { agent: 0, uuid: 'r1' }), 3000);
  t.deepEqual(
    calls(running, 'KILL').map((c) => (c.type === 'KILL' ? c.kill.task_id.value : '')),
    [small],
    'now the old copy goes',
  );
  const ended = h.feed(update(small, 'TASK_KILLED', { agent: 1, uuid: 'k1' }), 4000);
  const finished = recordOf(records(ended), 'reshuffle-finished');
  t.true(finished?.complete);
  t.deepEqual(finished?.moved, [small]);
  t.is(h.state.reshuffleRun, undefined);
  t.is(records(ended, 'task-submitted').length, 0, 'the killed copy is not relaunched');
});

test('planned reshuffle › a wave that does not complete in time stops it; the old copy keeps running', (t) => {
  const { h, small } = twoAgents();
  const start = h.feed({ type: 'reshuffle', strategy: 'consolidate' }, 1000);
  const submitted = records(start, 'task-submitted')[0];
  const replacement = submitted?.type === 'task-submitted' ? submitted.task : '';
  t.is(h.state.timers.get('reshuffle-wave'), 61_000);
  const timeout = h.feed({ type: 'timer', key: 'reshuffle-wave' }, 61_000);
  const finished = recordOf(records(timeout), 'reshuffle-finished');
  t.false(finished?.complete);
  t.regex(finished?.reason ?? '', /did not complete in 60 s/);
  t.is(h.state.tasks.get(replacement)?.phase, 'done', 'the unplaced replacement is withdrawn');
  t.is(h.state.tasks.get(small)?.phase, 'running');
  t.is(calls(timeout, 'KILL').length, 0);
});

test('planned reshuffle › a replacement that fails stops the reshuffle before any old copy is lost', (t) => {
  const { h, small } = twoAgents();
  const start = h.feed({ type: 'reshuffle', strategy: 'consolidate' }, 1000);
  const submitted = records(start, 'task-submitted')[0];
  const replacement = submitted?.type === 'task-submitted' ? submitted.task : '';
  h.feed(offersEvent(offer(0, { mem: 300 })), 2000);
  const failed = h.feed(update(replacement, 'TASK_FAILED', { agent: 0, uuid: 'f1' }), 3000);
  t.false(recordOf(records(failed), 'reshuffle-finished')?.complete);
  t.is(h.state.tasks.get(small)?.phase, 'running');
  t.is(calls(failed, 'KILL').length, 0);
  t.deepEqual(
    [...h.state.pending.values()].map((x) => x.id),
    [],
    'no relaunch of the failed replacement is left to make a second copy',
  );
});

test('planned reshuffle › an unknown strategy is reported, and Charmander stays the default', (t) => {
  const { h } = twoAgents();
  const bad = h.feed({ type: 'reshuffle', strategy: 'shuffle-everything' }, 1000);
  t.regex(recordOf(records(bad), 'error')?.message ?? '', /unknown reshuffle strategy "shuffle-everything"/);
  const charmander = h.feed({ type: 'reshuffle' }, 2000);
  t.is(recordOf(records(charmander), 'reshuffle')?.strategy, 'charmander');
});
