import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { TASK_STATES } from '../../../src/core/mesos/task-states.ts';
import type { Event } from '../../../src/core/mesos/v1.ts';
import { decodeEventFast } from '../../../src/mesos-http/codec/event-decoder.ts';
import { eventType } from '../../../src/mesos-http/codec/proto-root.ts';
import { decodeEventProto, encodeEventProto } from '../../../src/mesos-http/codec/protobuf.ts';
import { concat, fromHex, hex } from '../../helpers/bytes.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

// ---- the reference: protobufjs decode + toObject, as decodeEventProto did before the fast decoder ----

const TO_OBJECT = { enums: String, longs: String, bytes: String } as const;

interface WithRanges {
  ranges?: { range?: { begin: unknown; end: unknown }[] };
}
interface ReferenceEvent {
  type?: string | number;
  offers?: { offers?: { resources?: WithRanges[]; attributes?: WithRanges[] }[] };
}

function referenceDecode(bytes: Uint8Array): Event {
  const type = eventType();
  const event = type.toObject(type.decode(bytes), TO_OBJECT) as ReferenceEvent;
  if (event.type === undefined) return { type: 'UNKNOWN' };
  if (event.type === 'OFFERS') {
    for (const offer of event.offers?.offers ?? []) {
      for (const holder of [...(offer.resources ?? []), ...(offer.attributes ?? [])]) {
        for (const range of holder.ranges?.range ?? []) {
          range.begin = Number(range.begin);
          range.end = Number(range.end);
        }
      }
    }
  }
  if (typeof event.type === 'number') return { type: 'UNKNOWN' };
  return event as Event;
}

type Outcome = { threw: false; value: Event } | { threw: true; error: unknown };

function attempt(decode: (bytes: Uint8Array) => Event, bytes: Uint8Array): Outcome {
  try {
    return { threw: false, value: decode(bytes) };
  } catch (error) {
    return { threw: true, error };
  }
}

/** The fast decoder throws where protobufjs throws, and otherwise returns the same object, keys in the same order. */
function assertAgrees(bytes: Uint8Array, label = ''): void {
  const expected = attempt(referenceDecode, bytes);
  const actual = attempt(decodeEventFast, bytes);
  const where = `${label} ${hex(bytes)}`;
  if (expected.threw) {
    assert.ok(
      actual.threw,
      `protobufjs threw ${String(expected.error)} but the fast decoder returned ${inspect(actual.threw ? undefined : actual.value, { depth: 9 })}: ${where}`,
    );
    assert.ok(actual.error instanceof Error, where);
    return;
  }
  assert.ok(
    !actual.threw,
    `the fast decoder threw ${actual.threw ? String(actual.error) : ''} where protobufjs returned ${inspect(expected.value, { depth: 9 })}: ${where}`,
  );
  assert.deepStrictEqual(actual.value, expected.value, where);
  assert.equal(JSON.stringify(actual.value), JSON.stringify(expected.value), `key order: ${where}`);
}

// ---- a protobuf writer for byte-level fixtures --------------------------------------------------------

type Bytes = Uint8Array;

/** A varint of a 64-bit value; negative numbers as their two's complement, like int64 and int32. */
function varint(value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

const key = (field: number, wireType: number): Bytes => varint((field << 3) | wireType);
/** A varint field (int32, int64, uint32, uint64, bool, enum). */
const num = (field: number, value: number | bigint): Bytes => concat([key(field, 0), varint(value)]);
/** A length-delimited field (string, bytes, message). */
function delimited(field: number, payload: Bytes | string): Bytes {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return concat([key(field, 2), varint(body.length), body]);
}
/** An embedded message field. */
const msg = (field: number, ...parts: Bytes[]): Bytes => delimited(field, concat(parts));
function f64(field: number, value: number): Bytes {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, true);
  return concat([key(field, 1), b]);
}
const f32 = (field: number): Bytes => concat([key(field, 5), Uint8Array.of(1, 2, 3, 4)]);
const event = (...parts: Bytes[]): Bytes => concat(parts);

// mesos.v1.scheduler.Event field numbers and Event.Type values (./src/mesos-http/codec/mesos-proto.ts)
const TYPE = 1;
const E = {
  SUBSCRIBED: 1,
  OFFERS: 2,
  RESCIND: 3,
  UPDATE: 4,
  MESSAGE: 5,
  FAILURE: 6,
  ERROR: 7,
  HEARTBEAT: 8,
  INVERSE_OFFERS: 9,
  RESCIND_INVERSE_OFFER: 10,
  UPDATE_OPERATION_STATUS: 11,
};
const id = (field: number, value: string): Bytes => msg(field, delimited(1, value));

const MASTER = '7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c';
const FW = `${MASTER}-0000`;

function check(t: { deepEqual(a: unknown, b: unknown): void }, bytes: Bytes, expected: unknown): void {
  t.deepEqual(decodeEventFast(bytes), expected);
  assertAgrees(bytes);
}

// ---- fixtures ---------------------------------------------------------------------------------------

test('event decoder › reads HEARTBEAT (08 08) and ERROR "x" (08 07 42 03 0a 01 78)', (t) => {
  check(t, fromHex('08 08'), { type: 'HEARTBEAT' });
  check(t, fromHex('08 07 42 03 0a 01 78'), { type: 'ERROR', error: { message: 'x' } });
});

test('event decoder › reads a SUBSCRIBED event with its heartbeat interval and master info', (t) => {
  const bytes = event(
    num(TYPE, E.SUBSCRIBED),
    msg(
      2,
      id(1, FW),
      f64(2, 15),
      msg(
        3,
        delimited(1, MASTER),
        num(2, 0xfeffffff), // uint32 above 2^31
        num(3, 5050),
        delimited(4, 'master@10.0.0.1:5050'),
        delimited(5, 'm1.lab'),
        delimited(6, '1.12.0'),
        msg(7, delimited(1, 'm1.lab'), delimited(2, '10.0.0.1'), num(3, 5050)),
        msg(9, num(1, 1)),
        msg(9, num(1, 3)),
        msg(9), // a capability without a type
      ),
    ),
  );
  check(t, bytes, {
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: { value: FW },
      heartbeat_interval_seconds: 15,
      master_info: {
        id: MASTER,
        ip: 0xfeffffff,
        port: 5050,
        pid: 'master@10.0.0.1:5050',
        hostname: 'm1.lab',
        version: '1.12.0',
        address: { hostname: 'm1.lab', ip: '10.0.0.1', port: 5050 },
        capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'QUOTA_V2' }, {}],
      },
    },
  });
});

