import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import type { SchedulerRecord } from '../../src/core/scheduler/records.ts';
import { recordToLine, type TraceLine } from '../../src/trace/trace-line.ts';
import { TraceWriter } from '../../src/trace/trace-writer.ts';
import { fcParams, SEED } from '../helpers/property.ts';

const dir = mkdtempSync(join(tmpdir(), 'offerlab-trace-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const spec = { id: 'web', dockerimage: 'nginx', mem: 64, cpus: 0.5 };

function sampleLines(): TraceLine[] {
  return [
    {
      t: 0,
      type: 'agent-added',
      agent: 'a1',
      hostname: 'lab-1',
      resources: { cpus: 4, mem: 4096, disk: 0, ports: [[31000, 32000]] },
      attributes: { nodetype: 'lab' },
    },
    { t: 0, type: 'task-submitted', task: 'web-1', spec },
    { t: 1000, type: 'task-launched', task: 'web-1', agent: 'a1', resources: { cpus: 0.5, mem: 64 } },
    { t: 1200, type: 'task-status', task: 'web-1', state: 'TASK_RUNNING', agent: 'a1' },
    { t: 5000, type: 'kill-requested', task: 'web-1' },
    { t: 5100, type: 'task-status', task: 'web-1', state: 'TASK_KILLED', agent: 'a1' },
  ];
}

// ---------------------------------------------------------------------------------------------
// TraceWriter

test('trace writer › gives a 64-hex sha256 digest of every line, each followed by a newline', (t) => {
  const w = new TraceWriter();
  const lines = sampleLines();
  const texts = lines.map((l) => JSON.stringify(l));
  for (const l of lines) w.write(l);
  const digest = w.finish(6000);
  t.regex(digest, /^[0-9a-f]{64}$/);
  t.is(digest, sha256(texts.map((x) => `${x}\n`).join('')));
});

test('trace writer › digests an empty trace as the sha256 of nothing', (t) => {
  t.is(new TraceWriter().finish(0), sha256(''));
});

test('trace writer › gives the same digest for the same lines and another for different lines', (t) => {
  const a = new TraceWriter();
  const b = new TraceWriter();
  const c = new TraceWriter();
  for (const l of sampleLines()) a.write(l);
  for (const l of sampleLines()) b.write(l);
  for (const l of sampleLines().slice(1)) c.write(l);
  const digest = a.finish(9000);
  t.is(b.finish(9000), digest);
  t.not(c.finish(9000), digest);
});

test('trace writer › writes one JSON object per line with run-finished and the digest last', (t) => {
  const file = join(dir, 'run.jsonl');
  const w = new TraceWriter(file);
  const lines = sampleLines();
  const expected = lines.map((l) => JSON.stringify(l));
  for (const l of lines) w.write(l);
  const digest = w.finish(6000);
  const text = readFileSync(file, 'utf8');
  t.true(text.endsWith('\n'));
  const written = text.slice(0, -1).split('\n');
  t.is(written.length, lines.length + 1);
  t.deepEqual(written.slice(0, -1), expected);
  const parsed = written.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const p of parsed) {
    t.is(typeof p.type, 'string');
    t.true(Number.isInteger(p.t));
  }
  t.deepEqual(parsed[parsed.length - 1], { t: 6000, type: 'run-finished', digest });
  t.is(written[written.length - 1], `{"t":6000,"type":"run-finished","digest":"${digest}"}`);
  // the digest covers exactly the bytes of the file before the run-finished line
  t.is(sha256(text.slice(0, text.lastIndexOf('{"t":6000,"type":"run-finished"'))), digest);
});

test('trace writer › writes a file of more than one flush intact', (t) => {
  const file = join(dir, 'big.jsonl');
  const w = new TraceWriter(file);
  const n = 30_000;
  const hash = createHash('sha256');
  for (let i = 0; i < n; i++) {
    const line: TraceLine = { t: i, type: 'kill-requested', task: `task-${i}-${'x'.repeat(40)}` };
    hash.update(`${JSON.stringify(line)}\n`);
    w.write(line);
  }
  const digest = w.finish(n);
  const written = readFileSync(file, 'utf8').split('\n');
  t.is(written.pop(), '');
  t.is(written.length, n + 1);
  t.is(
    written[12_345],
    JSON.stringify({ t: 12_345, type: 'kill-requested', task: `task-12345-${'x'.repeat(40)}` }),
  );
  t.is(digest, hash.digest('hex'));
  t.is(w.lines, n + 1);
});

test('trace writer › rounds t to whole milliseconds', (t) => {
  const seen: number[] = [];
  const w = new TraceWriter();
  w.listen((line) => seen.push(line.t));
  w.write({ t: 1.4, type: 'kill-requested', task: 'a' });
  w.write({ t: 2.5, type: 'kill-requested', task: 'a' });
  w.write({ t: 10.6, type: 'kill-requested', task: 'a' });
  w.finish(20.2);
  t.deepEqual(seen, [1, 3, 11, 20]);
});

test('trace writer › never lets t go backwards, also for run-finished', (t) => {
  const texts: string[] = [];
  const w = new TraceWriter();
  w.listen((_line, _n, text) => texts.push(text));
  w.write({ t: 500, type: 'kill-requested', task: 'a' });
  w.write({ t: 300, type: 'kill-requested', task: 'b' });
  w.write({ t: 700, type: 'kill-requested', task: 'c' });
  w.write({ t: 699.6, type: 'kill-requested', task: 'd' });
  w.finish(100);
  t.deepEqual(
    texts.map((x) => (JSON.parse(x) as { t: number }).t),
    [500, 500, 700, 700, 700],
  );
});

test(`trace writer › writes whole, non-decreasing times whatever it is given (seed=${SEED})`, (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { maxLength: 50 }), (times) => {
        const out: number[] = [];
        const w = new TraceWriter();
        w.listen((_line, _n, text) => out.push((JSON.parse(text) as { t: number }).t));
        for (const time of times) w.write({ t: time, type: 'kill-requested', task: 'x' });
        let expected = 0;
        return (
          out.length === times.length &&
          times.every((time, i) => {
            expected = Math.max(expected, Math.round(time));
            return out[i] === expected && Number.isInteger(out[i]);
          })
        );
      }),
      fcParams(200),
    ),
  );
});

