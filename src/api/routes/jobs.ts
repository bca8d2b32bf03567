import type { FastifyPluginAsync } from 'fastify';
import { jobRemaining } from '../../core/scheduler/jobs.ts';
import type { JobRecord, JobStatus } from '../../core/scheduler/state.ts';
import { parseJobSpec } from '../../core/spec/job-spec.ts';
import type { TaskSpec } from '../../core/spec/task-spec.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, ClientError, notFound } from '../errors.ts';
import { checkNoBody, checkQuery, isoTime } from '../node-views.ts';

/*
 * ETL jobs (mesos-http-scheduler's bounded batch jobs):
 *
 *   POST   /job         starts a job: a task configuration plus maxtasks, wait (s), total → 202
 *   GET    /job         every job
 *   GET    /job/<id>    one job, with its copies in flight
 *   DELETE /job/<id>    stops it: no more waves, copies in flight are killed
 */

const TAGS = ['jobs'];

export interface JobView {
  id: string;
  status: JobStatus;
  maxtasks: number;
  /** Seconds between the end of a wave and the next. */
  wait: number;
  total: number | null;
  waves: number;
  started: number;
  succeeded: number;
  failed: number;
  /** Copies still to start (null: no total). */
  remaining: number | null;
  /** Copies in flight that are launched, and that wait in the queue. */
  running: number;
  queued: number;
  next_wave_at: string | null;
  submitted_at: string | null;
  ended_at: string | null;
  task: TaskSpec;
}

const SUBMIT_DESCRIPTION =
  'Starts an ETL job, the way mesos-http-scheduler ran one: a task configuration (the fields of ' +
  '`POST /client/task`, plus `cmd` for a shell command) and `maxtasks` (copies at once, default 5), ' +
  '`wait` (seconds between the end of a wave and the next, default 60) and `total` (copies in all; ' +
  'absent: until deleted). Copies run to completion; a failed or lost copy is retried a bounded ' +
  'number of times and never stops the job. 409 while a job with that id is running or waiting.';

export function jobView(daemon: Daemon, job: JobRecord): JobView {
  let running = 0;
  let queued = 0;
  for (const id of job.active) {
    const phase = daemon.state.tasks.get(id)?.phase;
    if (phase === 'pending') queued++;
    else if (phase !== undefined && phase !== 'done') running++;
  }
  const remaining = jobRemaining(job);
  return {
    id: job.id,
    status: job.status,
    maxtasks: job.spec.maxtasks,
    wait: job.spec.waitMs / 1000,
    total: job.spec.total ?? null,
    waves: job.waves,
    started: job.started,
    succeeded: job.succeeded,
    failed: job.failed,
    remaining: Number.isFinite(remaining) ? remaining : null,
    running,
    queued,
    next_wave_at: isoTime(daemon, job.nextWaveAt),
    submitted_at: isoTime(daemon, job.submittedAt),
    ended_at: isoTime(daemon, job.endedAt),
    task: job.spec.task,
  };
}

export function jobsRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    const lookup = (id: string): JobRecord => {
      const job = daemon.state.jobs.get(id);
      if (!job) throw notFound(`job ${id}`);
      return job;
    };

    app.post(
      '/job',
      { schema: { summary: 'Start an ETL job', description: SUBMIT_DESCRIPTION, tags: TAGS } },
      async (req, reply) => {
        checkQuery(req.query, []);
        const parsed = parseJobSpec(req.body);
        if (!parsed.ok) throw badRequest(parsed.errors.map((e) => e.message).join('; '));
        const records = await daemon.change({ type: 'job-submit', job: parsed.job });
        const rejected = records.find((r) => r.type === 'job-rejected');
        if (rejected?.type === 'job-rejected') throw new ClientError(409, rejected.message);
        reply.code(202);
        return {
          code: 202,
          message: `Run job: ${parsed.job.task.id}`,
          job: jobView(daemon, lookup(parsed.job.task.id)),
        };
      },
    );

    app.get('/job', { schema: { summary: 'Every ETL job', tags: TAGS } }, async (req) => {
      checkQuery(req.query, []);
      return [...daemon.state.jobs.values()].map((job) => jobView(daemon, job));
    });

    app.get<{ Params: { id: string } }>(
      '/job/:id',
      { schema: { summary: 'One ETL job and its copies in flight', tags: TAGS } },
      async (req) => {
        checkQuery(req.query, []);
        const job = lookup(req.params.id);
        const copies = [...job.active].sort().flatMap((id) => {
          const task = daemon.state.tasks.get(id);
          return task
            ? [
                {
                  id,
                  phase: task.phase,
                  state: task.state ?? null,
                  hostname: task.hostname ?? null,
                  failures: task.failures,
                },
              ]
            : [];
        });
        return { ...jobView(daemon, job), copies };
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/job/:id',
      { schema: { summary: 'Stop an ETL job', tags: TAGS } },
      async (req) => {
        checkQuery(req.query, []);
        checkNoBody(req.body);
        const { id } = req.params;
        lookup(id);
        await daemon.change({ type: 'job-delete', id });
        return { code: 200, message: `Delete job: ${id}`, job: jobView(daemon, lookup(id)) };
      },
    );
  };
}