/** An offer with resources of every Value type, attributes of every Value type and all optional parts. */
const RICH_OFFER = msg(
  1,
  id(1, `${MASTER}-O41`),
  id(2, FW),
  id(3, `${MASTER}-S0`),
  delimited(4, 'node-a.lab'),
  // resources (5)
  msg(
    5,
    delimited(1, 'cpus'),
    num(2, 0),
    msg(3, f64(1, 7.5)),
    delimited(6, '*'),
    msg(11, delimited(1, 'lab')),
  ),
  msg(
    5,
    delimited(1, 'ports'),
    num(2, 1),
    msg(4, msg(1, num(1, 31000), num(2, 31099)), msg(1, num(1, 2n ** 53n + 1n), num(2, 2n ** 64n - 1n))),
  ),
  msg(5, delimited(1, 'disks'), num(2, 2), msg(5, delimited(1, 'ssd'), delimited(1, 'hdd'))),
  msg(
    5,
    delimited(1, 'mem'),
    num(2, 0),
    msg(3, f64(1, 30720)),
    msg(8, num(4, 2), delimited(3, 'lab'), delimited(1, 'ops'), msg(2, msg(1, delimited(1, 'k')))),
    msg(9),
    msg(10),
    msg(13, num(4, 1), delimited(3, 'lab')),
    msg(13, num(4, 2), delimited(3, 'lab/team'), msg(2, msg(1, delimited(1, 'a'), delimited(2, 'b')))),
  ),
  // executor_ids (6)
  id(6, 'lab-custom-executor-3'),
  // attributes (7): TEXT, SCALAR, RANGES, SET
  msg(7, delimited(1, 'nodetype'), num(2, 3), msg(5, delimited(1, 'lab'))),
  msg(7, delimited(1, 'cores'), num(2, 0), msg(3, f64(1, 16))),
  msg(7, delimited(1, 'slots'), num(2, 1), msg(4, msg(1, num(1, 1), num(2, 4)))),
  msg(7, delimited(1, 'zones'), num(2, 2), msg(6, delimited(1, 'a'), delimited(1, 'b'))),
  // url (8)
  msg(
    8,
    delimited(1, 'http'),
    msg(2, delimited(1, 'node-a.lab'), delimited(2, '10.0.0.11'), num(3, 5051)),
    delimited(3, '/slave(1)'),
    msg(4, delimited(1, 'q'), delimited(2, '1')),
    delimited(5, 'top'),
  ),
  // unavailability (9): start above 2^53, a negative duration
  msg(9, msg(1, num(1, 1718006400123456789n)), msg(2, num(1, -1))),
  // allocation_info (10)
  msg(10, delimited(1, 'lab')),
);

const RICH_OFFER_OBJECT = {
  id: { value: `${MASTER}-O41` },
  framework_id: { value: FW },
  agent_id: { value: `${MASTER}-S0` },
  hostname: 'node-a.lab',
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 7.5 }, role: '*', allocation_info: { role: 'lab' } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: {
        range: [
          { begin: 31000, end: 31099 },
          { begin: 2 ** 53, end: 2 ** 64 }, // Number('9007199254740993'), Number('18446744073709551615')
        ],
      },
    },
    { name: 'disks', type: 'SET', set: { item: ['ssd', 'hdd'] } },
    {
      name: 'mem',
      type: 'SCALAR',
      scalar: { value: 30720 },
      reservation: { principal: 'ops', labels: { labels: [{ key: 'k' }] }, role: 'lab', type: 'DYNAMIC' },
      revocable: {},
      shared: {},
      reservations: [
        { role: 'lab', type: 'STATIC' },
        { labels: { labels: [{ key: 'a', value: 'b' }] }, role: 'lab/team', type: 'DYNAMIC' },
      ],
    },
  ],
  executor_ids: [{ value: 'lab-custom-executor-3' }],
  attributes: [
    { name: 'nodetype', type: 'TEXT', text: { value: 'lab' } },
    { name: 'cores', type: 'SCALAR', scalar: { value: 16 } },
    { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } },
    { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
  ],
  url: {
    scheme: 'http',
    address: { hostname: 'node-a.lab', ip: '10.0.0.11', port: 5051 },
    path: '/slave(1)',
    query: [{ key: 'q', value: '1' }],
    fragment: 'top',
  },
  unavailability: { start: { nanoseconds: '1718006400123456789' }, duration: { nanoseconds: '-1' } },
  allocation_info: { role: 'lab' },
};

test('event decoder › reads an OFFERS event: every Value type, attributes, url, unavailability above 2^53, allocation info', (t) => {
  const minimal = msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'));
  check(t, event(num(TYPE, E.OFFERS), msg(3, RICH_OFFER, minimal)), {
    type: 'OFFERS',
    offers: {
      offers: [
        RICH_OFFER_OBJECT,
        { id: { value: 'o' }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, hostname: 'h' },
      ],
    },
  });
});

test('event decoder › reads offer ids of any length and content, in any order, given once or twice', (t) => {
  const offer = (...parts: Bytes[]) =>
    event(num(TYPE, E.OFFERS), msg(3, msg(1, ...parts, delimited(4, 'h'))));
  const values = ['', 'o', 'x'.repeat(15), 'x'.repeat(16), `${MASTER}-O41`, 'ü'.repeat(20), 'x'.repeat(124)];
  values.push('x'.repeat(125), 'x'.repeat(126), 'x'.repeat(300), `${MASTER}-\u00ff`);
  for (const v of values) {
    const decoded = decodeEventFast(offer(id(1, v), id(2, `${v}f`), id(3, `a${v}`))) as {
      offers: {
        offers: { id: { value: string }; framework_id: { value: string }; agent_id: { value: string } }[];
      };
    };
    t.deepEqual(decoded.offers.offers[0]?.id, { value: v });
    t.deepEqual(decoded.offers.offers[0]?.framework_id, { value: `${v}f` });
    t.deepEqual(decoded.offers.offers[0]?.agent_id, { value: `a${v}` });
    assertAgrees(offer(id(1, v), id(2, `${v}f`), id(3, `a${v}`)), v);
    assertAgrees(offer(id(2, v), id(1, v), id(3, v)), v);
    assertAgrees(offer(id(1, v), id(2, v), id(3, v), id(1, 'again'), id(3, 'again')), v);
    assertAgrees(offer(msg(1, delimited(1, v), num(99, 1)), id(2, v), id(3, v)), v);
    assertAgrees(offer(id(1, v), id(2, v)), v); // no agent id
  }
});

