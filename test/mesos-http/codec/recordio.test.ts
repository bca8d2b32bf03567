import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import {
  encodeRecord,
  MAX_RECORD_BYTES,
  RecordIODecoder,
  RecordIOError,
} from '../../../src/mesos-http/codec/recordio.ts';
import { concat, cut, fromHex, hex, text, utf8 } from '../../helpers/bytes.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Feeds every chunk to one decoder and returns all records, copied (a record may be a view). */
function decodeAll(chunks: readonly Uint8Array[], decoder = new RecordIODecoder()): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) for (const r of decoder.decode(c)) out.push(r.slice());
  return out;
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => Uint8Array.of(b));
}

// §1.5: SUBSCRIBED (107 bytes) then HEARTBEAT (20 bytes) as a JSON stream.
const SUBSCRIBED_TEXT =
  '{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f3c1-0000"},"heartbeat_interval_seconds":15.0}}';
const HEARTBEAT_TEXT = '{"type":"HEARTBEAT"}';
const JSON_STREAM = concat([encodeRecord(utf8(SUBSCRIBED_TEXT)), encodeRecord(utf8(HEARTBEAT_TEXT))]);

test('RecordIO › frames the §1.5 SUBSCRIBED record with the 107-byte prefix and the bytes shown', (t) => {
  const record = encodeRecord(utf8(SUBSCRIBED_TEXT));
  t.is(record.length, 4 + 107);
  t.is(hex(record.subarray(0, 16)), '31 30 37 0a 7b 22 74 79 70 65 22 3a 22 53 55 42');
  t.is(text(record), `107\n${SUBSCRIBED_TEXT}`);
});

test('RecordIO › frames the §1.5 HEARTBEAT record as the exact bytes shown', (t) => {
  t.is(
    hex(encodeRecord(utf8(HEARTBEAT_TEXT))),
    '32 30 0a 7b 22 74 79 70 65 22 3a 22 48 45 41 52 54 42 45 41 54 22 7d',
  );
});

test('RecordIO › the §1.5 JSON stream is the two records back to back, with nothing between or after', (t) => {
  t.is(text(JSON_STREAM), `107\n${SUBSCRIBED_TEXT}20\n${HEARTBEAT_TEXT}`);
  t.is(JSON_STREAM.length, 4 + 107 + 3 + 20);
});

test('RecordIO › decodes the §1.5 JSON stream into SUBSCRIBED then HEARTBEAT', (t) => {
  const records = decodeAll([JSON_STREAM]);
  t.deepEqual(records.map(text), [SUBSCRIBED_TEXT, HEARTBEAT_TEXT]);
});

test('RecordIO › frames and decodes the §1.5 protobuf HEARTBEAT record 32 0a 08 08', (t) => {
  t.is(hex(encodeRecord(Uint8Array.of(0x08, 0x08))), '32 0a 08 08');
  t.deepEqual(
    decodeAll([fromHex('32 0a 08 08')]).map((r) => hex(r)),
    ['08 08'],
  );
});

test('RecordIO › frames and decodes the §1.5 protobuf ERROR "x" record 37 0a 08 07 42 03 0a 01 78', (t) => {
  t.is(hex(encodeRecord(fromHex('08 07 42 03 0a 01 78'))), '37 0a 08 07 42 03 0a 01 78');
  t.deepEqual(
    decodeAll([fromHex('37 0a 08 07 42 03 0a 01 78')]).map((r) => hex(r)),
    ['08 07 42 03 0a 01 78'],
  );
});

test('RecordIO › encodeRecord writes the byte length, a newline and the bytes, with no trailing newline', (t) => {
  const record = encodeRecord(utf8('hello'));
  t.deepEqual(record, ascii('5\nhello'));
  t.not(record[record.length - 1], 0x0a);
});

test('RecordIO › encodeRecord counts UTF-8 bytes, not characters (é, 漢, emoji)', (t) => {
  const payload = '{"m":"é漢😀"}';
  t.is(payload.length, 12); // UTF-16 code units
  const bytes = utf8(payload);
  t.is(bytes.length, 17); // 2 + 3 + 4 bytes for the three characters
  const record = encodeRecord(bytes);
  t.is(text(record), `17\n${payload}`);
  t.deepEqual(decodeAll([record]).map(text), [payload]);
});

test('RecordIO › encodeRecord of an empty payload is "0\\n"', (t) => {
  t.deepEqual(encodeRecord(new Uint8Array(0)), ascii('0\n'));
});

test('RecordIO › decodes a record split inside its length prefix', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('1')), []);
  t.true(decoder.hasPartialRecord);
  const records = decoder.decode(ascii(`07\n${SUBSCRIBED_TEXT}`));
  t.deepEqual(records.map(text), [SUBSCRIBED_TEXT]);
  t.false(decoder.hasPartialRecord);
});

