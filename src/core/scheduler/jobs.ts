import type { Label, TaskState } from '../mesos/v1.ts';
import type { JobSpec } from '../spec/job-spec.ts';
import type { Out } from './commands.ts';
import { killTask } from './kill.ts';
import type { JobRecord, SchedulerState, TaskRecord } from './state.ts';
import { createTask } from './tasks.ts';
import { setTimer } from './timers.ts';

// ETL jobs, as mesos-http-scheduler ran them but without its failure modes: a wave of at most
// `maxtasks` copies; when every copy of the wave has ended, a pause of `wait`, then the next wave,
// until `total` copies have run. A failed or lost copy is retried (the batch retry bound and
// backoff, as a replacement task of the same copy) and never ends the job; leader changes are the
// transport's business and reconciliation's, not the job's.

const timerKey = (id: string) => `job:${id}`;

/** True for a timer key that belongs to a job. */
export function isJobTimer(key: string): boolean {
  return key.startsWith('job:');
}

/** Starts a job; refused while one with the same id is running or waiting. */
export function submitJob(
  state: SchedulerState,
  spec: JobSpec,
  labels: readonly Label[],
  now: number,
  out: Out,
): JobRecord | undefined {
  const id = spec.task.id;
  const existing = state.jobs.get(id);
  if (existing && (existing.status === 'running' || existing.status === 'waiting')) {
    out.record({
      type: 'job-rejected',
      job: id,
      message: `job "${id}" is ${existing.status}; delete it first (DELETE /job/${id})`,
    });
    return undefined;
  }
  pruneEndedJobs(state);
  const job: JobRecord = {
    id,
    spec,
    labels,
    submittedAt: now,
    status: 'running',
    waves: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    active: new Set(),
  };
  state.jobs.set(id, job);
  out.record({
    type: 'job-submitted',
    job: id,
    maxtasks: spec.maxtasks,
    waitMs: spec.waitMs,
    ...(spec.total !== undefined ? { total: spec.total } : {}),
  });
  startWave(state, job, now, out);
  return job;
}

/** Ended jobs kept for queries (`GET /job`); older ones are forgotten as new jobs arrive. */
export const ENDED_JOBS_KEPT = 1000;

function pruneEndedJobs(state: SchedulerState): void {
  let ended = 0;
  for (const job of state.jobs.values()) if (job.status === 'completed' || job.status === 'deleted') ended++;
  for (const [id, job] of state.jobs) {
    if (ended < ENDED_JOBS_KEPT) break;
    if (job.status !== 'completed' && job.status !== 'deleted') continue;
    state.jobs.delete(id);
    ended--;
  }
}

/** Copies the job still has to start (Infinity for a job without a total). */
export function jobRemaining(job: JobRecord): number {
  return job.spec.total === undefined ? Number.POSITIVE_INFINITY : job.spec.total - job.started;
}

function startWave(state: SchedulerState, job: JobRecord, now: number, out: Out): void {
  const n = Math.min(job.spec.maxtasks, jobRemaining(job));
  job.status = 'running';
  delete job.nextWaveAt;
  job.waves++;
  job.started += n;
  const tasks: string[] = [];
  for (let i = 0; i < n; i++) {
    const task = createTask(
      state,
      {
        spec: job.spec.task,
        kind: 'batch',
        labels: job.labels,
        origin: 'submit',
        job: job.id,
        notBefore: now,
        failures: 0,
      },
      now,
      out,
    );
    job.active.add(task.id);
    tasks.push(task.id);
  }
  out.record({ type: 'job-wave', job: job.id, wave: job.waves, tasks });
}

/**
 * A copy's task ended. With a replacement (a retry) the copy goes on; otherwise it counts as
 * succeeded (TASK_FINISHED) or failed, and when it was the wave's last the job waits for its next
 * wave or completes.
 */
export function jobCopyEnded(
  state: SchedulerState,
  task: TaskRecord,
  mesosState: TaskState,
  replacement: TaskRecord | undefined,
  now: number,
  out: Out,
): void {
  const job = task.job === undefined ? undefined : state.jobs.get(task.job);
  if (!job?.active.delete(task.id)) return;
  if (replacement) {
    job.active.add(replacement.id);
    return;
  }
  if (mesosState === 'TASK_FINISHED' && task.killRequested === undefined) job.succeeded++;
  else job.failed++;
  if (job.active.size > 0 || job.status !== 'running') return;
  if (jobRemaining(job) <= 0) {
    job.status = 'completed';
    job.endedAt = now;
    out.record({
      type: 'job-ended',
      job: job.id,
      status: 'completed',
      succeeded: job.succeeded,
      failed: job.failed,
    });
    return;
  }
  job.status = 'waiting';
  job.nextWaveAt = now + job.spec.waitMs;
  setTimer(state, timerKey(job.id), job.nextWaveAt, out);
  out.record({
    type: 'job-waiting',
    job: job.id,
    at: job.nextWaveAt,
    succeeded: job.succeeded,
    failed: job.failed,
  });
}

/** A job's wave timer came due. */
export function jobTimer(state: SchedulerState, key: string, now: number, out: Out): void {
  const job = state.jobs.get(key.slice('job:'.length));
  if (job?.status !== 'waiting') return;
  if ((job.nextWaveAt ?? now) > now) {
    setTimer(state, key, job.nextWaveAt ?? now, out);
    return;
  }
  startWave(state, job, now, out);
}

/** Deletes a job: no further waves; its copies in flight are killed. False for an unknown job. */
export function deleteJob(state: SchedulerState, id: string, now: number, out: Out): boolean {
  const job = state.jobs.get(id);
  if (!job) return false;
  if (job.status === 'completed' || job.status === 'deleted') return true;
  job.status = 'deleted';
  job.endedAt = now;
  delete job.nextWaveAt;
  setTimer(state, timerKey(id), Number.POSITIVE_INFINITY, out);
  out.record({ type: 'job-ended', job: id, status: 'deleted', succeeded: job.succeeded, failed: job.failed });
  for (const taskId of [...job.active].sort()) {
    const task = state.tasks.get(taskId);
    if (task) killTask(state, task, 'user', now, out);
  }
  return true;
}

/** Arms the wave timer of every waiting job that has none (after a restore, timers are gone). */
export function armJobTimers(state: SchedulerState, out: Out): void {
  for (const job of state.jobs.values()) {
    if (job.status === 'waiting' && job.nextWaveAt !== undefined && !state.timers.has(timerKey(job.id)))
      setTimer(state, timerKey(job.id), job.nextWaveAt, out);
  }
}