test('trace writer › shows listeners every line with its 1-based number and its text', (t) => {
  const w = new TraceWriter();
  const first: [string, number, string][] = [];
  const second: number[] = [];
  w.listen((line, n, text) => first.push([line.type, n, text]));
  w.listen((_line, n) => second.push(n));
  const lines = sampleLines();
  for (const l of lines) w.write(l);
  const digest = w.finish(9999);
  t.deepEqual(
    first.map(([type, n]) => [type, n]),
    [
      ['agent-added', 1],
      ['task-submitted', 2],
      ['task-launched', 3],
      ['task-status', 4],
      ['kill-requested', 5],
      ['task-status', 6],
      ['run-finished', 7],
    ],
  );
  t.deepEqual(second, [1, 2, 3, 4, 5, 6, 7]);
  t.is(first[2]?.[2], JSON.stringify(lines[2]));
  t.is(first[6]?.[2], JSON.stringify({ t: 9999, type: 'run-finished', digest }));
  t.is(w.lines, 7);
});

test('trace writer › refuses lines after run-finished and finishes only once', (t) => {
  const file = join(dir, 'once.jsonl');
  const w = new TraceWriter(file);
  w.write({ t: 1, type: 'kill-requested', task: 'a' });
  const digest = w.finish(2);
  t.throws(() => w.write({ t: 3, type: 'kill-requested', task: 'b' }), { message: /finished/ });
  t.is(w.finish(5), digest);
  t.is(w.lines, 2);
  t.is(readFileSync(file, 'utf8').trimEnd().split('\n').length, 2);
});

// ---------------------------------------------------------------------------------------------
// recordToLine: the shapes of DESIGN ◆2.4

function text(record: SchedulerRecord, t: number): string {
  return JSON.stringify(recordToLine(record, t));
}

