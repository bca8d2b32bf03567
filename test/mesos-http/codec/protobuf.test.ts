import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import type {
  Attribute,
  Call,
  Event,
  Id,
  Offer,
  Resource,
  SubscribedEvent,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TaskStatusSource,
  UpdateEvent,
} from '../../../src/core/mesos/v1.ts';
import { codecFor } from '../../../src/mesos-http/codec/codec.ts';
import { CallRejected } from '../../../src/mesos-http/codec/errors.ts';
import { decodeEventJson, encodeEventJson } from '../../../src/mesos-http/codec/json.ts';
import {
  decodeCallProto,
  decodeEventProto,
  encodeCallProto,
  encodeEventProto,
} from '../../../src/mesos-http/codec/protobuf.ts';
import { encodeRecord, RecordIODecoder } from '../../../src/mesos-http/codec/recordio.ts';
import { concat, cut, fromHex, hex } from '../../helpers/bytes.ts';
import {
  ACCEPT_6_4,
  FW as FW_ID,
  MASTER,
  OFFERS_6_3,
  S0 as S0_ID,
  S1 as S1_ID,
  TASK as TASK_ID,
  UUID,
} from '../../helpers/mesos-fixtures.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function decodeStream(chunks: readonly Uint8Array[]): Uint8Array[] {
  const decoder = new RecordIODecoder();
  const out: Uint8Array[] = [];
  for (const c of chunks) for (const r of decoder.decode(c)) out.push(r.slice());
  assert.equal(decoder.hasPartialRecord, false);
  return out;
}

const callRoundTrip = (c: Call): Call => decodeCallProto(encodeCallProto(c));
const eventRoundTrip = (e: Event): Event => decodeEventProto(encodeEventProto(e));

// ---- fixtures (the §6 placeholders) ------------------------------------------------------------

const FW = { value: FW_ID };
const S0 = { value: S0_ID };
const S1 = { value: S1_ID };
const TASK = { value: TASK_ID };

const ACCEPT = ACCEPT_6_4;

const OFFERS = OFFERS_6_3;

const SUBSCRIBED: SubscribedEvent = {
  type: 'SUBSCRIBED',
  subscribed: {
    framework_id: FW,
    heartbeat_interval_seconds: 15,
    master_info: {
      id: MASTER,
      ip: 16777226,
      port: 5050,
      pid: 'master@10.0.0.1:5050',
      hostname: 'm1.lab',
      version: '1.12.0',
      address: { hostname: 'm1.lab', ip: '10.0.0.1', port: 5050 },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    },
  },
};

const UPDATE: UpdateEvent = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: TASK,
      state: 'TASK_RUNNING',
      source: 'SOURCE_EXECUTOR',
      agent_id: S0,
      executor_id: TASK,
      timestamp: 1718000012.52,
      uuid: UUID,
    },
  },
};

const UNREACHABLE: UpdateEvent = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: TASK,
      state: 'TASK_UNREACHABLE',
      message: 'health check timed out',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      agent_id: S0,
      timestamp: 1718000500.4817,
      unreachable_time: { nanoseconds: '1718000500481516273' },
    },
  },
};

// ---- the §1.5 byte fixtures ---------------------------------------------------------------------

test('Protobuf › encodes the §1.5 TEARDOWN call with framework id "f" as 0a 03 0a 01 66 10 02', (t) => {
  t.is(hex(encodeCallProto({ framework_id: { value: 'f' }, type: 'TEARDOWN' })), '0a 03 0a 01 66 10 02');
});

test('Protobuf › decodes the §1.5 TEARDOWN body into offerlab’s call', (t) => {
  t.deepEqual(decodeCallProto(fromHex('0a 03 0a 01 66 10 02')), {
    framework_id: { value: 'f' },
    type: 'TEARDOWN',
  });
});

test('Protobuf › encodes and decodes the §1.5 HEARTBEAT event as 08 08', (t) => {
  t.is(hex(encodeEventProto({ type: 'HEARTBEAT' })), '08 08');
  t.deepEqual(decodeEventProto(fromHex('08 08')), { type: 'HEARTBEAT' });
});