test('RecordIO › decodes a record split between the digits and the newline', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('20')), []);
  t.deepEqual(decoder.decode(ascii('\n')), []);
  t.true(decoder.hasPartialRecord);
  t.deepEqual(decoder.decode(utf8(HEARTBEAT_TEXT)).map(text), [HEARTBEAT_TEXT]);
});

test('RecordIO › decodes a record split right after the newline and inside its data', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('20\n')), []);
  t.deepEqual(decoder.decode(utf8('{"type":"HEA')), []);
  t.true(decoder.hasPartialRecord);
  t.deepEqual(decoder.decode(utf8('RTBEAT"}')).map(text), [HEARTBEAT_TEXT]);
});

test('RecordIO › decodes a record split inside every multi-byte UTF-8 character', (t) => {
  const payload = '{"m":"é漢😀"}';
  const record = encodeRecord(utf8(payload));
  const start = '17\n{"m":"'.length;
  // cut between the 2 bytes of é, after the first byte of 漢, and after 2 of the 4 bytes of the emoji
  const chunks = cut(record, [start + 1, start + 3, start + 7]);
  t.is(chunks.length, 4);
  t.throws(() => text(chunks[1] ?? new Uint8Array(0))); // the chunks really end mid-character
  t.deepEqual(decodeAll(chunks).map(text), [payload]);
});

test('RecordIO › decodes several records that arrive in one chunk', (t) => {
  const stream = concat([
    encodeRecord(utf8('a')),
    encodeRecord(utf8('bc')),
    encodeRecord(new Uint8Array(0)),
    encodeRecord(utf8('0123456789x')),
  ]);
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(stream).map(text), ['a', 'bc', '', '0123456789x']);
  t.false(decoder.hasPartialRecord);
});

test('RecordIO › decodes a chunk that ends one record and starts the next', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('3\nab')), []);
  t.deepEqual(decoder.decode(ascii('c4\nde')).map(text), ['abc']);
  t.true(decoder.hasPartialRecord);
  t.deepEqual(decoder.decode(ascii('fg')).map(text), ['defg']);
  t.false(decoder.hasPartialRecord);
});

test('RecordIO › decodes the §1.5 JSON stream fed one byte at a time', (t) => {
  t.deepEqual(decodeAll(bytewise(JSON_STREAM)).map(text), [SUBSCRIBED_TEXT, HEARTBEAT_TEXT]);
});

test('RecordIO › decodes a protobuf stream fed one byte at a time', (t) => {
  const stream = fromHex('32 0a 08 08 37 0a 08 07 42 03 0a 01 78 32 0a 08 08');
  t.deepEqual(
    decodeAll(bytewise(stream)).map((r) => hex(r)),
    ['08 08', '08 07 42 03 0a 01 78', '08 08'],
  );
});

test('RecordIO › an empty chunk decodes to nothing and changes nothing', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(new Uint8Array(0)), []);
  t.false(decoder.hasPartialRecord);
  decoder.decode(ascii('2'));
  t.deepEqual(decoder.decode(new Uint8Array(0)), []);
  t.true(decoder.hasPartialRecord);
  t.deepEqual(decoder.decode(ascii('\nok')).map(text), ['ok']);
});

test('RecordIO › decodes a zero-length record as an empty record', (t) => {
  const decoder = new RecordIODecoder();
  const records = decoder.decode(ascii('0\n'));
  t.is(records.length, 1);
  t.is(records[0]?.length, 0);
  t.false(decoder.hasPartialRecord);
  t.deepEqual(decoder.decode(ascii('0\n2\nhi0\n')).map(text), ['', 'hi', '']);
});

test('RecordIO › a length prefix with leading zeros is still a decimal length', (t) => {
  t.deepEqual(decodeAll([ascii('002\nhi')]).map(text), ['hi']);
});

for (const [label, prefix] of [
  ['letters', 'ab\n'],
  ['a minus sign', '-5\n'],
  ['a plus sign', '+5\n'],
  ['an empty length line', '\n'],
  ['a space before the digits', ' 5\n'],
  ['a CR before the LF', '5\r\n'],
  ['a hex length', '0x5\n'],
  ['a decimal point', '5.0\n'],
] as const) {
  test(`RecordIO › a corrupt prefix (${label}) throws RecordIOError`, (t) => {
    const decoder = new RecordIODecoder();
    const err = t.throws(() => decoder.decode(ascii(`${prefix}hello`)), { instanceOf: RecordIOError });
    t.is(err?.name, 'RecordIOError');
  });
}

test('RecordIO › a corrupt prefix split across chunks throws once the bad byte arrives', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('1')), []);
  t.throws(() => decoder.decode(ascii('x\n')), { instanceOf: RecordIOError });
});

