/**
 * The daemon's durable state: an append-only JSON-lines journal plus periodic snapshots, in one
 * locked directory (`offerlab serve --state-dir DIR`).
 *
 * Files:
 * - `journal-<first seq, 12 digits>.jsonl`: one record per line, `<crc32 hex8>\t<seq>\t<JSON>\n`,
 *   the crc covering the bytes of `<seq>\t<JSON>`. Sequence numbers are contiguous across segments.
 * - `snapshot-<seq, 12 digits>.json`: `{"seq":N,"crc":"hex8","state":…}`, the crc covering
 *   `<seq>\t<state JSON>`; the full state as of record N. Only ever renamed into place complete.
 * - `LOCK`: see lock.ts.
 *
 * Durability: appends are buffered and written by a group commit (one write + fdatasync for all
 * records appended while the previous commit was in flight); `synced()` says when they are on disk.
 * Callers reply to clients / talk to Mesos only after that (write-ahead intent).
 *
 * Recovery: the newest snapshot, then every record after it. A torn last record (a crash during
 * a write that was never acknowledged) is dropped and cut off the file; damage anywhere else is
 * corruption and stops the open with the file and byte offset, because guessing would silently
 * lose or invent acknowledged state.
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { acquireLock, type DirLock } from './lock.ts';

export { StateDirLockedError } from './lock.ts';

export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, why: string) {
    super(`${file}: corrupt record at byte ${offset}: ${why}`);
    this.file = file;
    this.offset = offset;
  }
}

export interface JournalOptions {
  /** Called with the duration of each fdatasync in ms (for a Prometheus histogram). */
  onSync?: (ms: number, records: number) => void;
}