test('Protobuf › encodes and decodes the §1.5 ERROR "x" event as 08 07 42 03 0a 01 78', (t) => {
  t.is(hex(encodeEventProto({ type: 'ERROR', error: { message: 'x' } })), '08 07 42 03 0a 01 78');
  t.deepEqual(decodeEventProto(fromHex('08 07 42 03 0a 01 78')), { type: 'ERROR', error: { message: 'x' } });
});

test('Protobuf › frames HEARTBEAT and ERROR "x" as the §1.5 records and reads them back from one stream', (t) => {
  const heartbeat = encodeRecord(encodeEventProto({ type: 'HEARTBEAT' }));
  const error = encodeRecord(encodeEventProto({ type: 'ERROR', error: { message: 'x' } }));
  t.is(hex(heartbeat), '32 0a 08 08');
  t.is(hex(error), '37 0a 08 07 42 03 0a 01 78');
  const records = new RecordIODecoder().decode(fromHex('32 0a 08 08 37 0a 08 07 42 03 0a 01 78'));
  t.deepEqual(records.map(decodeEventProto), [
    { type: 'HEARTBEAT' },
    { type: 'ERROR', error: { message: 'x' } },
  ]);
});

// ---- calls round trip -----------------------------------------------------------------------------

test('Protobuf › a SUBSCRIBE (resubscribe) call round-trips with enum names, doubles and booleans', (t) => {
  const subscribe: Call = {
    framework_id: FW,
    type: 'SUBSCRIBE',
    subscribe: {
      framework_info: {
        user: 'svc-lab',
        name: 'lab-scheduler',
        id: FW,
        roles: ['lab'],
        failover_timeout: 604800,
        checkpoint: true,
        hostname: 'sched-1.lab',
        principal: 'lab-scheduler',
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
        labels: { labels: [{ key: 'team', value: 'lab' }] },
      },
      suppressed_roles: ['lab-gpu'],
    },
  };
  t.deepEqual(callRoundTrip(subscribe), subscribe);
});

test('Protobuf › the §6.4 ACCEPT round-trips: Docker task, ranges as numbers, grace period as a decimal string', (t) => {
  const back = callRoundTrip(ACCEPT);
  t.deepEqual(back, ACCEPT);
  const task = back.type === 'ACCEPT' ? back.accept.operations[0]?.launch.task_infos[0] : undefined;
  const range = task?.resources[3]?.ranges?.range[0];
  t.is(typeof range?.begin, 'number');
  t.is(typeof range?.end, 'number');
  t.is(task?.kill_policy?.grace_period?.nanoseconds, '30000000000');
});

test('Protobuf › DECLINE, KILL, ACKNOWLEDGE and MESSAGE calls round-trip', (t) => {
  const calls: Call[] = [
    {
      framework_id: FW,
      type: 'DECLINE',
      decline: { offer_ids: [{ value: `${MASTER}-O42` }], filters: { refuse_seconds: 600 } },
    },
    {
      framework_id: FW,
      type: 'KILL',
      kill: { task_id: TASK, agent_id: S0, kill_policy: { grace_period: { nanoseconds: '5000000000' } } },
    },
    { framework_id: FW, type: 'ACKNOWLEDGE', acknowledge: { agent_id: S0, task_id: TASK, uuid: UUID } },
    {
      framework_id: FW,
      type: 'MESSAGE',
      message: {
        agent_id: S1,
        executor_id: { value: 'lab-custom-executor-3' },
        data: 'aGVsbG8gZXhlY3V0b3I=',
      },
    },
    { framework_id: FW, type: 'SHUTDOWN', shutdown: { executor_id: { value: 'e' }, agent_id: S1 } },
  ];
  for (const c of calls) t.deepEqual(callRoundTrip(c), c, c.type);
});

test('Protobuf › a KILL grace period above 2^53 nanoseconds keeps every digit', (t) => {
  const kill: Call = {
    framework_id: FW,
    type: 'KILL',
    kill: { task_id: TASK, kill_policy: { grace_period: { nanoseconds: '9223372036854775807' } } },
  };
  t.deepEqual(callRoundTrip(kill), kill);
});

