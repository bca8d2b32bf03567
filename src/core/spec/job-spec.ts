/**
 * ETL jobs (mesos-http-scheduler's bounded batch jobs): a task template run as copies to
 * completion, at most `maxtasks` at a time, in waves `wait` apart, `total` copies in all (or
 * without end). Accepted from `POST /job`, scenario `job:` actions and `offerlab etl`'s flags; the
 * job's own fields sit beside the task's (`{"id": "etl", "dockerimage": …, "maxtasks": 5}`).
 */
import { type FieldError, parseTaskSpec, readNumber, type TaskSpec } from './task-spec.ts';

export interface JobSpec {
  /** The template of every copy; its `id` is the job's id. */
  readonly task: TaskSpec;
  /** Copies running at once (a wave). */
  readonly maxtasks: number;
  /** Pause after a wave completes before the next one starts, in ms. */
  readonly waitMs: number;
  /** Copies to run in all; absent: the job runs until it is deleted. */
  readonly total?: number;
}

export type JobResult = { ok: true; job: JobSpec } | { ok: false; errors: FieldError[] };

/** mesos-http-scheduler's defaults: `-maxtasks 5`, `-wait 60`. */
export const DEFAULT_MAXTASKS = 5;
export const DEFAULT_WAIT_SECONDS = 60;
/** A job's copies are counted in task ids; more than this in one wave is a typo, not a job. */
export const MAX_MAXTASKS = 10_000;

export const JOB_FIELDS = ['maxtasks', 'wait', 'total'] as const;

/** Longest wait between waves: what a timer can hold (about 24.8 days). */
export const MAX_WAIT_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `wait` in ms: seconds as a number or numeric string, or a duration (`90s`, `2m`, `500ms`). */
function readWaitMs(value: unknown): number | undefined {
  const seconds = readNumber(value);
  if (seconds !== undefined) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  return m ? Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000)) : undefined;
}

function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  const n = readNumber(value);
  return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}

/** Validates a job: the job's fields here, the rest as a task spec (errors name the field). */
export function parseJobSpec(raw: unknown): JobResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [{ path: '', message: `a job must be a JSON object, got ${show(raw)}` }] };
  const fields = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const taskPart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    if (!(JOB_FIELDS as readonly string[]).includes(k)) taskPart[k] = v;

  let maxtasks = DEFAULT_MAXTASKS;
  if (fields.maxtasks !== undefined) {
    const n = wholeNumber(fields.maxtasks, 1, MAX_MAXTASKS);
    if (n === undefined)
      errors.push({
        path: '/maxtasks',
        message: `maxtasks must be a whole number from 1 to ${MAX_MAXTASKS}, got ${show(fields.maxtasks)}`,
      });
    else maxtasks = n;
  }
  let waitMs = DEFAULT_WAIT_SECONDS * 1000;
  if (fields.wait !== undefined) {
    const ms = readWaitMs(fields.wait);
    if (ms === undefined || ms > MAX_WAIT_MS)
      errors.push({
        path: '/wait',
        message: `wait must be seconds (0 to ${Math.floor(MAX_WAIT_MS / 1000)}) or a duration like "90s", got ${show(fields.wait)}`,
      });
    else waitMs = ms;
  }
  let total: number | undefined;
  if (fields.total !== undefined) {
    total = wholeNumber(fields.total, 1, Number.MAX_SAFE_INTEGER);
    if (total === undefined)
      errors.push({
        path: '/total',
        message: `total must be a whole number, 1 or more, got ${show(fields.total)}`,
      });
  }

  const task = parseTaskSpec(taskPart);
  if (!task.ok) {
    const unknown = /^unknown field "([^"]+)" \(known fields: (.*)\)$/;
    for (const e of task.errors) {
      const m = unknown.exec(e.message);
      errors.push(
        m
          ? {
              path: e.path,
              message: `unknown field "${m[1]}" (known fields: ${m[2]}, ${JOB_FIELDS.join(', ')})`,
            }
          : e,
      );
    }
  } else {
    if (task.spec.sla !== undefined)
      errors.push({
        path: '/sla',
        message: `a job's copies run to completion and cannot have an sla, got "${task.spec.sla}"`,
      });
    // A reshuffle would kill a copy and start one the job does not count.
    if (task.spec.reshuffleable === true)
      errors.push({
        path: '/reshuffleable',
        message: "a job's copies run to completion and are not reshuffled",
      });
  }
  if (errors.length > 0 || !task.ok) return { ok: false, errors };
  return {
    ok: true,
    job: { task: task.spec, maxtasks, waitMs, ...(total !== undefined ? { total } : {}) },
  };
}
