import test from 'ava';
import { liveTask, serveDaemon } from '../helpers/daemon.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * The feedback loop through the daemon, against the fake master over the real protocol: the
 * daemon meters the agents' /monitor/statistics, learns what a stress task really uses, plans a
 * right-sizing reshuffle (dry run first) and applies it through the REST API.
 */
test('daemon metering › meters real usage, plans the reshuffle in a dry run, then applies it', async (t) => {
  const served = await serveDaemon({
    daemon: { meteringMs: 15_000, config: { sizing: 'p99-window', reshuffle: 'planned' } },
  });
  t.teardown(() => served.close());
  const { app, daemon } = served;
  const submitted = await app.inject({
    method: 'POST',
    url: '/client/task',
    payload: {
      id: 'stress60',
      dockerimage: 'stress',
      mem: '150',
      nodetype: 'lab',
      reshuffleable: true,
      arguments: ['--vm-bytes', '60M', '--vm', '1'],
    },
  });
  t.is(submitted.statusCode, 202);
  const view = await eventually(async () => {
    const res = await app.inject({ method: 'GET', url: '/client/intelligence/stress60' });
    const body =
      res.statusCode === 200 ? (res.json() as { samples: number; peak: { memMb: number } }) : undefined;
    return body && body.samples >= 2 ? body : undefined;
  }, 'two metered readings of stress60');
  t.is(view.peak.memMb, 60, 'what `stress --vm-bytes 60M` holds, read from /monitor/statistics');

  const dry = await app.inject({ method: 'GET', url: '/client/task/reshuffle?dry_run=true' });
  t.is(dry.statusCode, 200);
  const plan = (dry.json() as { plan: { moves: { task: string; mem: number; to: string; from: string }[] } })
    .plan;
  const old = liveTask(served, 'stress60');
  t.deepEqual(
    plan.moves.map((m) => [m.task, m.mem]),
    [[old?.id, 69]],
    'moved at its right size: 60 MB + 15 %',
  );
  t.is(old?.phase, 'running', 'a dry run changes nothing');

  const applied = await app.inject({ method: 'POST', url: '/client/task/reshuffle' });
  t.is(applied.statusCode, 202);
  const replacement = await eventually(() => {
    const task = liveTask(served, 'stress60');
    return task && task.id !== old?.id && task.phase === 'running' ? task : undefined;
  }, 'the right-sized copy to run');
  t.is(replacement.need.mem, 69);
  await eventually(
    () => (daemon.state.tasks.get(old?.id ?? '')?.phase === 'done' ? true : undefined),
    'the old copy to end',
  );
  t.is(daemon.state.reshuffleRun, undefined, 'the reshuffle finished');
});
