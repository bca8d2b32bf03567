import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { LightMyRequestResponse } from 'fastify';
import type { JobView } from '../../../src/api/routes/jobs.ts';
import type { HubEvent } from '../../../src/daemon/event-hub.ts';
import { endsLife } from '../../../src/trace/invariants.ts';
import { request, type Served, serveDaemon } from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

/**
 * ETL jobs (`POST/GET/DELETE /job`) against a daemon on a fake master running 20× the wall
 * clock: a copy whose command is `sleep N` runs N simulated seconds and finishes. One daemon for
 * the file, every test with job ids of its own; the restart gets a durable daemon of its own.
 */

let lab: Served;
test.before(async () => {
  lab = await serveDaemon();
});
test.after.always(async () => {
  await lab?.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, served: Served = lab) =>
  request(served, method, url, payload);

interface Copy {
  id: string;
  phase: string;
  state: string | null;
  hostname: string | null;
  failures: number;
}

async function job(id: string, served: Served = lab): Promise<JobView & { copies: Copy[] }> {
  const res = await call('GET', `/job/${id}`, undefined, served);
  if (res.statusCode !== 200) throw new Error(`GET /job/${id}: ${res.statusCode} ${res.body}`);
  return res.json() as JobView & { copies: Copy[] };
}

function message(res: LightMyRequestResponse): string {
  return (res.json() as { message: string }).message;
}

/**
 * Follows a job's copies on the daemon's event hub: how many are launched and not yet ended at
 * most, and how many finished.
 */
function watchCopies(served: Served, jobId: string) {
  const copies = new Set<string>();
  const live = new Set<string>();
  const seen = { peak: 0, launched: 0, finished: 0 };
  const stop = served.daemon.hub.subscribe((e: HubEvent) => {
    const r = e.record;
    if (r.type === 'task-submitted' && r.job === jobId) copies.add(r.task);
    else if (r.type === 'task-launched' && copies.has(r.task)) {
      live.add(r.task);
      seen.launched++;
      seen.peak = Math.max(seen.peak, live.size);
    } else if (r.type === 'task-status' && copies.has(r.task) && endsLife(r.state)) {
      live.delete(r.task);
      if (r.state === 'TASK_FINISHED') seen.finished++;
    }
  });
  return { seen, copies, stop };
}

const TASK = { dockerimage: 'busybox', cpus: 0.1 };

test.serial('jobs › POST /job takes numeric strings and answers 202 with the job', async (t) => {
  const watch = watchCopies(lab, 'etl-a');
  t.teardown(watch.stop);
  const res = await call('POST', '/job', {
    id: 'etl-a',
    ...TASK,
    mem: '64',
    cmd: 'sleep 1',
    maxtasks: '2',
    wait: '0',
    total: '4',
  });
  t.is(res.statusCode, 202);
  const body = res.json() as { code: number; message: string; job: JobView };
  t.is(body.code, 202);
  t.is(body.message, 'Run job: etl-a');
  t.like(body.job, {
    id: 'etl-a',
    status: 'running',
    maxtasks: 2,
    wait: 0,
    total: 4,
    waves: 1,
    started: 2,
    succeeded: 0,
    failed: 0,
    remaining: 2,
    next_wave_at: null,
    ended_at: null,
    task: { id: 'etl-a', dockerimage: 'busybox', mem: 64, cpus: 0.1, cmd: 'sleep 1' },
  });
  t.is(body.job.running + body.job.queued, 2, 'the first wave is in flight');
  t.regex(String(body.job.submitted_at), /^\d{4}-\d\d-\d\dT/);

  const done = await eventually(async () => {
    const view = await job('etl-a');
    return view.status === 'completed' ? view : undefined;
  }, 'etl-a to complete');
  t.like(done, {
    status: 'completed',
    total: 4,
    waves: 2,
    started: 4,
    succeeded: 4,
    failed: 0,
    remaining: 0,
    running: 0,
    queued: 0,
    copies: [],
  });
  t.regex(String(done.ended_at), /^\d{4}-\d\d-\d\dT/);
  t.is(watch.copies.size, 4, 'four copies, none retried');
  t.is(watch.seen.launched, 4);
  t.is(watch.seen.finished, 4);
  t.true(watch.seen.peak <= 2, `at most maxtasks copies at once, saw ${watch.seen.peak}`);
  t.is(watch.seen.peak, 2, 'a wave runs maxtasks copies together');

  // A completed job may be run again under its id.
  const again = await call('POST', '/job', {
    id: 'etl-a',
    ...TASK,
    mem: 64,
    cmd: 'sleep 1',
    total: 1,
    wait: 0,
  });
  t.is(again.statusCode, 202);
  await eventually(
    async () => ((await job('etl-a')).status === 'completed' ? true : undefined),
    'etl-a again',
  );
});

test.serial('jobs › POST /job of an id that is running is a 409; GET /job lists it', async (t) => {
  const spec = { id: 'etl-b', ...TASK, mem: 32, cmd: 'sleep 600', maxtasks: 1, wait: '0' };
  t.is((await call('POST', '/job', spec)).statusCode, 202);
  try {
    const dup = await call('POST', '/job', { ...spec, maxtasks: 3 });
    t.is(dup.statusCode, 409);
    t.deepEqual(dup.json(), {
      code: 409,
      message: 'job "etl-b" is running; delete it first (DELETE /job/etl-b)',
    });
    t.is((await job('etl-b')).maxtasks, 1, 'the running job is untouched');

    const list = (await call('GET', '/job')).json() as JobView[];
    const listed = list.find((j) => j.id === 'etl-b');
    t.like(listed, { id: 'etl-b', status: 'running', maxtasks: 1, total: null, remaining: null });
    t.deepEqual(Object.keys(listed ?? {}).sort(), [
      'ended_at',
      'failed',
      'id',
      'maxtasks',
      'next_wave_at',
      'queued',
      'remaining',
      'running',
      'started',
      'status',
      'submitted_at',
      'succeeded',
      'task',
      'total',
      'wait',
      'waves',
    ]);
    t.is((await call('GET', '/job?status=running')).statusCode, 400);
  } finally {
    await call('DELETE', '/job/etl-b');
  }
});

test.serial('jobs › POST /job answers a bad job with a 400 naming the field', async (t) => {
  const base = { id: 'etl-bad', ...TASK, mem: 32, cmd: 'sleep 1' };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'maxtasks two',
      { ...base, maxtasks: 'two' },
      /^maxtasks must be a whole number from 1 to 10000, got "two"$/,
    ],
    ['maxtasks 0', { ...base, maxtasks: 0 }, /^maxtasks must be a whole number from 1 to 10000, got 0$/],
    ['maxtasks 1.5', { ...base, maxtasks: '1.5' }, /^maxtasks must be a whole number/],
    ['maxtasks 10001', { ...base, maxtasks: 10_001 }, /^maxtasks must be a whole number/],
    [
      'wait -1',
      { ...base, wait: -1 },
      /^wait must be seconds \(0 to 2147483\) or a duration like "90s", got -1$/,
    ],
    ['total 0', { ...base, total: '0' }, /^total must be a whole number, 1 or more, got "0"$/],
    [
      'unknown field',
      { ...base, colour: 'blue' },
      /^unknown field "colour" \(known fields: id, dockerimage, .*, cmd, maxtasks, wait, total\)$/,
    ],
    [
      'cmd with arguments',
      { ...base, arguments: ['-c', 'true'] },
      /^cmd \(a shell command\) and arguments \(for the image entrypoint\) cannot be used together$/,
    ],
    [
      'sla',
      { ...base, sla: 'singleton' },
      /^a job's copies run to completion and cannot have an sla, got "singleton"$/,
    ],
    ['no id', { ...TASK, mem: 32 }, /^id is required$/],
    ['mem', { ...base, mem: 'lots' }, /mem/],
  ];
  for (const [name, body, expected] of cases) {
    const res = await call('POST', '/job', body);
    t.is(res.statusCode, 400, name);
    t.regex(message(res), expected, name);
  }
  const two = await call('POST', '/job', { ...base, maxtasks: 0, total: -1 });
  t.is(two.statusCode, 400);
  t.regex(message(two), /^maxtasks must .*; total must /, 'every problem is named');
  const array = await call('POST', '/job', [base]);
  t.is(array.statusCode, 400);
  t.regex(message(array), /^a job must be a JSON object/);
  const query = await call('POST', '/job?dry=1', base);
  t.is(query.statusCode, 400);
  t.regex(message(query), /^unexpected query parameters: dry/);
  t.is(lab.daemon.state.jobs.get('etl-bad'), undefined, 'nothing was started');
  t.false((await call('GET', '/job')).json<JobView[]>().some((j) => j.id === 'etl-bad'));
});

