import test from 'ava';
import { makeConfig } from '../../../src/core/scheduler/config.ts';
import { durableView, restoreState } from '../../../src/core/scheduler/durable.ts';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
import { type JobSpec, parseJobSpec } from '../../../src/core/spec/job-spec.ts';
import { Harness, launched, offer, offersEvent, records, update } from '../../helpers/core.ts';

function job(raw: Record<string, unknown>): JobSpec {
  const r = parseJobSpec({ id: 'etl', dockerimage: 'busybox', cmd: 'sleep 5', mem: 64, ...raw });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.job;
}

type Rec<T extends SchedulerRecord['type']> = Extract<SchedulerRecord, { type: T }>;

function waveTasks(h: Harness): string[] {
  const waves = records(h.all, 'job-wave') as Rec<'job-wave'>[];
  return waves.at(-1)?.tasks ?? [];
}

/** Runs every launched copy to RUNNING then FINISHED. */
function finish(h: Harness, ids: readonly string[], at: number): void {
  for (const id of ids) h.feed(update(id, 'TASK_RUNNING', { agent: 0 }), at);
  for (const id of ids) h.feed(update(id, 'TASK_FINISHED', { agent: 0 }), at);
}

test('jobs › a job starts a wave of maxtasks batch copies at once', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 3, total: 7 }) });
  const ids = waveTasks(h);
  t.deepEqual(ids, ['etl-000001', 'etl-000002', 'etl-000003']);
  t.true(ids.every((id) => h.state.tasks.get(id)?.kind === 'batch' && h.state.tasks.get(id)?.job === 'etl'));
  t.like(h.state.jobs.get('etl'), { status: 'running', waves: 1, started: 3 });
});

test('jobs › the next wave starts wait after the last copy of a wave ended, never before', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 2, total: 3, wait: 60 }) }, 0);
  h.feed(offersEvent(offer(0)), 1000);
  const first = waveTasks(h);
  finish(h, first.slice(0, 1), 5000);
  t.is((records(h.all, 'job-wave') as Rec<'job-wave'>[]).length, 1, 'one copy still runs: no new wave');
  finish(h, first.slice(1), 9000);
  const waiting = records(h.last, 'job-waiting') as Rec<'job-waiting'>[];
  t.deepEqual(
    waiting.map((w) => [w.at, w.succeeded]),
    [[69_000, 2]],
  );
  t.deepEqual(
    h.last
      .filter((c) => c.type === 'set-timer' && c.key === 'job:etl')
      .map((c) => c.type === 'set-timer' && c.at),
    [69_000],
  );
  h.feed({ type: 'timer', key: 'job:etl' }, 69_000);
  const second = waveTasks(h);
  t.deepEqual(second, ['etl-000003'], 'the last wave is what is left of the total');
});

test('jobs › a failed copy is retried as the same copy; the job is not failed by it', (t) => {
  const h = new Harness({ relaunchBackoffMs: 1000 }).subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1, total: 1 }) });
  h.feed(offersEvent(offer(0)), 1000);
  const [first] = waveTasks(h);
  h.feed(update(first as string, 'TASK_FAILED', { agent: 0 }), 2000);
  const retry = (records(h.last, 'task-submitted') as Rec<'task-submitted'>[])[0];
  t.like(retry, { origin: 'relaunch', previous: first, job: 'etl' });
  const j = h.state.jobs.get('etl');
  t.deepEqual([...(j?.active ?? [])], [retry?.task]);
  t.is(j?.failed, 0);
  t.is(j?.status, 'running');
});

test('jobs › a copy whose retries run out counts as failed and the job goes on to its total', (t) => {
  const h = new Harness({ batchMaxRetries: 0 }).subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1, total: 2, wait: 0 }) });
  h.feed(offersEvent(offer(0)), 1000);
  h.feed(update(waveTasks(h)[0] as string, 'TASK_FAILED', { agent: 0 }), 2000);
  t.like(h.state.jobs.get('etl'), { failed: 1, status: 'waiting' });
  h.feed({ type: 'timer', key: 'job:etl' }, 2000);
  h.feed(offersEvent(offer(0)), 2500);
  finish(h, waveTasks(h), 3000);
  const ended = records(h.all, 'job-ended') as Rec<'job-ended'>[];
  t.deepEqual(ended, [{ type: 'job-ended', job: 'etl', status: 'completed', succeeded: 1, failed: 1 }]);
});

test('jobs › deleting a job kills its copies and starts no further wave', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 2 }) });
  h.feed(offersEvent(offer(0)), 1000);
  t.is(launched(h.last).length, 2);
  const cmds = h.feed({ type: 'job-delete', id: 'etl' }, 2000);
  t.is(records(cmds, 'kill-requested').length, 2);
  t.like(h.state.jobs.get('etl'), { status: 'deleted' });
  for (const id of waveTasks(h)) h.feed(update(id, 'TASK_KILLED', { agent: 0 }), 3000);
  t.is((records(h.all, 'job-wave') as Rec<'job-wave'>[]).length, 1);
  t.false(h.state.timers.has('job:etl'));
});

test('jobs › a second job with a running job’s id is refused; an unknown job cannot be deleted', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({}) });
  const again = records(
    h.feed({ type: 'job-submit', job: job({}) }),
    'job-rejected',
  ) as Rec<'job-rejected'>[];
  t.regex(again[0]?.message ?? '', /job "etl" is running; delete it first/);
  const unknown = records(
    h.feed({ type: 'job-delete', id: 'nope' }),
    'job-rejected',
  ) as Rec<'job-rejected'>[];
  t.is(unknown[0]?.message, 'no job named "nope"');
});

test('jobs › a restored waiting job waits a whole period again and keeps its counts', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1, total: 3, wait: 30 }) });
  h.feed(offersEvent(offer(0)), 1000);
  finish(h, waveTasks(h), 2000);
  const restored = restoreState(makeConfig(), durableView(h.state), 500);
  t.like(restored.jobs.get('etl'), { status: 'waiting', succeeded: 1, started: 1, nextWaveAt: 30_500 });
});

test('jobs › a restored running job whose copies all ended goes on as if its wave had just ended', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1, total: 1, wait: 30 }) });
  h.feed(offersEvent(offer(0)), 1000);
  const view = durableView(h.state);
  // The copy ended, but the job's own entry was not written before the stop.
  for (const task of view.tasks) task.phase = 'done';
  const restored = restoreState(makeConfig(), view, 0);
  t.like(restored.jobs.get('etl'), { status: 'completed' });
});

test('jobs › a restored job adopts its copies in flight but not those of a deleted job of the same id', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1 }) });
  h.feed(offersEvent(offer(0)), 1000);
  const [old] = waveTasks(h);
  h.feed({ type: 'job-delete', id: 'etl' }, 2000);
  h.feed({ type: 'job-submit', job: job({ maxtasks: 1 }) }, 3000);
  const [fresh] = waveTasks(h);
  const restored = restoreState(makeConfig(), durableView(h.state), 0);
  t.deepEqual([...(restored.jobs.get('etl')?.active ?? [])], [fresh]);
  t.not(old, fresh);
});