test('event decoder › keeps range bounds as decimal strings outside an OFFERS event, as protobufjs does', (t) => {
  const resource = msg(5, delimited(1, 'p'), num(2, 1), msg(4, msg(1, num(1, 1), num(2, 2n ** 64n - 1n))));
  const offers = msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), resource));
  // the offers field in a HEARTBEAT: protobufjs leaves uint64 as strings there
  const decoded = decodeEventFast(event(num(TYPE, E.HEARTBEAT), offers)) as unknown as {
    offers: { offers: { resources: { ranges: { range: unknown[] } }[] }[] };
  };
  t.deepEqual(decoded.offers.offers[0]?.resources[0]?.ranges.range, [
    { begin: '1', end: '18446744073709551615' },
  ]);
  assertAgrees(event(num(TYPE, E.HEARTBEAT), offers));
  // the type after the offers (or given twice) decides, not the type seen first
  assertAgrees(event(offers, num(TYPE, E.OFFERS)));
  assertAgrees(event(num(TYPE, E.OFFERS), offers, num(TYPE, E.HEARTBEAT)));
  assertAgrees(event(num(TYPE, E.HEARTBEAT), offers, num(TYPE, E.OFFERS), offers));
  // inverse offers keep strings even in an OFFERS event
  const inverse = msg(
    9,
    msg(
      1,
      id(1, 'i'),
      id(3, 'f'),
      msg(5, msg(1, num(1, 5))),
      msg(6, delimited(1, 'p'), num(2, 1), msg(4, msg(1, num(1, 7), num(2, 8)))),
    ),
  );
  assertAgrees(event(num(TYPE, E.OFFERS), inverse));
  assertAgrees(event(num(TYPE, E.INVERSE_OFFERS), inverse));
});

test('event decoder › reads an UPDATE: uuid bytes, state, reason, source, timestamp, unreachable_time', (t) => {
  const uuid = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  const bytes = event(
    num(TYPE, E.UPDATE),
    msg(
      5,
      msg(
        1,
        id(1, 'analytics-worker.5b1c9e'),
        num(2, 10), // TASK_UNREACHABLE
        delimited(3, Uint8Array.of(0xff, 0x00, 0x7f)),
        delimited(4, 'health check timed out'),
        id(5, `${MASTER}-S0`),
        f64(6, 1718000500.4817),
        id(7, 'exec'),
        num(8, 1),
        num(9, 0), // SOURCE_MASTER
        num(10, 11), // REASON_AGENT_REMOVED
        delimited(11, uuid),
        msg(12, msg(1, delimited(1, 'k'), delimited(2, 'v'))),
        msg(14, num(1, 1718000500481516273n)),
      ),
    ),
  );
  check(t, bytes, {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: 'analytics-worker.5b1c9e' },
        state: 'TASK_UNREACHABLE',
        data: '/wB/',
        message: 'health check timed out',
        agent_id: { value: `${MASTER}-S0` },
        timestamp: 1718000500.4817,
        executor_id: { value: 'exec' },
        healthy: true,
        source: 'SOURCE_MASTER',
        reason: 'REASON_AGENT_REMOVED',
        uuid: Buffer.from(uuid).toString('base64'),
        labels: { labels: [{ key: 'k', value: 'v' }] },
        unreachable_time: { nanoseconds: '1718000500481516273' },
      },
    },
  });
  t.is(
    (decodeEventFast(bytes) as { update: { status: { uuid: string } } }).update.status.uuid,
    'ABEiM0RVZneImaq7zN3u/w==',
  );
});

test('event decoder › reads RESCIND, FAILURE, MESSAGE, RESCIND_INVERSE_OFFER and UPDATE_OPERATION_STATUS', (t) => {
  check(t, event(num(TYPE, E.RESCIND), msg(4, id(1, `${MASTER}-O42`))), {
    type: 'RESCIND',
    rescind: { offer_id: { value: `${MASTER}-O42` } },
  });
  check(t, event(num(TYPE, E.FAILURE), msg(7, id(1, 'S1'))), {
    type: 'FAILURE',
    failure: { agent_id: { value: 'S1' } },
  });
  check(t, event(num(TYPE, E.FAILURE), msg(7, id(1, 'S1'), id(2, 'e'), num(3, -1))), {
    type: 'FAILURE',
    failure: { agent_id: { value: 'S1' }, executor_id: { value: 'e' }, status: -1 },
  });
  check(t, event(num(TYPE, E.FAILURE), msg(7)), { type: 'FAILURE', failure: {} });
  check(t, event(num(TYPE, E.MESSAGE), msg(6, id(1, 'S1'), id(2, 'e'), delimited(3, 'hello executor'))), {
    type: 'MESSAGE',
    message: { agent_id: { value: 'S1' }, executor_id: { value: 'e' }, data: 'aGVsbG8gZXhlY3V0b3I=' },
  });
  check(t, event(num(TYPE, E.MESSAGE), msg(6, id(1, 'S1'), id(2, 'e'), delimited(3, ''))), {
    type: 'MESSAGE',
    message: { agent_id: { value: 'S1' }, executor_id: { value: 'e' }, data: '' },
  });
  check(t, event(num(TYPE, E.RESCIND_INVERSE_OFFER), msg(10, id(1, 'i'))), {
    type: 'RESCIND_INVERSE_OFFER',
    rescind_inverse_offer: { inverse_offer_id: { value: 'i' } },
  });
  check(t, event(num(TYPE, E.UPDATE_OPERATION_STATUS), msg(11, num(1, 1))), {
    type: 'UPDATE_OPERATION_STATUS',
  });
  check(t, event(num(TYPE, E.ERROR), msg(8, delimited(1, 'Framework failed over'))), {
    type: 'ERROR',
    error: { message: 'Framework failed over' },
  });
});