test.serial(
  'jobs › GET /job/<id> shows the copies in flight; DELETE /job/<id> stops a job without total and kills them',
  async (t) => {
    const res = await call('POST', '/job', {
      id: 'etl-c',
      ...TASK,
      mem: 32,
      cmd: 'sleep 600',
      maxtasks: 3,
      wait: 0,
    });
    t.is(res.statusCode, 202);
    t.like((res.json() as { job: JobView }).job, { total: null, remaining: null, maxtasks: 3, wait: 0 });
    const running = await eventually(async () => {
      const view = await job('etl-c');
      return view.copies.length === 3 && view.copies.every((c) => c.state === 'TASK_RUNNING')
        ? view
        : undefined;
    }, 'three copies of etl-c to run');
    t.is(running.copies.length, 3);
    for (const copy of running.copies) {
      t.regex(copy.id, /^etl-c-/);
      t.like(copy, { phase: 'running', state: 'TASK_RUNNING', failures: 0 });
      t.truthy(copy.hostname);
    }
    t.deepEqual(
      running.copies.map((c) => c.id),
      running.copies.map((c) => c.id).sort(),
      'copies are sorted by id',
    );
    t.like(running, { status: 'running', waves: 1, started: 3, running: 3, queued: 0 });

    const del = await call('DELETE', '/job/etl-c');
    t.is(del.statusCode, 200);
    const body = del.json() as { code: number; message: string; job: JobView };
    t.is(body.code, 200);
    t.is(body.message, 'Delete job: etl-c');
    t.like(body.job, { id: 'etl-c', status: 'deleted', next_wave_at: null });
    t.regex(String(body.job.ended_at), /^\d{4}-\d\d-\d\dT/);

    await eventually(
      async () => ((await job('etl-c')).copies.length === 0 ? true : undefined),
      'the copies to end',
    );
    for (const copy of running.copies) {
      const task = lab.daemon.state.tasks.get(copy.id);
      t.is(task?.phase, 'done', copy.id);
      t.is(task?.killRequested, 'user', copy.id);
      t.is(task?.state, 'TASK_KILLED', copy.id);
    }
    const after = await job('etl-c');
    t.like(after, { status: 'deleted', waves: 1, started: 3, succeeded: 0, running: 0, queued: 0 });
    t.false(
      [...lab.daemon.state.tasks.values()].some((task) => task.job === 'etl-c' && task.phase !== 'done'),
      'no copy runs or waits, and no wave follows',
    );
    // Deleting again is harmless; a deleted job may be started again.
    t.is((await call('DELETE', '/job/etl-c')).statusCode, 200);
    t.is((await job('etl-c')).status, 'deleted');
    t.is(after.succeeded + after.failed, 3, 'every killed copy is accounted for');
    const rerun = await call('POST', '/job', {
      id: 'etl-c',
      ...TASK,
      mem: 32,
      cmd: 'sleep 600',
      maxtasks: 1,
    });
    t.is(rerun.statusCode, 202);
    t.like((rerun.json() as { job: JobView }).job, { status: 'running', waves: 1, started: 1, succeeded: 0 });
    t.is((await call('DELETE', '/job/etl-c')).statusCode, 200);
  },
);