test('trace line › agent-added always has disk and ports in its resources', (t) => {
  t.is(
    text(
      {
        type: 'agent-added',
        agent: 'a1',
        hostname: 'lab-1',
        resources: { cpus: 4, mem: 4096 },
        attributes: { nodetype: 'lab' },
      },
      0,
    ),
    '{"t":0,"type":"agent-added","agent":"a1","hostname":"lab-1","resources":{"cpus":4,"mem":4096,"disk":0,"ports":[]},"attributes":{"nodetype":"lab"}}',
  );
  t.is(
    text(
      {
        type: 'agent-added',
        agent: 'a2',
        hostname: 'lab-2',
        resources: { ports: [[31000, 31999]], disk: 500, mem: 2048, cpus: 2 },
        attributes: {},
      },
      7,
    ),
    '{"t":7,"type":"agent-added","agent":"a2","hostname":"lab-2","resources":{"cpus":2,"mem":2048,"disk":500,"ports":[[31000,31999]]},"attributes":{}}',
  );
});

test('trace line › agent-removed has agent and reason only', (t) => {
  t.is(
    text({ type: 'agent-removed', agent: 'a1', hostname: 'lab-1', reason: 'agent lost' }, 90_000),
    '{"t":90000,"type":"agent-removed","agent":"a1","reason":"agent lost"}',
  );
});

test('trace line › task-submitted has the task id and the normalised spec only', (t) => {
  t.is(
    text(
      {
        type: 'task-submitted',
        task: 'web-1',
        spec,
        kind: 'service',
        origin: 'relaunch',
        eligibleAt: 4000,
        previous: 'web-0',
        agent: 'a1',
      },
      3000,
    ),
    '{"t":3000,"type":"task-submitted","task":"web-1","spec":{"id":"web","dockerimage":"nginx","mem":64,"cpus":0.5}}',
  );
});

test('trace line › task-launched has task, agent and resources with optional disk and ports', (t) => {
  t.is(
    text(
      {
        type: 'task-launched',
        task: 'web-1',
        agent: 'a1',
        hostname: 'lab-1',
        resources: { cpus: 0.5, mem: 64 },
      },
      1,
    ),
    '{"t":1,"type":"task-launched","task":"web-1","agent":"a1","resources":{"cpus":0.5,"mem":64}}',
  );
  t.is(
    text(
      {
        type: 'task-launched',
        task: 'web-2',
        agent: 'a1',
        hostname: 'lab-1',
        resources: { cpus: 0.5, mem: 64, disk: 10, ports: [[31500, 31500]] },
      },
      2,
    ),
    '{"t":2,"type":"task-launched","task":"web-2","agent":"a1","resources":{"cpus":0.5,"mem":64,"disk":10,"ports":[[31500,31500]]}}',
  );
});

test('trace line › task-status has no message field, and agent and reason only when known', (t) => {
  t.is(
    text(
      {
        type: 'task-status',
        task: 'web-1',
        state: 'TASK_FAILED',
        agent: 'a1',
        reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
        message: 'Memory limit exceeded',
      },
      5,
    ),
    '{"t":5,"type":"task-status","task":"web-1","state":"TASK_FAILED","agent":"a1","reason":"REASON_CONTAINER_LIMITATION_MEMORY"}',
  );
  t.is(
    text({ type: 'task-status', task: 'web-1', state: 'TASK_STAGING', message: 'queued' }, 6),
    '{"t":6,"type":"task-status","task":"web-1","state":"TASK_STAGING"}',
  );
  t.false('message' in recordToLine({ type: 'task-status', task: 'x', state: 'TASK_LOST', message: 'm' }, 0));
});

test('trace line › kill-requested has the task only', (t) => {
  t.is(
    text({ type: 'kill-requested', task: 'web-1', cause: 'user' }, 8),
    '{"t":8,"type":"kill-requested","task":"web-1"}',
  );
});

test('trace line › other records become extension lines that start with t and type', (t) => {
  t.is(
    text({ type: 'reshuffle', strategy: 'charmander', moved: ['a', 'b'] }, 9),
    '{"t":9,"type":"reshuffle","strategy":"charmander","moved":["a","b"]}',
  );
  t.is(text({ type: 'paused', paused: true }, 10), '{"t":10,"type":"paused","paused":true}');
});