test('RecordIO › after a corrupt prefix every later decode keeps throwing (it never skips ahead)', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('2\nhi')).map(text), ['hi']);
  t.throws(() => decoder.decode(ascii('x\n')), { instanceOf: RecordIOError });
  // a perfectly good record, an empty chunk, a zero-length record: all refused
  t.throws(() => decoder.decode(encodeRecord(utf8(HEARTBEAT_TEXT))), { instanceOf: RecordIOError });
  t.throws(() => decoder.decode(new Uint8Array(0)), { instanceOf: RecordIOError });
  t.throws(() => decoder.decode(ascii('0\n')), { instanceOf: RecordIOError });
  t.throws(() => decoder.decode(ascii('2\nhi')), { instanceOf: RecordIOError });
});

test('RecordIO › an empty length line after good records fails the decoder for good', (t) => {
  const decoder = new RecordIODecoder();
  t.deepEqual(decoder.decode(ascii('1\na')).map(text), ['a']);
  t.throws(() => decoder.decode(ascii('\n1\nb')), { instanceOf: RecordIOError });
  t.throws(() => decoder.decode(ascii('1\nb')), { instanceOf: RecordIOError });
});

test('RecordIO › a record larger than the limit is refused', (t) => {
  const decoder = new RecordIODecoder(10);
  t.throws(() => decoder.decode(ascii('11\n')), { instanceOf: RecordIOError });
  t.throws(() => decoder.decode(ascii('1\na')), { instanceOf: RecordIOError });
});

test('RecordIO › a record exactly at the limit is accepted', (t) => {
  const decoder = new RecordIODecoder(10);
  t.deepEqual(decoder.decode(ascii('10\n0123456789')).map(text), ['0123456789']);
});

test('RecordIO › the default limit refuses a huge length before any of its data arrives', (t) => {
  const decoder = new RecordIODecoder();
  t.throws(() => decoder.decode(ascii(`${MAX_RECORD_BYTES + 1}\n`)), { instanceOf: RecordIOError });
  t.throws(() => new RecordIODecoder().decode(ascii('99999999999999999999\n')), {
    instanceOf: RecordIOError,
  });
});

test('RecordIO › a length prefix longer than any uint64 is refused without waiting for the newline', (t) => {
  const decoder = new RecordIODecoder();
  t.throws(() => decoder.decode(ascii('1'.repeat(64))), { instanceOf: RecordIOError });
});

test('RecordIO › hasPartialRecord tells whether the stream ended mid-record', (t) => {
  const decoder = new RecordIODecoder();
  t.false(decoder.hasPartialRecord, 'fresh decoder');
  decoder.decode(ascii('1'));
  t.true(decoder.hasPartialRecord, 'inside the length prefix');
  decoder.decode(ascii('0'));
  t.true(decoder.hasPartialRecord, 'before the newline');
  decoder.decode(ascii('\n'));
  t.true(decoder.hasPartialRecord, 'right after the newline');
  decoder.decode(ascii('01234'));
  t.true(decoder.hasPartialRecord, 'inside the data');
  decoder.decode(ascii('56789'));
  t.false(decoder.hasPartialRecord, 'at a record boundary');
  decoder.decode(ascii('0\n'));
  t.false(decoder.hasPartialRecord, 'after a zero-length record');
});

test(`RecordIO › random payloads in random chunks decode to exactly the payloads, in order (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (payloads, offsets) => {
        const stream = concat(payloads.map(encodeRecord));
        const decoder = new RecordIODecoder();
        const records = decodeAll(cut(stream, offsets), decoder);
        assert.deepStrictEqual(records, payloads);
        assert.equal(decoder.hasPartialRecord, false);
      },
    ),
    fcParams(300),
  );
  t.pass();
});

test(`RecordIO › a stream cut short yields only the complete records and reports the partial one (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 1, maxLength: 10 }),
      fc.nat(),
      fc.array(fc.nat(), { maxLength: 10 }),
      (payloads, end, offsets) => {
        const framed = payloads.map(encodeRecord);
        const stream = concat(framed);
        const stop = end % (stream.length + 1);
        // which records end at or before `stop`, and does `stop` fall on a record boundary?
        const complete: Uint8Array[] = [];
        let at = 0;
        let boundary = stop === 0;
        for (const [i, f] of framed.entries()) {
          at += f.length;
          if (at > stop) break;
          complete.push(payloads[i] ?? new Uint8Array(0));
          if (at === stop) boundary = true;
        }
        const decoder = new RecordIODecoder();
        const records = decodeAll(cut(stream.slice(0, stop), offsets), decoder);
        assert.deepStrictEqual(records, complete);
        assert.equal(decoder.hasPartialRecord, !boundary);
      },
    ),
    fcParams(300),
  );
  t.pass();
});