test('Protobuf › RECONCILE explicit and implicit round-trip (the empty reconcile stays present)', (t) => {
  const explicit: Call = {
    framework_id: FW,
    type: 'RECONCILE',
    reconcile: {
      tasks: [{ task_id: TASK, agent_id: S0 }, { task_id: { value: 'analytics-worker.0f0f0f' } }],
    },
  };
  const implicit: Call = { framework_id: FW, type: 'RECONCILE', reconcile: {} };
  t.deepEqual(callRoundTrip(explicit), explicit);
  t.deepEqual(callRoundTrip(implicit), implicit);
});

test('Protobuf › REVIVE, SUPPRESS and TEARDOWN round-trip, with and without roles', (t) => {
  const calls: Call[] = [
    { framework_id: FW, type: 'REVIVE', revive: { roles: ['lab'] } },
    { framework_id: FW, type: 'REVIVE' },
    { framework_id: FW, type: 'SUPPRESS', suppress: { roles: ['lab', 'lab-gpu'] } },
    { framework_id: FW, type: 'SUPPRESS' },
    { framework_id: FW, type: 'TEARDOWN' },
  ];
  for (const c of calls) t.deepEqual(callRoundTrip(c), c, JSON.stringify(c));
});

test('Protobuf › a REQUEST call round-trips with its port ranges as numbers', (t) => {
  const request: Call = {
    framework_id: FW,
    type: 'REQUEST',
    request: {
      requests: [
        {
          agent_id: S0,
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
            { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31005 }] } },
          ],
        },
      ],
    },
  };
  t.deepEqual(callRoundTrip(request), request);
});

test('Protobuf › decodeCallProto refuses garbage bytes with 400 "Failed to parse body into Call protobuf"', (t) => {
  const bodies = [
    fromHex('ff ff ff ff ff'),
    new TextEncoder().encode('hello world'),
    new TextEncoder().encode('{"type":"TEARDOWN"}'),
    fromHex('0a 03 0a 01'), // TEARDOWN cut short
    fromHex('0a 7f 0a 01 66'), // a length past the end
    fromHex('10 ff ff ff ff ff ff ff ff ff ff ff'), // a varint longer than 10 bytes
  ];
  for (const body of bodies) {
    const err = t.throws(() => decodeCallProto(body), { instanceOf: CallRejected }, hex(body));
    t.is(err?.status, 400);
    t.is(err?.message, 'Failed to parse body into Call protobuf');
  }
});

test('Protobuf › decodeCallProto refuses a body with missing required fields (1.6)', (t) => {
  // ACKNOWLEDGE whose acknowledge message is empty: agent_id, task_id and uuid are required
  const err = t.throws(() => decodeCallProto(fromHex('10 08 42 00')), { instanceOf: CallRejected });
  t.is(err?.status, 400);
  t.is(err?.message, 'Failed to parse body into Call protobuf');
  // and a KILL whose task_id has no value
  const kill = encodeCallProto({ framework_id: { value: 'f' }, type: 'KILL', kill: { task_id: TASK } });
  t.notThrows(() => decodeCallProto(kill));
  t.throws(() => decodeCallProto(fromHex('10 06 32 02 0a 00')), { instanceOf: CallRejected });
});

// ---- events round trip ----------------------------------------------------------------------------

test('Protobuf › the §6.3 OFFERS round-trip: ranges as numbers, unavailability nanoseconds exact', (t) => {
  const back = eventRoundTrip(OFFERS);
  t.deepEqual(back, OFFERS);
  const second = back.type === 'OFFERS' ? back.offers.offers[1] : undefined;
  t.is(second?.unavailability?.start.nanoseconds, '1718006400123456789');
  t.is(typeof second?.resources.find((r) => r.name === 'ports')?.ranges?.range[0]?.begin, 'number');
});

test('Protobuf › SUBSCRIBED with master_info round-trips', (t) => {
  t.deepEqual(eventRoundTrip(SUBSCRIBED), SUBSCRIBED);
});