test.serial('jobs › an unknown job is a 404 for GET and DELETE', async (t) => {
  for (const method of ['GET', 'DELETE'] as const) {
    const res = await call(method, '/job/etl-none');
    t.is(res.statusCode, 404, method);
    t.deepEqual(res.json(), { code: 404, message: 'job etl-none not found' }, method);
  }
  const body = await call('DELETE', '/job/etl-none', { force: true });
  t.is(body.statusCode, 400, 'a body is refused before the lookup');
});

test('jobs › a job survives a daemon restart on the same state dir and completes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-jobs-'));
  let served = await serveDaemon({ daemon: { stateDir: dir } });
  t.teardown(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });
  // Copies of 20 simulated seconds (1 s of wall clock), two at a time, six in all.
  const res = await call(
    'POST',
    '/job',
    { id: 'etl-d', ...TASK, mem: 32, cmd: 'sleep 20', maxtasks: 2, wait: 1, total: 6 },
    served,
  );
  t.is(res.statusCode, 202);
  const before = await eventually(async () => {
    const view = await job('etl-d', served);
    return view.copies.length === 2 && view.copies.every((c) => c.state === 'TASK_RUNNING')
      ? view
      : undefined;
  }, 'the first wave of etl-d to run');

  served = await served.restart();
  const restored = await job('etl-d', served);
  t.like(restored, { id: 'etl-d', maxtasks: 2, wait: 1, total: 6, succeeded: before.succeeded });
  t.true(restored.status === 'running' || restored.status === 'waiting', restored.status);
  t.true(restored.started >= 2);
  if (restored.started === 2)
    t.deepEqual(
      restored.copies.map((c) => c.id),
      before.copies.map((c) => c.id),
      'the copies in flight are the same tasks, not relaunched',
    );

  const watch = watchCopies(served, 'etl-d');
  t.teardown(watch.stop);
  const done = await eventually(
    async () => {
      const view = await job('etl-d', served);
      return view.status === 'completed' ? view : undefined;
    },
    'etl-d to complete after the restart',
    20_000,
  );
  t.like(done, { status: 'completed', started: 6, succeeded: 6, failed: 0, waves: 3, remaining: 0 });
  t.true(watch.seen.peak <= 2, `at most maxtasks copies at once, saw ${watch.seen.peak}`);
  t.is(
    [...served.daemon.state.tasks.values()].filter((task) => task.job === 'etl-d').length,
    6,
    'six copies, none launched twice',
  );
});