test('event decoder › an unknown or absent event type decodes as UNKNOWN, an explicit UNKNOWN (0) keeps its payload', (t) => {
  check(t, fromHex('08 63'), { type: 'UNKNOWN' }); // 99
  check(t, new Uint8Array(0), { type: 'UNKNOWN' });
  check(t, event(msg(8, delimited(1, 'x'))), { type: 'UNKNOWN' }); // no type, a valid payload
  check(t, event(num(TYPE, 0), msg(8, delimited(1, 'x'))), { type: 'UNKNOWN', error: { message: 'x' } });
  // a closed enum: an unknown number leaves the field as it was
  check(t, event(num(TYPE, E.HEARTBEAT), num(TYPE, 99)), { type: 'HEARTBEAT' });
  // enums keep the low 32 bits of their varint: 2^32 + 8 is HEARTBEAT, -1 is unknown
  check(t, event(num(TYPE, 2n ** 32n + 8n)), { type: 'HEARTBEAT' });
  check(t, event(num(TYPE, -1)), { type: 'UNKNOWN' });
  // a payload that does not match the type is kept, and still checked
  check(t, event(num(TYPE, E.HEARTBEAT), msg(8, delimited(1, 'x'))), {
    type: 'HEARTBEAT',
    error: { message: 'x' },
  });
  t.throws(() => decodeEventFast(event(msg(8))), { message: "missing required 'message'" });
});

test('event decoder › every enum number of every enum field decodes like protobufjs', (t) => {
  const offerWith = (resource: Bytes, attribute: Bytes) =>
    event(
      num(TYPE, E.OFFERS),
      msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), resource, attribute)),
    );
  for (let n = -1; n <= 40; n++) {
    assertAgrees(event(num(TYPE, n)), `Event.type ${n}`);
    assertAgrees(offerWith(msg(5, delimited(1, 'r'), num(2, n)), new Uint8Array(0)), `Resource.type ${n}`);
    assertAgrees(offerWith(new Uint8Array(0), msg(7, delimited(1, 'a'), num(2, n))), `Attribute.type ${n}`);
    assertAgrees(
      offerWith(msg(5, delimited(1, 'r'), num(2, 0), msg(8, num(4, n))), new Uint8Array(0)),
      `ReservationInfo.type ${n}`,
    );
    assertAgrees(
      event(msg(2, id(1, 'f'), msg(3, delimited(1, 'm'), num(2, 1), num(3, 2), msg(9, num(1, n))))),
      `MasterInfo.Capability ${n}`,
    );
    const status = (...parts: Bytes[]) => event(num(TYPE, E.UPDATE), msg(5, msg(1, id(1, 't'), ...parts)));
    assertAgrees(status(num(2, n)), `TaskState ${n}`);
    assertAgrees(status(num(2, 1), num(9, n)), `TaskStatus.Source ${n}`);
    assertAgrees(status(num(2, 1), num(10, n)), `TaskStatus.Reason ${n}`);
  }
  t.pass();
});

test('event decoder › int64 nanoseconds keep every digit at the edges of the 64-bit range', (t) => {
  const values = [
    0n,
    1n,
    -1n,
    2n ** 31n,
    2n ** 32n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    -(2n ** 53n),
    -(2n ** 53n) - 1n,
  ];
  values.push(
    2n ** 63n - 1n,
    -(2n ** 63n),
    1718006400123456789n,
    -1718006400123456789n,
    0xffffffffn,
    -0x100000000n,
  );
  for (const v of values) {
    const bytes = event(num(TYPE, E.UPDATE), msg(5, msg(1, id(1, 't'), num(2, 1), msg(14, num(1, v)))));
    const decoded = decodeEventFast(bytes) as {
      update: { status: { unreachable_time: { nanoseconds: string } } };
    };
    t.is(decoded.update.status.unreachable_time.nanoseconds, v.toString());
    assertAgrees(bytes);
  }
});

test('event decoder › uint64 range bounds become the nearest number in offers, exact strings elsewhere', (t) => {
  const values = [
    0n,
    127n,
    128n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n - 1n,
    2n ** 53n + 1n,
    2n ** 53n + 3n,
    2n ** 63n,
    2n ** 64n - 1n,
  ];
  for (const v of values) {
    for (const type of [E.OFFERS, E.HEARTBEAT]) {
      const bytes = event(
        num(TYPE, type),
        msg(
          3,
          msg(
            1,
            id(1, 'o'),
            id(2, 'f'),
            id(3, 'a'),
            delimited(4, 'h'),
            msg(7, delimited(1, 'p'), num(2, 1), msg(4, msg(1, num(1, v), num(2, v)))),
          ),
        ),
      );
      const decoded = decodeEventFast(bytes) as unknown as {
        offers: { offers: { attributes: { ranges: { range: { begin: unknown }[] } }[] }[] };
      };
      const begin = decoded.offers.offers[0]?.attributes[0]?.ranges.range[0]?.begin;
      t.is(begin, type === E.OFFERS ? Number(v) : v.toString());
      assertAgrees(bytes);
    }
  }
});

test('event decoder › doubles and floats: NaN, infinities, -0, subnormals', (t) => {
  for (const v of [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    5e-324,
    Number.MAX_VALUE,
    0.1,
  ]) {
    const bytes = event(num(TYPE, E.SUBSCRIBED), msg(2, id(1, 'f'), f64(2, v)));
    const decoded = decodeEventFast(bytes) as { subscribed: { heartbeat_interval_seconds: number } };
    t.true(Object.is(decoded.subscribed.heartbeat_interval_seconds, v), String(v));
    assertAgrees(bytes);
  }
});

test('event decoder › a bool is true when any bit of its varint is set, int32 keeps the low 32 bits', (t) => {
  const status = (healthy: Bytes) =>
    event(num(TYPE, E.UPDATE), msg(5, msg(1, id(1, 't'), num(2, 1), healthy)));
  for (const raw of [
    '40 00',
    '40 01',
    '40 02',
    '40 80 00',
    '40 80 80 80 80 10',
    '40 80 80 80 80 80 80 80 80 80 00',
    '40 80 80 80 80 80 80 80 80 80 01',
  ]) {
    assertAgrees(status(fromHex(raw)), raw);
  }
  const decoded = decodeEventFast(status(fromHex('40 80 80 80 80 10'))) as {
    update: { status: { healthy: boolean } };
  };
  t.true(decoded.update.status.healthy);
  for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 + 5]) {
    const bytes = event(num(TYPE, E.FAILURE), msg(7, num(3, v)));
    t.is((decodeEventFast(bytes) as { failure: { status: number } }).failure.status, v | 0);
    assertAgrees(bytes);
  }
});

// ---- strings --------------------------------------------------------------------------------------