test('Protobuf › UPDATE round-trips with its 16-byte uuid as the same base64 string', (t) => {
  const back = eventRoundTrip(UPDATE);
  t.deepEqual(back, UPDATE);
  t.is(back.type === 'UPDATE' ? back.update.status.uuid : undefined, UUID);
});

test('Protobuf › the §6.9 TASK_UNREACHABLE update round-trips with unreachable_time exact', (t) => {
  t.deepEqual(eventRoundTrip(UNREACHABLE), UNREACHABLE);
});

test('Protobuf › RESCIND, both FAILURE forms, MESSAGE, ERROR and HEARTBEAT round-trip', (t) => {
  const events: Event[] = [
    { type: 'RESCIND', rescind: { offer_id: { value: `${MASTER}-O42` } } },
    { type: 'FAILURE', failure: { agent_id: S1 } },
    {
      type: 'FAILURE',
      failure: { agent_id: S1, executor_id: { value: 'lab-custom-executor-3' }, status: 256 },
    },
    {
      type: 'MESSAGE',
      message: {
        agent_id: S1,
        executor_id: { value: 'lab-custom-executor-3' },
        data: 'aGVsbG8gZXhlY3V0b3I=',
      },
    },
    { type: 'ERROR', error: { message: 'Framework failed over' } },
    { type: 'HEARTBEAT' },
  ];
  for (const e of events) t.deepEqual(eventRoundTrip(e), e, e.type);
});

test('Protobuf › an event type offerlab does not know decodes as UNKNOWN', (t) => {
  t.deepEqual(decodeEventProto(fromHex('08 63')), { type: 'UNKNOWN' }); // type 99
  t.deepEqual(decodeEventProto(new Uint8Array(0)), { type: 'UNKNOWN' }); // no type at all
});

test('Protobuf › unknown fields on the wire are skipped', (t) => {
  // HEARTBEAT followed by field 99 (varint 1)
  t.deepEqual(decodeEventProto(fromHex('08 08 98 06 01')), { type: 'HEARTBEAT' });
  // UPDATE_OPERATION_STATUS (11) with its payload in field 11, which offerlab's schema leaves out
  t.deepEqual(decodeEventProto(fromHex('08 0b 5a 02 08 01')), { type: 'UPDATE_OPERATION_STATUS' });
});

test('Protobuf › codecFor("protobuf") is the protobuf mapping under application/x-protobuf', (t) => {
  const codec = codecFor('protobuf');
  t.is(codec.format, 'protobuf');
  t.is(codec.contentType, 'application/x-protobuf');
  t.is(hex(codec.encodeCall({ framework_id: { value: 'f' }, type: 'TEARDOWN' })), '0a 03 0a 01 66 10 02');
  t.is(hex(codec.encodeEvent({ type: 'HEARTBEAT' })), '08 08');
  t.deepEqual(codec.decodeEvent(codec.encodeEvent(OFFERS)), OFFERS);
  t.deepEqual(codec.decodeCall(codec.encodeCall(ACCEPT)), ACCEPT);
});

// ---- property: random OFFERS / UPDATE events --------------------------------------------------------

const TASK_STATES = Object.keys({
  TASK_STAGING: 1,
  TASK_STARTING: 1,
  TASK_RUNNING: 1,
  TASK_KILLING: 1,
  TASK_FINISHED: 1,
  TASK_FAILED: 1,
  TASK_KILLED: 1,
  TASK_ERROR: 1,
  TASK_LOST: 1,
  TASK_DROPPED: 1,
  TASK_UNREACHABLE: 1,
  TASK_GONE: 1,
  TASK_GONE_BY_OPERATOR: 1,
  TASK_UNKNOWN: 1,
} satisfies Record<TaskState, 1>) as TaskState[];

const SOURCES: TaskStatusSource[] = ['SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'];

