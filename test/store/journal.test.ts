import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { Journal, JournalCorruptError, type JournalOptions } from '../../src/store/journal.ts';
import { fcParams, SEED } from '../helpers/property.ts';

interface Rec {
  n: number;
  text: string;
}
interface State {
  upTo: number;
}

// Multi-byte characters, so byte offsets and character offsets differ.
const rec = (n: number): Rec => ({ n, text: 'ünïcødé ✓'.slice(0, n % 10) });
const recs = (from: number, to: number): Rec[] =>
  Array.from({ length: to - from + 1 }, (_, i) => rec(from + i));

const SEGMENT_1 = 'journal-000000000001.jsonl';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-journal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a journal that is closed at teardown even if the test fails half-way. */
async function openJournal<S = State>(t: ExecutionContext, dir: string, opts?: JournalOptions) {
  const opened = await Journal.open<Rec, S>(dir, opts);
  t.teardown(() => opened.journal.close().catch(() => undefined));
  return opened;
}

async function writeRecords(t: ExecutionContext, dir: string, records: Rec[]): Promise<void> {
  const { journal } = await openJournal(t, dir);
  for (const r of records) journal.append(r);
  await journal.close();
}

/** Byte offsets at which each line of a file starts. */
function lineStarts(buf: Buffer): number[] {
  const starts = [0];
  for (let i = buf.indexOf(0x0a); i >= 0 && i < buf.length - 1; i = buf.indexOf(0x0a, i + 1))
    starts.push(i + 1);
  return starts;
}

/** A record line exactly as the journal writes it. */
function line(seq: number, value: unknown): string {
  const body = `${seq}\t${JSON.stringify(value)}`;
  return `${crc32(body).toString(16).padStart(8, '0')}\t${body}\n`;
}

test('journal › gives back appended records in order after close and reopen, numbering on from the last one', async (t) => {
  const dir = await tempDir(t);
  const first = await openJournal(t, dir);
  t.deepEqual(first.recovered, { snapshot: undefined, records: [], dropped: 0 });
  t.deepEqual(
    recs(1, 3).map((r) => first.journal.append(r)),
    [1, 2, 3],
  );
  await first.journal.close();

  const second = await openJournal(t, dir);
  t.deepEqual(second.recovered.records, recs(1, 3));
  t.is(second.journal.lastSeq, 3);
  t.is(second.journal.syncedSeq, 3);
  t.is(second.journal.append(rec(4)), 4);
  await second.journal.close();

  const third = await openJournal(t, dir);
  t.deepEqual(third.recovered.records, recs(1, 4));
});

test('journal › creates a missing state dir, parents included', async (t) => {
  const dir = join(await tempDir(t), 'a', 'b', 'state');
  const { journal } = await openJournal(t, dir);
  journal.append(rec(1));
  await journal.close();
  t.deepEqual((await readdir(dir)).sort(), [SEGMENT_1]);
});

test('journal › drops a torn last record wherever the write was cut, and truncates the file so later appends are clean', async (t) => {
  const base = await tempDir(t);
  const source = join(base, 'source');
  await writeRecords(t, source, recs(1, 3));
  const full = await readFile(join(source, SEGMENT_1));
  const lastStart = lineStarts(full).at(-1) ?? 0;

  for (let cut = lastStart; cut < full.length; cut++) {
    const dir = join(base, `cut-${cut}`);
    const segment = join(dir, SEGMENT_1);
    await mkdir(dir);
    await writeFile(segment, full.subarray(0, cut));

    const torn = await openJournal(t, dir);
    t.deepEqual(torn.recovered.records, recs(1, 2), `cut at byte ${cut}`);
    t.is(torn.recovered.dropped, cut > lastStart ? 1 : 0, `cut at byte ${cut}`);
    t.is((await stat(segment)).size, lastStart, `cut at byte ${cut}`);
    t.is(torn.journal.append(rec(30)), 3);
    await torn.journal.close();

    const again = await openJournal(t, dir);
    t.deepEqual(again.recovered, { snapshot: undefined, records: [...recs(1, 2), rec(30)], dropped: 0 });
    await again.journal.close();
  }
});

test('journal › refuses a damaged record in the middle, naming the file and the byte where its line starts', async (t) => {
  const dir = await tempDir(t);
  await writeRecords(t, dir, recs(1, 5));
  const segment = join(dir, SEGMENT_1);
  const buf = await readFile(segment);
  const third = lineStarts(buf)[2] ?? -1;
  buf[third + 15] = (buf[third + 15] ?? 0) ^ 0x01;
  await writeFile(segment, buf);

  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: JournalCorruptError });
  t.is(err?.file, segment);
  t.is(err?.offset, third);
  t.is(err?.message, `${segment}: corrupt record at byte ${third}: checksum mismatch`);
  // The failed open released the lock.
  t.false((await readdir(dir)).includes('LOCK'));
});