test('event decoder › strings: UTF-8, invalid UTF-8, a BOM, lengths around the cache limit, at the end of the input', (t) => {
  const samples: (string | Bytes)[] = [
    '',
    'a',
    'cpus',
    'node-123.lab',
    '0123456789abcdef', // 16 bytes
    '0123456789abcdefg', // 17 bytes
    `${MASTER}-O123456`,
    'x'.repeat(65),
    'x'.repeat(300),
    'größe',
    '日本語のホスト名',
    '🚀 rocket',
    '\uFEFFbom',
    Uint8Array.of(0xef, 0xbb, 0xbf),
    Uint8Array.of(0xff),
    Uint8Array.of(0x61, 0xc3),
    Uint8Array.of(0xe2, 0x82),
    Uint8Array.of(0xed, 0xa0, 0x80), // a UTF-8 encoded surrogate
    Uint8Array.of(0xf4, 0x90, 0x80, 0x80), // above U+10FFFF
    Uint8Array.of(0xc0, 0xaf),
    Uint8Array.of(0x00, 0x01, 0x7f),
  ];
  for (const s of samples) {
    const bytes = event(num(TYPE, E.ERROR), msg(8, delimited(1, s)));
    assertAgrees(bytes);
    // the same string last in the input, and inside a longer buffer
    assertAgrees(event(msg(8, delimited(1, s)), num(TYPE, E.ERROR)));
    const padded = concat([Uint8Array.of(1, 2, 3), bytes, new Uint8Array(20).fill(0x61)]);
    t.deepEqual(decodeEventFast(padded.subarray(3, 3 + bytes.length)), decodeEventFast(bytes));
  }
  // the string cache never confuses strings that share bytes
  const names = ['a', 'a\u0000', 'ab', 'b', 'abcd', 'abcde', 'abcd\u0000', ''];
  for (const name of [...names, ...names.reverse()]) {
    const decoded = decodeEventFast(event(num(TYPE, E.ERROR), msg(8, delimited(1, name)))) as {
      error: { message: string };
    };
    t.is(decoded.error.message, name);
  }
});

test('event decoder › decodes Buffers, plain Uint8Arrays and views into larger buffers alike', (t) => {
  const bytes = event(num(TYPE, E.OFFERS), msg(3, RICH_OFFER));
  const expected = referenceDecode(bytes);
  t.deepEqual(decodeEventFast(Buffer.from(bytes)), expected);
  t.deepEqual(decodeEventFast(new Uint8Array(bytes)), expected);
  const big = new Uint8Array(bytes.length + 100).fill(0xff);
  big.set(bytes, 50);
  t.deepEqual(decodeEventFast(big.subarray(50, 50 + bytes.length)), expected);
  t.deepEqual(decodeEventFast(Buffer.from(big.buffer, 50, bytes.length)), expected);
});

// ---- unknown fields, merging, malformed input -------------------------------------------------------

const UNKNOWN_FIELDS: [string, Bytes][] = [
  ['varint', num(99, 1)],
  ['an 11-byte varint', fromHex('98 06 ff ff ff ff ff ff ff ff ff ff 01')],
  ['fixed64', f64(98, 1.5)],
  ['length-delimited', delimited(97, 'ignored')],
  ['fixed32', f32(96)],
  ['a group', fromHex('cb 05 08 01 12 01 78 0b 08 01 0c cc 05')], // field 89 containing a nested group
  ['a 5-byte tag', fromHex('f8 ff ff ff 0f 01')],
];

test('event decoder › skips unknown fields of every wire type at every level', (t) => {
  for (const [name, unknown] of UNKNOWN_FIELDS) {
    const bytes = event(
      unknown,
      num(TYPE, E.OFFERS),
      unknown,
      msg(
        3,
        unknown,
        msg(
          1,
          unknown,
          msg(1, delimited(1, 'o'), unknown),
          id(2, 'f'),
          id(3, 'a'),
          delimited(4, 'h'),
          msg(
            5,
            delimited(1, 'r'),
            unknown,
            num(2, 1),
            msg(4, unknown, msg(1, num(1, 1), unknown, num(2, 2))),
            // protobufjs cannot skip a group in a RevocableInfo (see the group test)
            msg(9, name === 'a group' ? new Uint8Array(0) : unknown),
          ),
          msg(8, delimited(1, 'http'), msg(2, num(3, 1), unknown)),
        ),
      ),
    );
    t.deepEqual(
      decodeEventFast(bytes),
      {
        type: 'OFFERS',
        offers: {
          offers: [
            {
              id: { value: 'o' },
              framework_id: { value: 'f' },
              agent_id: { value: 'a' },
              hostname: 'h',
              resources: [
                { name: 'r', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }] }, revocable: {} },
              ],
              url: { scheme: 'http', address: { port: 1 } },
            },
          ],
        },
      },
      name,
    );
    assertAgrees(bytes, name);
  }
});

test('event decoder › a known field number with the wrong wire type is skipped like an unknown field', (t) => {
  check(t, event(num(TYPE, E.HEARTBEAT), num(8, 1)), { type: 'HEARTBEAT' }); // error as a varint
  check(t, event(delimited(1, 'x'), num(TYPE, E.HEARTBEAT)), { type: 'HEARTBEAT' }); // type as bytes
  check(t, event(num(TYPE, E.ERROR), msg(8, delimited(1, 'x'), f64(1, 2))), {
    type: 'ERROR',
    error: { message: 'x' },
  });
  // ... so a required field sent with the wrong wire type is missing
  t.throws(() => decodeEventFast(event(num(TYPE, E.ERROR), msg(8, num(1, 7)))));
  assertAgrees(event(num(TYPE, E.ERROR), msg(8, num(1, 7))));
});