const REASONS = Object.keys({
  REASON_COMMAND_EXECUTOR_FAILED: 1,
  REASON_EXECUTOR_TERMINATED: 1,
  REASON_EXECUTOR_UNREGISTERED: 1,
  REASON_FRAMEWORK_REMOVED: 1,
  REASON_GC_ERROR: 1,
  REASON_INVALID_FRAMEWORKID: 1,
  REASON_INVALID_OFFERS: 1,
  REASON_MASTER_DISCONNECTED: 1,
  REASON_CONTAINER_LIMITATION_MEMORY: 1,
  REASON_RECONCILIATION: 1,
  REASON_AGENT_DISCONNECTED: 1,
  REASON_AGENT_REMOVED: 1,
  REASON_AGENT_RESTARTED: 1,
  REASON_AGENT_UNKNOWN: 1,
  REASON_TASK_INVALID: 1,
  REASON_TASK_UNAUTHORIZED: 1,
  REASON_TASK_UNKNOWN: 1,
  REASON_CONTAINER_PREEMPTED: 1,
  REASON_RESOURCES_UNKNOWN: 1,
  REASON_CONTAINER_LIMITATION: 1,
  REASON_CONTAINER_LIMITATION_DISK: 1,
  REASON_CONTAINER_LAUNCH_FAILED: 1,
  REASON_CONTAINER_UPDATE_FAILED: 1,
  REASON_EXECUTOR_REGISTRATION_TIMEOUT: 1,
  REASON_EXECUTOR_REREGISTRATION_TIMEOUT: 1,
  REASON_TASK_GROUP_INVALID: 1,
  REASON_TASK_GROUP_UNAUTHORIZED: 1,
  REASON_IO_SWITCHBOARD_EXITED: 1,
  REASON_TASK_CHECK_STATUS_UPDATED: 1,
  REASON_TASK_HEALTH_CHECK_STATUS_UPDATED: 1,
  REASON_TASK_KILLED_DURING_LAUNCH: 1,
  REASON_AGENT_REMOVED_BY_OPERATOR: 1,
  REASON_AGENT_REREGISTERED: 1,
  REASON_MAX_COMPLETION_TIME_REACHED: 1,
  REASON_AGENT_DRAINING: 1,
} satisfies Record<TaskStatusReason, 1>) as TaskStatusReason[];

/** fc.record with ordinary (not null-prototype) objects, like the ones the decoders return. */
function rec<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
}

/** Any Unicode text without lone surrogates (UTF-8 cannot carry those). */
const textArb = fc.string({ unit: 'binary', maxLength: 16 });
const idArb: fc.Arbitrary<Id> = rec({ value: fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }) });
/** A finite double; -0 becomes 0 because JSON has no negative zero. */
const doubleArb = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
const int64Arb = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
/** Raw bytes as the standard padded base64 the master writes. */
const bytesArb = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('base64'));
const uint64Arb = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.maxSafeNat());
const rangesArb = rec({
  range: fc.array(rec({ begin: uint64Arb, end: uint64Arb }), { minLength: 1, maxLength: 4 }),
});
const allocationArb = rec({ role: textArb });
const scalarArb = rec({ value: doubleArb });

const resourceArb: fc.Arbitrary<Resource> = fc.oneof(
  fc.record(
    {
      name: textArb,
      type: fc.constant('SCALAR' as const),
      scalar: scalarArb,
      role: textArb,
      allocation_info: allocationArb,
    },
    { noNullPrototype: true, requiredKeys: ['name', 'type', 'scalar'] },
  ),
  fc.record(
    {
      name: textArb,
      type: fc.constant('RANGES' as const),
      ranges: rangesArb,
      role: textArb,
      allocation_info: allocationArb,
    },
    { noNullPrototype: true, requiredKeys: ['name', 'type', 'ranges'] },
  ),
);

const attributeArb: fc.Arbitrary<Attribute> = fc.oneof(
  rec({ name: textArb, type: fc.constant('TEXT' as const), text: rec({ value: textArb }) }),
  rec({ name: textArb, type: fc.constant('SCALAR' as const), scalar: scalarArb }),
  rec({ name: textArb, type: fc.constant('RANGES' as const), ranges: rangesArb }),
);

const int32Arb = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const timeArb = rec({ nanoseconds: int64Arb });

