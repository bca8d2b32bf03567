import test from 'ava';
import { parseJobSpec } from '../../../src/core/spec/job-spec.ts';

const base = { id: 'etl', dockerimage: 'busybox', mem: '64' };

test('job spec › mesos-http-scheduler’s defaults apply: maxtasks 5, wait 60 s, no total', (t) => {
  const r = parseJobSpec(base);
  t.true(r.ok);
  if (r.ok)
    t.deepEqual(r.job, {
      task: { id: 'etl', dockerimage: 'busybox', mem: 64, cpus: 0.1 },
      maxtasks: 5,
      waitMs: 60_000,
    });
});

test('job spec › numbers may be numeric strings and wait a duration', (t) => {
  const r = parseJobSpec({ ...base, maxtasks: '3', wait: '1.5', total: '10' });
  t.like(r, { ok: true, job: { maxtasks: 3, waitMs: 1500, total: 10 } });
  t.like(parseJobSpec({ ...base, wait: '2m' }), { ok: true, job: { waitMs: 120_000 } });
});

test('job spec › every bad field is named, job fields and task fields alike', (t) => {
  const r = parseJobSpec({ id: 'etl', mem: 0, maxtasks: 2.5, wait: -1, total: 0, colour: 'red' });
  t.false(r.ok);
  if (r.ok) return;
  t.deepEqual(r.errors.map((e) => e.path).sort(), [
    '/colour',
    '/dockerimage',
    '/maxtasks',
    '/mem',
    '/total',
    '/wait',
  ]);
  t.regex(
    r.errors.find((e) => e.path === '/colour')?.message ?? '',
    /known fields: .*cmd, maxtasks, wait, total/,
  );
});

test('job spec › copies run to completion, so an sla is refused', (t) => {
  const r = parseJobSpec({ ...base, sla: 'singleton' });
  t.like(r, { ok: false, errors: [{ path: '/sla' }] });
});

test('job spec › cmd is a shell command and excludes arguments', (t) => {
  t.like(parseJobSpec({ ...base, cmd: 'sleep 3' }), { ok: true, job: { task: { cmd: 'sleep 3' } } });
  const r = parseJobSpec({ ...base, cmd: 'sleep 3', arguments: ['-x'] });
  t.like(r, { ok: false, errors: [{ path: '/cmd' }] });
  t.like(parseJobSpec({ ...base, cmd: '  ' }), { ok: false, errors: [{ path: '/cmd' }] });
});

test('job spec › something that is not an object is refused whole', (t) => {
  t.like(parseJobSpec([1]), {
    ok: false,
    errors: [{ path: '', message: 'a job must be a JSON object, got [1]' }],
  });
});

test('job spec › copies are not reshuffled, and wait must fit a timer', (t) => {
  t.like(parseJobSpec({ ...base, reshuffleable: true }), { ok: false, errors: [{ path: '/reshuffleable' }] });
  t.like(parseJobSpec({ ...base, wait: 1e20 }), { ok: false, errors: [{ path: '/wait' }] });
  t.like(parseJobSpec({ ...base, wait: 2_000_000 }), { ok: true, job: { waitMs: 2_000_000_000 } });
});