test('event decoder › a singular message given twice is merged, repeated fields appended, as protobufjs does', (t) => {
  // the second url only adds a path: the merged url still has its scheme and address
  const offer = (...extra: Bytes[]) =>
    event(
      num(TYPE, E.OFFERS),
      msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), ...extra)),
    );
  const url1 = msg(
    8,
    delimited(1, 'http'),
    msg(2, delimited(1, 'h1'), num(3, 1)),
    msg(4, delimited(1, 'k'), delimited(2, 'v')),
  );
  const url2 = msg(
    8,
    delimited(3, '/p'),
    msg(2, delimited(2, '10.0.0.1')),
    msg(4, delimited(1, 'k2'), delimited(2, 'v2')),
  );
  const decoded = decodeEventFast(offer(url1, url2)) as { offers: { offers: { url: unknown }[] } };
  t.deepEqual(decoded.offers.offers[0]?.url, {
    scheme: 'http',
    address: { hostname: 'h1', ip: '10.0.0.1', port: 1 },
    path: '/p',
    query: [
      { key: 'k', value: 'v' },
      { key: 'k2', value: 'v2' },
    ],
  });
  assertAgrees(offer(url1, url2));
  // the first occurrence must be complete on its own
  t.throws(() => decodeEventFast(offer(url2, url1)));
  assertAgrees(offer(url2, url1));
  // merges at the event level too: two UPDATE payloads, two offers lists, two errors
  const status1 = msg(5, msg(1, id(1, 't'), num(2, 1), num(9, 2), msg(12, msg(1, delimited(1, 'a')))));
  const status2 = msg(5, msg(1, num(2, 99), num(10, 3), msg(12, msg(1, delimited(1, 'b')))));
  assertAgrees(event(num(TYPE, E.UPDATE), status1, status2));
  t.deepEqual(decodeEventFast(event(num(TYPE, E.UPDATE), status1, status2)), {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: 't' },
        state: 'TASK_RUNNING',
        source: 'SOURCE_EXECUTOR',
        reason: 'REASON_FRAMEWORK_REMOVED',
        labels: { labels: [{ key: 'a' }, { key: 'b' }] },
      },
    },
  });
  const offers = msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h')));
  assertAgrees(event(num(TYPE, E.OFFERS), offers, offers));
  assertAgrees(event(num(TYPE, E.ERROR), msg(8, delimited(1, 'x')), msg(8, delimited(1, 'y'))));
  assertAgrees(offer(msg(9, msg(1, num(1, 5))), msg(9, msg(1, num(1, 6)), msg(2, num(1, 1)))));
});

test('event decoder › throws on truncated input, over-long varints, lengths past the end and bad wire types', (t) => {
  const bad: [string, Bytes][] = [
    ['a tag cut short', fromHex('08 08 80')],
    ['a varint cut short', fromHex('08')],
    ['an 11-byte varint', fromHex('08 ff ff ff ff ff ff ff ff ff ff 01')],
    ['a 6-byte tag', fromHex('80 80 80 80 80 00 00')],
    ['a tag above 2^32', fromHex('80 80 80 80 10 00')],
    ['a length past the end', fromHex('42 05 0a 01 78')],
    ['a length with a 5th byte above 7', fromHex('42 80 80 80 80 08')],
    ['a string past the end of its message', fromHex('08 07 42 02 0a 05 78 78 78 78 78')],
    ['a double cut short', fromHex('12 07 0a 01 66 11 00 00 00')],
    ['wire type 6', fromHex('08 08 0e')],
    ['wire type 7', fromHex('08 08 0f')],
    ['an end group without a start', fromHex('08 08 0c')],
    ['a group without an end', fromHex('08 08 0b 08 01')],
    ['a group closed by another field', fromHex('08 08 0b 08 01 14')],
    ['field number 0', fromHex('00 01')],
    ['field number 0 in a nested message', fromHex('42 03 00 01 00')],
    ['a fixed64 cut short', fromHex('08 08 09 00 00')],
    ['a fixed32 cut short', fromHex('08 08 0d 00 00')],
    [
      'a bool of 11 bytes',
      event(
        num(TYPE, E.UPDATE),
        msg(5, msg(1, id(1, 't'), num(2, 1), fromHex('40 80 80 80 80 80 80 80 80 80 80 00'))),
      ),
    ],
  ];
  for (const [name, bytes] of bad) {
    t.throws(() => decodeEventFast(bytes), { instanceOf: Error }, name);
    assertAgrees(bytes, name);
  }
});

test('event decoder › throws on missing required fields, at every level', (t) => {
  const cases: [string, Bytes, string][] = [
    ['SUBSCRIBED without framework_id', event(num(TYPE, E.SUBSCRIBED), msg(2)), 'framework_id'],
    ['an id without value', event(num(TYPE, E.RESCIND), msg(4, msg(1))), 'value'],
    ['RESCIND without offer_id', event(num(TYPE, E.RESCIND), msg(4)), 'offer_id'],
    ['an offer without hostname', event(msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a')))), 'hostname'],
    [
      'a resource without type',
      event(msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), msg(5, delimited(1, 'r'))))),
      'type',
    ],
    [
      'a resource of an unknown type',
      event(
        msg(
          3,
          msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), msg(5, delimited(1, 'r'), num(2, 9))),
        ),
      ),
      'type',
    ],
    [
      'a range without end',
      event(
        msg(
          3,
          msg(
            1,
            id(1, 'o'),
            id(2, 'f'),
            id(3, 'a'),
            delimited(4, 'h'),
            msg(7, delimited(1, 'r'), num(2, 1), msg(4, msg(1, num(1, 1)))),
          ),
        ),
      ),
      'end',
    ],
    [
      'a url without address',
      event(
        msg(3, msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), msg(8, delimited(1, 'http')))),
      ),
      'address',
    ],
    [
      'an address without port',
      event(
        msg(
          3,
          msg(1, id(1, 'o'), id(2, 'f'), id(3, 'a'), delimited(4, 'h'), msg(8, delimited(1, 'http'), msg(2))),
        ),
      ),
      'port',
    ],
    ['master_info without ip', event(msg(2, id(1, 'f'), msg(3, delimited(1, 'm'), num(3, 1)))), 'ip'],
    [
      'a status with an unknown state',
      event(num(TYPE, E.UPDATE), msg(5, msg(1, id(1, 't'), num(2, 99)))),
      'state',
    ],
    ['MESSAGE without data', event(msg(6, id(1, 'a'), id(2, 'e'))), 'data'],
    [
      'an inverse offer without unavailability',
      event(msg(9, msg(1, id(1, 'i'), id(3, 'f')))),
      'unavailability',
    ],
    [
      'TimeInfo without nanoseconds',
      event(msg(9, msg(1, id(1, 'i'), id(3, 'f'), msg(5, msg(1))))),
      'nanoseconds',
    ],
  ];
  for (const [name, bytes, field] of cases) {
    t.throws(() => decodeEventFast(bytes), { message: `missing required '${field}'` }, name);
    assertAgrees(bytes, name);
  }
});

