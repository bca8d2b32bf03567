/**
 * RecordIO framing as the Mesos master writes its event stream: `<decimal byte length>\n<bytes>`,
 * no trailing newline. Pure: bytes in, records out.
 */

const NEWLINE = 0x0a;
/** Records larger than this are refused (a corrupt prefix would otherwise ask for gigabytes). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The stream cannot be decoded any further; drop the connection and resubscribe. */
export class RecordIOError extends Error {
  override readonly name = 'RecordIOError';
}

/**
 * An incremental decoder: feed it chunks split anywhere (inside the length prefix, between the
 * digits and the newline, inside a multi-byte UTF-8 character) and it returns every record
 * completed so far. A corrupt length prefix puts it in a failed state for good, like Mesos'
 * reference decoder: it never skips ahead to guess where the next record starts.
 */
export class RecordIODecoder {
  #failed: string | undefined;
  #header = '';
  #length = -1;
  #parts: Uint8Array[] = [];
  #received = 0;
  readonly #maxRecordBytes: number;

  constructor(maxRecordBytes = MAX_RECORD_BYTES) {
    this.#maxRecordBytes = maxRecordBytes;
  }

  /** True while part of a record (or of its length) has been received but not all of it. */
  get hasPartialRecord(): boolean {
    return this.#header.length > 0 || this.#length >= 0;
  }

  decode(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw new RecordIOError(this.#failed);
    const records: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#length < 0) {
        const nl = chunk.indexOf(NEWLINE, i);
        const end = nl < 0 ? chunk.length : nl;
        for (let j = i; j < end; j++) {
          const c = chunk[j] as number;
          if (c < 0x30 || c > 0x39 || this.#header.length >= 20) {
            return this.#fail(
              `corrupt RecordIO length prefix at byte ${j - i}: ${JSON.stringify(this.#header + String.fromCharCode(c))}`,
            );
          }
          this.#header += String.fromCharCode(c);
        }
        if (nl < 0) break;
        if (this.#header.length === 0) return this.#fail('corrupt RecordIO length prefix: empty');
        const length = Number(this.#header);
        if (length > this.#maxRecordBytes) {
          return this.#fail(
            `RecordIO record of ${length} bytes exceeds the ${this.#maxRecordBytes}-byte limit`,
          );
        }
        this.#header = '';
        this.#length = length;
        this.#parts = [];
        this.#received = 0;
        i = nl + 1;
        if (length === 0) {
          records.push(new Uint8Array(0));
          this.#length = -1;
        }
        continue;
      }
      const need = this.#length - this.#received;
      const take = Math.min(need, chunk.length - i);
      const piece = chunk.subarray(i, i + take);
      i += take;
      if (take === need && this.#parts.length === 0) {
        records.push(piece); // a view into the chunk: no copy for records that arrive whole
      } else {
        this.#parts.push(piece.slice());
        this.#received += take;
        if (this.#received === this.#length) records.push(concat(this.#parts, this.#length));
        else continue;
      }
      this.#length = -1;
      this.#parts = [];
      this.#received = 0;
    }
    return records;
  }

  #fail(message: string): never {
    this.#failed = message;
    throw new RecordIOError(message);
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const encoder = new TextEncoder();

/** Frames one record: its byte length in decimal, a newline, the bytes. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${payload.length}\n`);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}