test('journal › treats a gap in the sequence numbers as corruption', async (t) => {
  const dir = await tempDir(t);
  const text = line(1, rec(1)) + line(2, rec(2)) + line(4, rec(4)) + line(5, rec(5));
  await writeFile(join(dir, SEGMENT_1), text);
  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: JournalCorruptError });
  t.is(err?.offset, Buffer.byteLength(line(1, rec(1)) + line(2, rec(2))));
  t.regex(err?.message ?? '', /record 4 where 3 was expected/);
});

test('journal › treats a missing segment as corruption naming the segment after the gap', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, SEGMENT_1), line(1, rec(1)) + line(2, rec(2)));
  const after = join(dir, 'journal-000000000005.jsonl');
  await writeFile(after, line(5, rec(5)));
  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: JournalCorruptError });
  t.is(err?.file, after);
  t.is(err?.offset, 0);
  t.regex(err?.message ?? '', /starts at record 5, expected 3/);
});

test('journal › treats a damaged snapshot as corruption naming the snapshot file', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await openJournal(t, dir);
  for (const r of recs(1, 3)) journal.append(r);
  await journal.snapshot({ upTo: 3 });
  await journal.close();
  const snapshot = join(dir, 'snapshot-000000000003.json');
  const text = await readFile(snapshot, 'utf8');
  await writeFile(snapshot, text.replace('"upTo":3', '"upTo":4'));

  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: JournalCorruptError });
  t.is(err?.file, snapshot);
});

test('journal › writes a thousand appends made in one tick with a handful of fdatasyncs, all durable', async (t) => {
  const dir = await tempDir(t);
  const syncs: number[] = [];
  const { journal } = await openJournal(t, dir, { onSync: (_ms, records) => syncs.push(records) });
  for (const r of recs(1, 1000)) journal.append(r);
  await journal.synced();
  t.true(syncs.length <= 3, `${syncs.length} syncs`);
  t.is(
    syncs.reduce((a, b) => a + b, 0),
    1000,
  );
  t.is(journal.syncedSeq, 1000);
  await journal.close();

  const reopened = await openJournal(t, dir);
  t.deepEqual(reopened.recovered.records, recs(1, 1000));
});

test('journal › makes appends that arrive while a sync is in flight wait for the next batch', async (t) => {
  const dir = await tempDir(t);
  const batches: number[] = [];
  const { journal } = await openJournal(t, dir, { onSync: (_ms, records) => batches.push(records) });
  for (const r of recs(1, 10)) journal.append(r);
  await new Promise<void>((resolve) => setImmediate(resolve)); // the first commit has taken its batch
  for (const r of recs(11, 20)) journal.append(r);

  await journal.synced(10);
  t.is(journal.syncedSeq, 10, 'the first batch resolves on its own');
  await journal.synced();
  t.deepEqual(batches, [10, 10]);
});

test('journal › resolves synced(seq) for an already synced record without waiting for later batches', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await openJournal(t, dir);
  const first = journal.append(rec(1));
  await journal.synced(first);
  const later = journal.append(rec(2));

  await journal.synced(first);
  t.true(journal.syncedSeq < later);
  await journal.synced();
  t.is(journal.syncedSeq, later);
});

test('journal › refuses records that are not JSON without using up a sequence number', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await openJournal<unknown>(t, dir);
  t.throws(() => journal.append(undefined as unknown as Rec), { instanceOf: TypeError });
  t.is(journal.append(rec(1)), 1);
});

test('journal › refuses appends after close', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await openJournal(t, dir);
  await journal.close();
  t.throws(() => journal.append(rec(1)), { message: /closed/ });
});