test('event decoder › every prefix of a valid OFFERS and UPDATE event decodes or throws like protobufjs', (t) => {
  const full = [
    event(num(TYPE, E.OFFERS), msg(3, RICH_OFFER)),
    event(
      num(TYPE, E.UPDATE),
      msg(
        5,
        msg(1, id(1, 't'), num(2, 1), f64(6, 1.5), delimited(11, new Uint8Array(16)), msg(14, num(1, -5))),
      ),
    ),
  ];
  for (const bytes of full)
    for (let n = 0; n <= bytes.length; n++) assertAgrees(bytes.subarray(0, n), `prefix ${n}`);
  t.pass();
});

test('event decoder › groups nest up to the same depth limit as protobufjs, counting the message depth', (t) => {
  const nested = (depth: number, field = 5): Bytes => {
    const open = new Uint8Array(depth).fill((field << 3) | 3);
    const close = new Uint8Array(depth).fill((field << 3) | 4);
    return concat([open, close]);
  };
  for (const depth of [1, 2, 50, 99, 100, 101, 102]) {
    const group = nested(depth);
    assertAgrees(event(num(TYPE, E.HEARTBEAT), group), `event + ${depth}`);
    // inside a Label, six messages deep
    const label = msg(1, delimited(1, 'k'), group);
    const bytes = event(
      num(TYPE, E.OFFERS),
      msg(
        3,
        msg(
          1,
          id(1, 'o'),
          id(2, 'f'),
          id(3, 'a'),
          delimited(4, 'h'),
          msg(5, delimited(1, 'r'), num(2, 0), msg(8, msg(2, label))),
        ),
      ),
    );
    assertAgrees(bytes, `label + ${depth}`);
  }
  // RevocableInfo and SharedInfo have no fields: protobufjs checks a group's end against the whole tag there
  const empty = (payload: Bytes) =>
    event(
      num(TYPE, E.OFFERS),
      msg(
        3,
        msg(
          1,
          id(1, 'o'),
          id(2, 'f'),
          id(3, 'a'),
          delimited(4, 'h'),
          msg(5, delimited(1, 'r'), num(2, 0), msg(9, payload)),
        ),
      ),
    );
  for (const raw of [
    '0b 0c',
    '0b 5c',
    '09 00 00 00 00 00 00 00 00',
    '00 00',
    '01 00 00 00 00 00 00 00 00',
    '08 01',
    '0b 08 01 5c',
  ]) {
    assertAgrees(empty(fromHex(raw)), raw);
  }
  t.notThrows(() => decodeEventFast(empty(fromHex('0b 5c'))));
  t.throws(() => decodeEventFast(empty(fromHex('0b 0c'))));
});

test('event decoder › decodeEventProto now goes through the fast decoder', (t) => {
  const bytes = event(num(TYPE, E.OFFERS), msg(3, RICH_OFFER));
  t.deepEqual(decodeEventProto(bytes), decodeEventFast(bytes));
  t.deepEqual(decodeEventProto(bytes), referenceDecode(bytes));
});

// ---- properties -------------------------------------------------------------------------------------

/** fc.record with ordinary (not null-prototype) objects; keys outside `required` may be left out. */
function rec(model: Record<string, fc.Arbitrary<unknown>>, required: string[] = Object.keys(model)) {
  return fc.record(model, { noNullPrototype: true, requiredKeys: required as never[] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}
const list = <T>(a: fc.Arbitrary<T>, max = 3) => fc.array(a, { maxLength: max });

/** Short constants (that the string cache will see again), any Unicode text, long strings. */
const textArb = fc.oneof(
  fc.constantFrom('cpus', 'mem', 'disk', 'ports', '*', 'lab', 'http', '10.0.0.11', 'node-7.lab', ''),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ minLength: 15, maxLength: 80 }),
);
const idArb = rec({ value: textArb });
const int64Arb = fc
  .oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -(2n ** 33n), max: 2n ** 33n }),
    fc.constantFrom(0n, -1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)),
  )
  .map(String);
const uint64Arb = fc.oneof(
  fc.integer({ min: 0, max: 70000 }),
  fc.maxSafeNat(),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
);
const doubleArb = fc.double();
const int32Arb = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32Arb = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const bytesArb = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
const valueTypeArb = fc.constantFrom('SCALAR', 'RANGES', 'SET', 'TEXT');
const timeArb = rec({ nanoseconds: int64Arb });

const scalarArb = rec({ value: doubleArb });
const rangesArb = rec({ range: list(rec({ begin: uint64Arb, end: uint64Arb })) }, []);
const setArb = rec({ item: list(textArb) }, []);
const labelsArb = rec({ labels: list(rec({ key: textArb, value: textArb }, ['key'])) }, []);
const allocationArb = rec({ role: textArb }, []);
const reservationArb = rec(
  {
    type: fc.constantFrom('UNKNOWN', 'STATIC', 'DYNAMIC'),
    role: textArb,
    principal: textArb,
    labels: labelsArb,
  },
  [],
);
const resourceArb = rec(
  {
    name: textArb,
    type: valueTypeArb,
    scalar: scalarArb,
    ranges: rangesArb,
    set: setArb,
    role: textArb,
    allocation_info: allocationArb,
    reservation: reservationArb,
    reservations: list(reservationArb, 2),
    revocable: fc.constant({}),
    shared: fc.constant({}),
  },
  ['name', 'type'],
);
const attributeArb = rec(
  {
    name: textArb,
    type: valueTypeArb,
    scalar: scalarArb,
    ranges: rangesArb,
    set: setArb,
    text: rec({ value: textArb }),
  },
  ['name', 'type'],
);
const addressArb = rec({ hostname: textArb, ip: textArb, port: int32Arb }, ['port']);
const urlArb = rec(
  {
    scheme: textArb,
    address: addressArb,
    path: textArb,
    query: list(rec({ key: textArb, value: textArb })),
    fragment: textArb,
  },
  ['scheme', 'address'],
);
const unavailabilityArb = rec({ start: timeArb, duration: timeArb }, ['start']);
const offerArb = rec(
  {
    id: idArb,
    framework_id: idArb,
    agent_id: idArb,
    hostname: textArb,
    url: urlArb,
    resources: list(resourceArb, 5),
    attributes: list(attributeArb, 4),
    executor_ids: list(idArb, 2),
    unavailability: unavailabilityArb,
    allocation_info: allocationArb,
  },
  ['id', 'framework_id', 'agent_id', 'hostname'],
);
const inverseOfferArb = rec(
  {
    id: idArb,
    url: urlArb,
    framework_id: idArb,
    agent_id: idArb,
    unavailability: unavailabilityArb,
    resources: list(resourceArb, 2),
  },
  ['id', 'framework_id', 'unavailability'],
);
const masterInfoArb = rec(
  {
    id: textArb,
    ip: uint32Arb,
    port: uint32Arb,
    pid: textArb,
    hostname: textArb,
    version: textArb,
    address: addressArb,
    capabilities: list(
      rec({ type: fc.constantFrom('UNKNOWN', 'AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2') }, []),
    ),
  },
  ['id', 'ip', 'port'],
);
const statusArb = rec(
  {
    task_id: idArb,
    state: fc.constantFrom(...TASK_STATES),
    message: textArb,
    source: fc.constantFrom('SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'),
    reason: fc.integer({ min: 0, max: 34 }), // fromObject takes the number
    data: bytesArb,
    agent_id: idArb,
    executor_id: idArb,
    timestamp: doubleArb,
    uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')),
    healthy: fc.boolean(),
    labels: labelsArb,
    unreachable_time: timeArb,
  },
  ['task_id', 'state'],
);