const offerArb: fc.Arbitrary<Offer> = fc.record(
  {
    id: idArb,
    framework_id: idArb,
    agent_id: idArb,
    hostname: textArb,
    url: fc.record(
      {
        scheme: textArb,
        address: fc.record(
          { hostname: textArb, ip: textArb, port: int32Arb },
          { noNullPrototype: true, requiredKeys: ['port'] },
        ),
        path: textArb,
      },
      { noNullPrototype: true, requiredKeys: ['scheme', 'address'] },
    ),
    resources: fc.array(resourceArb, { minLength: 1, maxLength: 5 }),
    attributes: fc.array(attributeArb, { minLength: 1, maxLength: 4 }),
    executor_ids: fc.array(idArb, { minLength: 1, maxLength: 3 }),
    unavailability: fc.record(
      { start: timeArb, duration: timeArb },
      { noNullPrototype: true, requiredKeys: ['start'] },
    ),
    allocation_info: allocationArb,
  },
  { noNullPrototype: true, requiredKeys: ['id', 'framework_id', 'agent_id', 'hostname', 'resources'] },
);

const offersEventArb: fc.Arbitrary<Event> = fc
  .array(offerArb, { minLength: 1, maxLength: 3 })
  .map((offers) => ({ type: 'OFFERS', offers: { offers } }));

const statusArb: fc.Arbitrary<TaskStatus> = fc.record(
  {
    task_id: idArb,
    state: fc.constantFrom(...TASK_STATES),
    message: textArb,
    source: fc.constantFrom(...SOURCES),
    reason: fc.constantFrom(...REASONS),
    data: bytesArb(0, 24),
    agent_id: idArb,
    executor_id: idArb,
    timestamp: doubleArb,
    uuid: bytesArb(16, 16),
    healthy: fc.boolean(),
    unreachable_time: timeArb,
  },
  { noNullPrototype: true, requiredKeys: ['task_id', 'state'] },
);

const updateEventArb: fc.Arbitrary<Event> = statusArb.map((status) => ({
  type: 'UPDATE',
  update: { status },
}));

const eventArb = fc.oneof(offersEventArb, updateEventArb);

test(`Protobuf › the event arbitrary makes 24-character uuids ending in == and 64-bit nanoseconds (seed=${SEED})`, (t) => {
  // guards the generators themselves: a weak arbitrary would make the round-trip properties vacuous
  const samples = fc.sample(statusArb, { seed: SEED, numRuns: 200 });
  const uuids = samples.flatMap((s) => (s.uuid === undefined ? [] : [s.uuid]));
  t.true(uuids.length > 0);
  for (const u of uuids) t.regex(u, /^[A-Za-z0-9+/]{22}==$/);
  const nanos = fc.sample(int64Arb, { seed: SEED, numRuns: 200 });
  t.true(nanos.some((n) => BigInt(n) > 2n ** 53n || BigInt(n) < -(2n ** 53n)));
});

test(`Protobuf › random OFFERS and UPDATE events survive JSON encode → decode unchanged (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(eventArb, (e) => {
      assert.deepStrictEqual(decodeEventJson(encodeEventJson(e)), e);
    }),
    fcParams(200),
  );
  t.pass();
});

test(`Protobuf › random OFFERS and UPDATE events survive protobuf encode → decode unchanged (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(eventArb, (e) => {
      assert.deepStrictEqual(decodeEventProto(encodeEventProto(e)), e);
    }),
    fcParams(200),
  );
  t.pass();
});

test(`Protobuf › a RecordIO stream of random events cut into random chunks decodes to the same events, JSON and protobuf (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      fc.array(eventArb, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (events, offsets) => {
        for (const format of ['json', 'protobuf'] as const) {
          const codec = codecFor(format);
          const stream = concat(events.map((e) => encodeRecord(codec.encodeEvent(e))));
          const decoded = decodeStream(cut(stream, offsets)).map((r) => codec.decodeEvent(r));
          assert.deepStrictEqual(decoded, events, format);
        }
      },
    ),
    fcParams(60),
  );
  t.pass();
});