test('journal › recovers a snapshot plus only the later records, keeping those appended while the snapshot ran', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await openJournal(t, dir);
  for (const r of recs(1, 10)) journal.append(r);
  const snapshot = journal.snapshot({ upTo: 10 });
  for (const r of recs(11, 15)) journal.append(r); // while the snapshot is being written
  await snapshot;
  t.is(journal.sinceSnapshot, 5);
  for (const r of recs(16, 18)) journal.append(r);
  await journal.close();
  t.deepEqual((await readdir(dir)).sort(), ['journal-000000000011.jsonl', 'snapshot-000000000010.json']);

  const reopened = await openJournal(t, dir);
  t.deepEqual(reopened.recovered, { snapshot: { upTo: 10 }, records: recs(11, 18), dropped: 0 });
  t.is(reopened.journal.lastSeq, 18);
  t.is(reopened.journal.sinceSnapshot, 8);

  await reopened.journal.snapshot({ upTo: 18 });
  t.is(reopened.journal.sinceSnapshot, 0);
  await reopened.journal.close();
  t.deepEqual((await readdir(dir)).sort(), ['journal-000000000019.jsonl', 'snapshot-000000000018.json']);
  const last = await openJournal(t, dir);
  t.deepEqual(last.recovered, { snapshot: { upTo: 18 }, records: [], dropped: 0 });
});

test('journal › continues in a new segment when the snapshot is newer than the last synced record', async (t) => {
  // A crash after the snapshot landed but before the records it covers were synced.
  const base = await tempDir(t);
  const ahead = join(base, 'ahead');
  const { journal } = await openJournal(t, ahead);
  for (const r of recs(1, 8)) journal.append(r);
  await journal.snapshot({ upTo: 8 });
  await journal.close();
  const dir = join(base, 'dir');
  await writeRecords(t, dir, recs(1, 3));
  await copyFile(join(ahead, 'snapshot-000000000008.json'), join(dir, 'snapshot-000000000008.json'));

  const crashed = await openJournal(t, dir);
  t.deepEqual(crashed.recovered, { snapshot: { upTo: 8 }, records: [], dropped: 0 });
  t.is(crashed.journal.append(rec(9)), 9);
  await crashed.journal.close();
  const reopened = await openJournal(t, dir);
  t.deepEqual(reopened.recovered.records, [rec(9)]);
});

type Op = { kind: 'append'; count: number; wait: boolean } | { kind: 'snapshot'; wait: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('append'),
      count: fc.integer({ min: 1, max: 15 }),
      wait: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('snapshot'), wait: fc.boolean() }), weight: 1 },
);

/** The last segment's end of the record `seq` (0 if the segment holds no record up to it). */
function endOfRecord(buf: Buffer, seq: number): number {
  let end = 0;
  for (const start of lineStarts(buf)) {
    const tab = buf.indexOf(0x09, start + 9);
    if (Number(buf.subarray(start + 9, tab).toString()) > seq) break;
    end = buf.indexOf(0x0a, start) + 1;
  }
  return end;
}

test(`journal › recovers a prefix of what was appended, holding every acknowledged record, after random snapshots and torn tails (seed=${SEED})`, async (t) => {
  const base = await tempDir(t);
  let run = 0;
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (ops, where) => {
          const dir = join(base, `run-${run++}`);
          const { journal } = await Journal.open<Rec, Rec[]>(dir);
          const appended: Rec[] = [];
          let acked = 0;
          const outstanding: Promise<void>[] = [];
          for (const op of ops) {
            let done: Promise<void>;
            if (op.kind === 'append') {
              let seq = 0;
              for (let i = 0; i < op.count; i++) {
                appended.push(rec(appended.length + 1));
                seq = journal.append(rec(appended.length));
              }
              done = journal.synced(seq).then(() => {
                acked = Math.max(acked, seq);
              });
            } else {
              done = journal.snapshot(appended.slice());
            }
            if (op.wait) await done;
            else outstanding.push(done);
          }
          // "Crash" now: whatever was not acknowledged yet may be lost from the end of the last segment.
          const ackedAtCrash = acked;
          await Promise.all(outstanding);
          await journal.close();
          const segments = (await readdir(dir)).filter((name) => name.startsWith('journal-')).sort();
          const last = join(dir, segments.at(-1) ?? SEGMENT_1);
          const buf = await readFile(last);
          const min = endOfRecord(buf, ackedAtCrash);
          await writeFile(last, buf.subarray(0, min + Math.floor(where * (buf.length - min))));

          const reopened = await Journal.open<Rec, Rec[]>(dir);
          await reopened.journal.close();
          const { snapshot, records } = reopened.recovered;
          const state = [...(snapshot ?? []), ...records];
          assert.deepEqual(state, appended.slice(0, state.length));
          assert.ok(state.length >= ackedAtCrash, `${state.length} recovered, ${ackedAtCrash} acknowledged`);
          assert.equal(reopened.journal.lastSeq, state.length);
        },
      ),
      fcParams(60),
    ),
  );
});