const EVENT_TYPES = ['UNKNOWN', 'SUBSCRIBED', 'OFFERS', 'INVERSE_OFFERS', 'RESCIND', 'RESCIND_INVERSE_OFFER'];
EVENT_TYPES.push('UPDATE', 'UPDATE_OPERATION_STATUS', 'MESSAGE', 'FAILURE', 'ERROR', 'HEARTBEAT');

const payloads = {
  subscribed: rec(
    { framework_id: idArb, heartbeat_interval_seconds: doubleArb, master_info: masterInfoArb },
    ['framework_id'],
  ),
  offers: rec({ offers: list(offerArb) }, []),
  inverse_offers: rec({ inverse_offers: list(inverseOfferArb, 2) }, []),
  rescind: rec({ offer_id: idArb }),
  rescind_inverse_offer: rec({ inverse_offer_id: idArb }),
  update: rec({ status: statusArb }),
  message: rec({ agent_id: idArb, executor_id: idArb, data: bytesArb }),
  failure: rec({ agent_id: idArb, executor_id: idArb, status: int32Arb }, []),
  error: rec({ message: textArb }),
};

/** An event whose type usually matches its payload, and sometimes not (or has none, or several). */
const eventArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom(...(Object.keys(payloads) as (keyof typeof payloads)[])).chain((name) =>
    payloads[name].map((payload) => ({
      type: name === 'rescind_inverse_offer' ? 'RESCIND_INVERSE_OFFER' : name.toUpperCase(),
      [name]: payload,
    })),
  ),
  rec({ type: fc.constantFrom(...EVENT_TYPES), ...payloads }, []),
);

const encode = (e: Record<string, unknown>): Uint8Array => encodeEventProto(e as unknown as Event);

test(`event decoder › random events decode exactly as protobufjs decode + toObject (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(eventArb, (e) => {
      const bytes = encode(e);
      assertAgrees(bytes);
      assertAgrees(new Uint8Array(bytes));
    }),
    fcParams(300),
  );
  t.pass();
});

/** The top-level fields of a message, each with its tag, as they are on the wire. */
function topLevelFields(bytes: Uint8Array): Uint8Array[] {
  const fields: Uint8Array[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      assert.ok(pos < bytes.length, 'a varint past the end');
      const b = bytes[pos++] as number;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) return v;
    }
  };
  while (pos < bytes.length) {
    const start = pos;
    const tag = Number(readVarint());
    const wireType = tag & 7;
    if (wireType === 0) readVarint();
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else {
      const length = Number(readVarint());
      pos += length;
    }
    fields.push(bytes.subarray(start, pos));
  }
  return fields;
}

test(`event decoder › random events with their fields reordered, repeated and interleaved with unknown ones decode as protobufjs (seed=${SEED})`, (t) => {
  const unknownArb = fc.constantFrom(...UNKNOWN_FIELDS.map(([, bytes]) => bytes));
  fc.assert(
    fc.property(
      eventArb,
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.array(fc.tuple(fc.nat(), unknownArb), { maxLength: 3 }),
      (e, picks, unknowns) => {
        const fields = topLevelFields(encode(e));
        const order = fields.length === 0 ? [] : picks.map((p) => fields[p % fields.length] as Uint8Array);
        const parts = [...fields, ...order];
        for (const [at, unknown] of unknowns) parts.splice(at % (parts.length + 1), 0, unknown);
        assertAgrees(concat(parts));
      },
    ),
    fcParams(300),
  );
  t.pass();
});

test(`event decoder › random events with bytes changed, inserted, deleted or cut decode or throw as protobufjs (seed=${SEED})`, (t) => {
  const mutationArb = fc.tuple(
    fc.constantFrom('set', 'insert', 'delete', 'cut'),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
  );
  fc.assert(
    fc.property(eventArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (e, mutations) => {
      const bytes = Array.from(encode(e));
      for (const [kind, at, value] of mutations) {
        const i = at % (bytes.length + 1);
        if (kind === 'set' && i < bytes.length) bytes[i] = value;
        else if (kind === 'insert') bytes.splice(i, 0, value);
        else if (kind === 'delete') bytes.splice(i, 1);
        else if (kind === 'cut') bytes.length = i;
      }
      assertAgrees(Uint8Array.from(bytes));
    }),
    fcParams(1000),
  );
  t.pass();
});

test(`event decoder › random bytes decode or throw as protobufjs (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => assertAgrees(bytes)),
    fcParams(2000),
  );
  t.pass();
});

test(`event decoder › strings of random bytes, valid UTF-8 or not, decode as protobufjs from Buffers and Uint8Arrays (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 20 }), (a, b) => {
      const bytes = event(
        num(TYPE, E.OFFERS),
        msg(
          3,
          msg(
            1,
            id(1, 'o'),
            id(2, 'f'),
            id(3, 'a'),
            delimited(4, a),
            msg(7, delimited(1, b), num(2, 3), msg(5, delimited(1, a))),
          ),
        ),
      );
      assertAgrees(bytes);
      assertAgrees(Buffer.from(bytes));
    }),
    fcParams(500),
  );
  t.pass();
});