export interface Recovered<R, S> {
  snapshot: S | undefined;
  records: R[];
  /** records dropped as a torn tail */
  dropped: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A request to start a new segment once every record up to `after` is synced (for a snapshot). */
interface Cut {
  after: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Journal<R, S> {
  readonly #dir: string;
  readonly #lock: DirLock;
  readonly #onSync: JournalOptions['onSync'];
  #file: FileHandle;
  #segmentFirst: number;
  #lastSeq: number;
  /** Highest seq handed to a write; equals #syncedSeq between commits. */
  #takenSeq: number;
  #syncedSeq: number;
  #snapshotSeq: number;
  /** Encoded lines of records #takenSeq+1 … #lastSeq. */
  #pending: string[] = [];
  #waiters: Waiter[] = [];
  #cuts: Cut[] = [];
  #draining = false;
  #scheduled = false;
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  /** The snapshot chain: snapshots finish one after another, in the order they were taken. */
  #snapshots: Promise<void> = Promise.resolve();

  private constructor(
    dir: string,
    lock: DirLock,
    opts: JournalOptions,
    tail: OpenSegment,
    lastSeq: number,
    snapshotSeq: number,
  ) {
    this.#dir = dir;
    this.#lock = lock;
    this.#onSync = opts.onSync;
    this.#file = tail.file;
    this.#segmentFirst = tail.first;
    this.#lastSeq = this.#takenSeq = this.#syncedSeq = lastSeq;
    this.#snapshotSeq = snapshotSeq;
  }

  static async open<R, S>(
    dir: string,
    opts: JournalOptions = {},
  ): Promise<{ journal: Journal<R, S>; recovered: Recovered<R, S> }> {
    await mkdir(dir, { recursive: true });
    const lock = await acquireLock(dir);
    try {
      const found = await recover<R, S>(dir);
      const tail = await openTail(dir, found.tail, found.lastSeq);
      const journal = new Journal<R, S>(dir, lock, opts, tail, found.lastSeq, found.snapshotSeq);
      return { journal, recovered: found.recovered };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get syncedSeq(): number {
    return this.#syncedSeq;
  }

  /** Number of records appended since the last snapshot (the daemon snapshots every N). */
  get sinceSnapshot(): number {
    return this.#lastSeq - this.#snapshotSeq;
  }

  /** Buffers the record for the next group commit and returns its sequence number. */
  append(record: R): number {
    this.#assertWritable();
    const seq = this.#lastSeq + 1;
    this.#pending.push(encodeRecord(seq, record)); // may throw: then no seq is used up
    this.#lastSeq = seq;
    this.#schedule();
    return seq;
  }

  /** Resolves once every record up to `seq` (default: all appended so far) is written and fdatasync'd. */
  synced(seq: number = this.#lastSeq): Promise<void> {
    if (seq <= this.#syncedSeq) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (seq > this.#lastSeq) {
      return Promise.reject(new RangeError(`record ${seq} has not been appended (last is ${this.#lastSeq})`));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  /**
   * Writes a snapshot of the full state as of `lastSeq`, starts a new segment right after that
   * record and removes the segments and snapshots it supersedes. The state is serialised before
   * this returns its promise, so the caller may go on mutating it and appending.
   */
  async snapshot(state: S): Promise<void> {
    this.#assertWritable();
    // Everything up to the first await runs synchronously: seq, state and cut belong together.
    const seq = this.#lastSeq;
    const text = encodeSnapshot(seq, state);
    const cut = this.#requestCut(seq);
    const done = this.#snapshots.then(async () => {
      await writeSnapshotFile(this.#dir, seq, text);
      await cut;
      this.#snapshotSeq = Math.max(this.#snapshotSeq, seq);
      await removeSuperseded(this.#dir, seq);
    });
    this.#snapshots = done.catch(() => undefined);
    await done;
  }

  /** Flushes, syncs, closes the file and releases the lock. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    try {
      await this.#snapshots;
      if (this.#failure === undefined) await this.synced();
    } finally {
      await this.#file.close();
      await this.#lock.release();
    }
  }

  #assertWritable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closing !== undefined) throw new Error(`journal ${this.#dir} is closed`);
  }

  #requestCut(after: number): Promise<void> {
    const cut = new Promise<void>((resolve, reject) => this.#cuts.push({ after, resolve, reject }));
    cut.catch(() => undefined); // the snapshot awaits it later; do not report it as unhandled meanwhile
    this.#schedule();
    return cut;
  }

  /** Starts a commit on the next turn of the event loop, so that a whole tick's appends share it. */
  #schedule(): void {
    if (this.#draining || this.#scheduled) return; // a running drain picks new work up itself
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (;;) {
        const cut = this.#cuts[0];
        if (cut !== undefined && this.#syncedSeq >= cut.after) {
          if (this.#segmentFirst !== cut.after + 1) await this.#startSegment(cut.after + 1);
          this.#cuts.shift();
          cut.resolve();
          continue;
        }
        // Records after a pending cut must wait for the new segment.
        const room = (cut?.after ?? Number.POSITIVE_INFINITY) - this.#takenSeq;
        const count = Math.min(this.#pending.length, room);
        if (count <= 0) return;
        await this.#commit(this.#pending.splice(0, count));
      }
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#draining = false;
    }
  }

  async #commit(lines: string[]): Promise<void> {
    const last = this.#takenSeq + lines.length;
    this.#takenSeq = last;
    await writeAll(this.#file, Buffer.from(lines.join(''), 'utf8'));
    const start = performance.now();
    await this.#file.datasync();
    const ms = performance.now() - start;
    this.#syncedSeq = last;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) {
      if (w.seq <= last) w.resolve();
      else this.#waiters.push(w);
    }
    try {
      this.#onSync?.(ms, lines.length);
    } catch (err) {
      // A broken metrics callback must not take the journal down with it.
      process.emitWarning(`journal onSync callback threw: ${String(err)}`);
    }
  }

  async #startSegment(first: number): Promise<void> {
    const file = await open(segmentPath(this.#dir, first), 'ax');
    await syncDir(this.#dir);
    const old = this.#file;
    this.#file = file;
    this.#segmentFirst = first;
    await old.close();
  }

  /**
   * After a failed write or fdatasync the kernel may have dropped the dirty pages, so nothing
   * written since the last good sync can be trusted: refuse all further work with that error.
   */
  #fail(err: unknown): void {
    const cause = err instanceof Error ? err : new Error(String(err));
    const failure = new Error(`journal ${this.#dir}: write failed: ${cause.message}`, { cause });
    this.#failure ??= failure;
    for (const w of this.#waiters) w.reject(this.#failure);
    for (const c of this.#cuts) c.reject(this.#failure);
    this.#waiters = [];
    this.#cuts = [];
    this.#pending = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Format

const PAD = 12;
const SEGMENT_NAME = /^journal-(\d+)\.jsonl$/;
const SNAPSHOT_NAME = /^snapshot-(\d+)\.json$/;
const SNAPSHOT_TMP = /^snapshot-\d+\.json\.tmp$/;
const SNAPSHOT_HEAD = /^\{"seq":(\d+),"crc":"([0-9a-f]{8})","state":/;
const SEQ = /^[1-9]\d*$/;

function segmentPath(dir: string, first: number): string {
  return join(dir, `journal-${String(first).padStart(PAD, '0')}.jsonl`);
}

function snapshotPath(dir: string, seq: number): string {
  return join(dir, `snapshot-${String(seq).padStart(PAD, '0')}.json`);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`journal ${what} must be a JSON value`);
  return json;
}

function encodeRecord(seq: number, record: unknown): string {
  const body = `${seq}\t${toJson(record, 'records')}`; // JSON.stringify never emits a raw newline
  return `${hex8(crc32(body))}\t${body}\n`;
}

/** Decodes one line (without its newline); a string says why it is bad. */
function decodeRecord(line: Buffer): { seq: number; value: unknown } | string {
  const head = line.subarray(0, 8).toString('latin1');
  if (line.length < 12 || !/^[0-9a-f]{8}$/.test(head) || line[8] !== 0x09) return 'malformed record';
  const body = line.subarray(9);
  if (crc32(body) !== Number.parseInt(head, 16)) return 'checksum mismatch';
  const text = body.toString('utf8');
  const tab = text.indexOf('\t');
  const seqText = text.slice(0, tab);
  if (tab < 0 || !SEQ.test(seqText)) return 'malformed sequence number';
  try {
    return { seq: Number(seqText), value: JSON.parse(text.slice(tab + 1)) };
  } catch {
    return 'malformed JSON';
  }
}

function encodeSnapshot(seq: number, state: unknown): string {
  const json = toJson(state, 'snapshots');
  return `{"seq":${seq},"crc":"${hex8(crc32(`${seq}\t${json}`))}","state":${json}}\n`;
}

function decodeSnapshot(file: string, seq: number, text: string): unknown {
  const bad = (why: string) => new JournalCorruptError(file, 0, `bad snapshot: ${why}`);
  const head = SNAPSHOT_HEAD.exec(text);
  if (head === null || !text.endsWith('}\n')) throw bad('malformed');
  if (Number(head[1]) !== seq) throw bad(`holds seq ${head[1]}`);
  const json = text.slice(head[0].length, -2);
  if (hex8(crc32(`${seq}\t${json}`)) !== head[2]) throw bad('checksum mismatch');
  return JSON.parse(json);
}

// ---------------------------------------------------------------------------------------------
// Recovery

interface Named {
  n: number;
  name: string;
}

/** Files in `names` matching `re`, by the number in their name. */
function numbered(names: string[], re: RegExp): Named[] {
  const out: Named[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m?.[1] !== undefined) out.push({ n: Number(m[1]), name });
  }
  return out.sort((a, b) => a.n - b.n);
}

interface Tail {
  path: string;
  first: number;
  /** seq of its last record (first - 1 when empty) */
  last: number;
}

interface Found<R, S> {
  recovered: Recovered<R, S>;
  lastSeq: number;
  snapshotSeq: number;
  tail: Tail | undefined;
}

async function recover<R, S>(dir: string): Promise<Found<R, S>> {
  const names = await readdir(dir);
  for (const name of names) if (SNAPSHOT_TMP.test(name)) await unlink(join(dir, name)); // never renamed: incomplete

  const newest = numbered(names, SNAPSHOT_NAME).at(-1);
  let snapshot: S | undefined;
  if (newest !== undefined) {
    const file = join(dir, newest.name);
    // The journal trusts its own checksummed bytes to be the S and R it wrote.
    snapshot = decodeSnapshot(file, newest.n, await readFile(file, 'utf8')) as S;
  }
  const base = newest?.n ?? 0;

  const segments = numbered(names, SEGMENT_NAME);
  const records: R[] = [];
  let expected = base + 1;
  let readAny = false;
  let dropped = 0;
  let tail: Tail | undefined;
  for (const [i, seg] of segments.entries()) {
    const next = segments[i + 1];
    if (next !== undefined && next.n <= base + 1) continue; // wholly covered by the snapshot
    const path = join(dir, seg.name);
    if (seg.n > expected || (readAny && seg.n !== expected)) {
      throw new JournalCorruptError(path, 0, `segment starts at record ${seg.n}, expected ${expected}`);
    }
    readAny = true;
    const scan = scanSegment(path, await readFile(path), seg.n, next === undefined);
    for (const [k, value] of scan.values.entries()) {
      if (seg.n + k === expected) {
        records.push(value as R);
        expected++;
      }
    }
    if (scan.goodEnd !== undefined) {
      dropped = 1;
      await truncateTo(path, scan.goodEnd);
    }
    if (next === undefined) tail = { path, first: seg.n, last: seg.n + scan.values.length - 1 };
  }
  return { recovered: { snapshot, records, dropped }, lastSeq: expected - 1, snapshotSeq: base, tail };
}

interface Scan {
  values: unknown[];
  /** Set when a torn last record was found: the length to cut the file back to. */
  goodEnd: number | undefined;
}

/** Reads a segment whose records must be `first`, `first + 1`, …; only the last segment may be torn. */
function scanSegment(path: string, buf: Buffer, first: number, isLast: boolean): Scan {
  const values: unknown[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl + 1;
    const decoded = nl < 0 ? 'incomplete record' : decodeRecord(buf.subarray(pos, nl));
    if (typeof decoded === 'string') {
      if (isLast && end === buf.length) return { values, goodEnd: pos };
      throw new JournalCorruptError(path, pos, decoded);
    }
    const want = first + values.length;
    if (decoded.seq !== want) {
      throw new JournalCorruptError(path, pos, `record ${decoded.seq} where ${want} was expected`);
    }
    values.push(decoded.value);
    pos = end;
  }
  return { values, goodEnd: undefined };
}

// ---------------------------------------------------------------------------------------------
// Files

interface OpenSegment {
  file: FileHandle;
  first: number;
}

/** Appends go on in the last segment if it ends at `lastSeq`, else (a newer snapshot) in a new one. */
async function openTail(dir: string, tail: Tail | undefined, lastSeq: number): Promise<OpenSegment> {
  if (tail !== undefined && tail.last === lastSeq) {
    return { file: await open(tail.path, 'a'), first: tail.first };
  }
  const file = await open(segmentPath(dir, lastSeq + 1), 'ax');
  await syncDir(dir);
  return { file, first: lastSeq + 1 };
}

async function truncateTo(path: string, length: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.truncate(length);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += (await file.write(bytes, off, bytes.length - off)).bytesWritten;
}

/** tmp file, fsync, rename, fsync the directory: the snapshot appears whole or not at all. */
async function writeSnapshotFile(dir: string, seq: number, text: string): Promise<void> {
  const path = snapshotPath(dir, seq);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await syncDir(dir);
}

/** Removes snapshots older than `seq` and segments whose records all precede `seq + 1`. */
async function removeSuperseded(dir: string, seq: number): Promise<void> {
  const names = await readdir(dir);
  for (const snap of numbered(names, SNAPSHOT_NAME)) {
    if (snap.n < seq) await unlink(join(dir, snap.name));
  }
  const segments = numbered(names, SEGMENT_NAME);
  for (const [i, seg] of segments.entries()) {
    const next = segments[i + 1];
    if (next !== undefined && next.n <= seq + 1) await unlink(join(dir, seg.name));
  }
}

/** Makes a created/renamed/removed name durable. Some platforms cannot fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err;
  } finally {
    await handle?.close();
  }
}
