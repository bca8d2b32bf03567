/**
 * A hand-written protobuf decoder for `mesos.v1.scheduler.Event`, the hot path of a protobuf
 * subscription: every OFFERS event from the master goes through here.
 *
 * It returns exactly what protobufjs gives for the same bytes with
 * `toObject(decode(bytes), { enums: String, longs: String, bytes: String })` followed by
 * offerlab's fix-ups (see `decodeEventProto` in ./protobuf.ts): the schema's snake_case field
 * names, keys in field-number order, unset optional fields and empty repeated fields left out,
 * proto2 defaults not filled in, enum names as strings, int64 as decimal strings, bytes as base64,
 * `Value.Range` bounds as numbers inside the offers of an OFFERS event (decimal strings anywhere
 * else), and `{ type: 'UNKNOWN' }` for an event without a type it knows. It throws where
 * protobufjs throws: truncated input, over-long varints, lengths past the end of the enclosing
 * message, bad wire types, field number 0, missing `required` fields.
 *
 * The protobufjs rules it mirrors, some less obvious than others:
 * - proto2 enums are closed: a number the enum does not name leaves the field as it was (absent,
 *   or the value an earlier occurrence set), so an unknown `Event.type` reads as no type at all
 *   and an unknown `Resource.type` is a missing required field.
 * - A known field number with the wrong wire type is skipped like an unknown field.
 * - A singular message field that occurs twice is merged (scalars replaced, repeated fields
 *   appended, messages merged), and the required fields are checked after every occurrence.
 * - Enum, int32 and uint32 varints keep their low 32 bits; bool is true when any payload bit of
 *   its (up to ten byte) varint is set; an unknown varint field is skipped however long it is.
 * - Groups (wire types 3/4) in unknown fields are skipped, nested at most 100 deep counting the
 *   message depth; in an empty message (`RevocableInfo`, `SharedInfo`) protobufjs hands the whole
 *   tag to the skipper as the field number, and so does this decoder.
 * - Strings are UTF-8 decoded with replacement characters and a leading BOM kept.
 *
 * How it is fast: one cursor (`buf`, `pos`) over the bytes in module state; one function per
 * message type that switches on the whole tag, keeps the fields in locals and builds the plain
 * object once at the end, in field-number order (the one-field id, role and text messages and the
 * one-double scalar take a shortcut when that is all they hold); strings of up to 15 bytes (names,
 * roles, host names: the same few in every offer) come out of a table keyed by their bytes as four
 * integers, longer ones from Node's native UTF-8 decoder, one call for the three ids that open an
 * offer; doubles through a scratch Float64Array; no intermediate message objects, no `Long`s, no
 * DataView or Buffer made per event. Roughly 3.5x protobufjs decode + toObject on OFFERS events.
 */

import { Buffer } from 'node:buffer';
import type {
  Event,
  EventType,
  TaskState,
  TaskStatusReason,
  TaskStatusSource,
  ValueType,
} from '../../core/mesos/v1.ts';

// ---- the shapes it builds (the full schema; ../../core/mesos/v1.ts types the subset offerlab reads) ----

interface IdMsg {
  value: string;
}
/** TimeInfo and DurationInfo. */
interface NanosMsg {
  nanoseconds: string;
}
interface AddressMsg {
  hostname?: string;
  ip?: string;
  port: number;
}
interface ParameterMsg {
  key: string;
  value: string;
}
interface UrlMsg {
  scheme: string;
  address: AddressMsg;
  path?: string;
  query?: ParameterMsg[];
  fragment?: string;
}
interface LabelMsg {
  key: string;
  value?: string;
}
interface LabelsMsg {
  labels?: LabelMsg[];
}
interface ScalarMsg {
  value: number;
}
/** uint64 bounds: numbers in an OFFERS event's offers, decimal strings elsewhere. */
interface RangeMsg {
  begin: number | string;
  end: number | string;
}
interface RangesMsg {
  range?: RangeMsg[];
}
interface SetMsg {
  item?: string[];
}
interface TextMsg {
  value: string;
}
interface AttributeMsg {
  name: string;
  type: ValueType;
  scalar?: ScalarMsg;
  ranges?: RangesMsg;
  text?: TextMsg;
  set?: SetMsg;
}
interface AllocationInfoMsg {
  role?: string;
}
type ReservationType = 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
interface ReservationInfoMsg {
  principal?: string;
  labels?: LabelsMsg;
  role?: string;
  type?: ReservationType;
}
/** RevocableInfo and SharedInfo have no fields. */
type EmptyMsg = Record<string, never>;
interface ResourceMsg {
  name: string;
  type: ValueType;
  scalar?: ScalarMsg;
  ranges?: RangesMsg;
  set?: SetMsg;
  role?: string;
  reservation?: ReservationInfoMsg;
  revocable?: EmptyMsg;
  shared?: EmptyMsg;
  allocation_info?: AllocationInfoMsg;
  reservations?: ReservationInfoMsg[];
}
interface UnavailabilityMsg {
  start: NanosMsg;
  duration?: NanosMsg;
}
interface OfferMsg {
  id: IdMsg;
  framework_id: IdMsg;
  agent_id: IdMsg;
  hostname: string;
  resources?: ResourceMsg[];
  executor_ids?: IdMsg[];
  attributes?: AttributeMsg[];
  url?: UrlMsg;
  unavailability?: UnavailabilityMsg;
  allocation_info?: AllocationInfoMsg;
}
interface InverseOfferMsg {
  id: IdMsg;
  url?: UrlMsg;
  framework_id: IdMsg;
  agent_id?: IdMsg;
  unavailability: UnavailabilityMsg;
  resources?: ResourceMsg[];
}
type MasterCapabilityType = 'UNKNOWN' | 'AGENT_UPDATE' | 'AGENT_DRAINING' | 'QUOTA_V2';
interface MasterCapabilityMsg {
  type?: MasterCapabilityType;
}
interface MasterInfoMsg {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: AddressMsg;
  capabilities?: MasterCapabilityMsg[];
}
interface TaskStatusMsg {
  task_id: IdMsg;
  state: TaskState;
  data?: string;
  message?: string;
  agent_id?: IdMsg;
  timestamp?: number;
  executor_id?: IdMsg;
  healthy?: boolean;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  uuid?: string;
  labels?: LabelsMsg;
  unreachable_time?: NanosMsg;
}
interface SubscribedMsg {
  framework_id: IdMsg;
  heartbeat_interval_seconds?: number;
  master_info?: MasterInfoMsg;
}
interface OffersMsg {
  offers?: OfferMsg[];
}
interface InverseOffersMsg {
  inverse_offers?: InverseOfferMsg[];
}
interface RescindMsg {
  offer_id: IdMsg;
}
interface RescindInverseOfferMsg {
  inverse_offer_id: IdMsg;
}
interface UpdateMsg {
  status: TaskStatusMsg;
}
interface MessageMsg {
  agent_id: IdMsg;
  executor_id: IdMsg;
  data: string;
}
interface FailureMsg {
  agent_id?: IdMsg;
  executor_id?: IdMsg;
  status?: number;
}
interface ErrorMsg {
  message: string;
}
interface EventMsg {
  type: EventType;
  subscribed?: SubscribedMsg;
  offers?: OffersMsg;
  rescind?: RescindMsg;
  update?: UpdateMsg;
  message?: MessageMsg;
  failure?: FailureMsg;
  error?: ErrorMsg;
  inverse_offers?: InverseOffersMsg;
  rescind_inverse_offer?: RescindInverseOfferMsg;
}

// ---- enums (numbers from ./mesos-proto.ts) -------------------------------------------------------

/** An enum's names indexed by number; holes (and numbers past the end) are numbers it does not name. */
function enumNames<N extends string>(values: Record<N, number>): readonly (N | undefined)[] {
  const names: (N | undefined)[] = [];
  for (const [name, n] of Object.entries(values) as [N, number][]) {
    while (names.length <= n) names.push(undefined);
    names[n] = name;
  }
  return names;
}

const EVENT_TYPE = enumNames<EventType>({
  UNKNOWN: 0,
  SUBSCRIBED: 1,
  OFFERS: 2,
  INVERSE_OFFERS: 9,
  RESCIND: 3,
  RESCIND_INVERSE_OFFER: 10,
  UPDATE: 4,
  UPDATE_OPERATION_STATUS: 11,
  MESSAGE: 5,
  FAILURE: 6,
  ERROR: 7,
  HEARTBEAT: 8,
});
const VALUE_TYPE = enumNames<ValueType>({ SCALAR: 0, RANGES: 1, SET: 2, TEXT: 3 });
const RESERVATION_TYPE = enumNames<ReservationType>({ UNKNOWN: 0, STATIC: 1, DYNAMIC: 2 });
const MASTER_CAPABILITY = enumNames<MasterCapabilityType>({
  UNKNOWN: 0,
  AGENT_UPDATE: 1,
  AGENT_DRAINING: 2,
  QUOTA_V2: 3,
});
const TASK_STATE = enumNames<TaskState>({
  TASK_STAGING: 6,
  TASK_STARTING: 0,
  TASK_RUNNING: 1,
  TASK_KILLING: 8,
  TASK_FINISHED: 2,
  TASK_FAILED: 3,
  TASK_KILLED: 4,
  TASK_ERROR: 7,
  TASK_LOST: 5,
  TASK_DROPPED: 9,
  TASK_UNREACHABLE: 10,
  TASK_GONE: 11,
  TASK_GONE_BY_OPERATOR: 12,
  TASK_UNKNOWN: 13,
});
const TASK_SOURCE = enumNames<TaskStatusSource>({ SOURCE_MASTER: 0, SOURCE_AGENT: 1, SOURCE_EXECUTOR: 2 });
const TASK_REASON = enumNames<TaskStatusReason>({
  REASON_COMMAND_EXECUTOR_FAILED: 0,
  REASON_EXECUTOR_TERMINATED: 1,
  REASON_EXECUTOR_UNREGISTERED: 2,
  REASON_FRAMEWORK_REMOVED: 3,
  REASON_GC_ERROR: 4,
  REASON_INVALID_FRAMEWORKID: 5,
  REASON_INVALID_OFFERS: 6,
  REASON_MASTER_DISCONNECTED: 7,
  REASON_CONTAINER_LIMITATION_MEMORY: 8,
  REASON_RECONCILIATION: 9,
  REASON_AGENT_DISCONNECTED: 10,
  REASON_AGENT_REMOVED: 11,
  REASON_AGENT_RESTARTED: 12,
  REASON_AGENT_UNKNOWN: 13,
  REASON_TASK_INVALID: 14,
  REASON_TASK_UNAUTHORIZED: 15,
  REASON_TASK_UNKNOWN: 16,
  REASON_CONTAINER_PREEMPTED: 17,
  REASON_RESOURCES_UNKNOWN: 18,
  REASON_CONTAINER_LIMITATION: 19,
  REASON_CONTAINER_LIMITATION_DISK: 20,
  REASON_CONTAINER_LAUNCH_FAILED: 21,
  REASON_CONTAINER_UPDATE_FAILED: 22,
  REASON_EXECUTOR_REGISTRATION_TIMEOUT: 23,
  REASON_EXECUTOR_REREGISTRATION_TIMEOUT: 24,
  REASON_TASK_GROUP_INVALID: 25,
  REASON_TASK_GROUP_UNAUTHORIZED: 26,
  REASON_IO_SWITCHBOARD_EXITED: 27,
  REASON_TASK_CHECK_STATUS_UPDATED: 28,
  REASON_TASK_HEALTH_CHECK_STATUS_UPDATED: 29,
  REASON_TASK_KILLED_DURING_LAUNCH: 30,
  REASON_AGENT_REMOVED_BY_OPERATOR: 31,
  REASON_AGENT_REREGISTERED: 32,
  REASON_MAX_COMPLETION_TIME_REACHED: 33,
  REASON_AGENT_DRAINING: 34,
});

// ---- the cursor ---------------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);
/** protobufjs' (and protoc's) nesting limit, here only reachable through nested groups. */
const RECURSION_LIMIT = 100;

/** The bytes being decoded; reset after every call so no input outlives it. */
let buf: Uint8Array = EMPTY;
/** The read position in `buf`. Every read is bounded by the `end` of the message it is in. */
let pos = 0;
/** The two halves of the last 64-bit varint read, as unsigned 32-bit numbers. */
let lo = 0;
let hi = 0;
/** Whether Value.Range bounds come out as numbers (in an OFFERS event's offers) or decimal strings. */
let rangesAsNumbers = false;

function outOfRange(): RangeError {
  return new RangeError(`index out of range at offset ${pos}`);
}

function missing(field: string): Error {
  return new Error(`missing required '${field}'`);
}

/** The rest of a tag whose first byte had its high bit set: at most 5 bytes, field number < 2^29. */
function readTagTail(first: number, end: number): number {
  let value = first & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) throw outOfRange();
    const b = buf[pos++] as number;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return value;
  }
  if (pos >= end) throw outOfRange();
  const b = buf[pos++] as number;
  if (b > 0x0f) throw new Error('invalid tag encoding');
  return (value | (b << 28)) >>> 0;
}

function readTag(end: number): number {
  if (pos >= end) throw outOfRange();
  const b = buf[pos++] as number;
  return b < 0x80 ? b : readTagTail(b, end);
}

/** A length prefix (at most 5 bytes, below 2^31) whose bytes must lie before `end`. */
function readLength(end: number): number {
  if (pos >= end) throw outOfRange();
  let len = buf[pos++] as number;
  if (len > 0x7f) len = readLengthTail(len, end);
  if (pos + len > end) throw outOfRange();
  return len;
}

function readLengthTail(first: number, end: number): number {
  let len = first & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) throw outOfRange();
    const b = buf[pos++] as number;
    len |= (b & 0x7f) << shift;
    if (b < 0x80) return len;
  }
  if (pos >= end) throw outOfRange();
  const b = buf[pos++] as number;
  if (b > 7) throw new Error('invalid length encoding');
  return len | (b << 28);
}

/** The end of a length-delimited nested message starting at the cursor. */
function messageEnd(end: number): number {
  const len = readLength(end);
  return pos + len;
}

/** A varint of up to 10 bytes, keeping its low 32 bits (unsigned), as protobufjs' `uint32()`. */
function readVarint32(end: number): number {
  if (pos >= end) throw outOfRange();
  const b = buf[pos++] as number;
  return b < 0x80 ? b : readVarint32Tail(b, end);
}

function readVarint32Tail(first: number, end: number): number {
  let value = first & 0x7f;
  let b: number;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= end) throw outOfRange();
    b = buf[pos++] as number;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return value;
  }
  if (pos >= end) throw outOfRange();
  b = buf[pos++] as number;
  value = (value | ((b & 0x0f) << 28)) >>> 0;
  if (b < 0x80) return value;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw outOfRange();
    if ((buf[pos++] as number) < 0x80) return value;
  }
  throw new Error('invalid varint encoding');
}

/** A varint of up to 10 bytes into `lo` and `hi`. */
function readVarint64(end: number): void {
  let b: number;
  let low = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw outOfRange();
    b = buf[pos++] as number;
    low |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lo = low;
      hi = 0;
      return;
    }
  }
  if (pos >= end) throw outOfRange();
  b = buf[pos++] as number;
  lo = (low | ((b & 0x7f) << 28)) >>> 0;
  let high = (b & 0x7f) >> 4;
  if (b < 0x80) {
    hi = high;
    return;
  }
  for (let shift = 3; shift < 38; shift += 7) {
    if (pos >= end) throw outOfRange();
    b = buf[pos++] as number;
    high |= (b & 0x7f) << shift;
    if (b < 0x80) {
      hi = high >>> 0;
      return;
    }
  }
  throw new Error('invalid varint encoding');
}

const TWO_32 = 4294967296;

/** `lo`/`hi` as a signed 64-bit decimal string, like `Long#toString()`. */
function int64String(): string {
  const high = hi | 0;
  if (high >= -0x200000 && high < 0x200000) return String(high * TWO_32 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** `lo`/`hi` as an unsigned 64-bit decimal string. */
function uint64String(): string {
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** A bool varint: true when any of its payload bits is set. */
function readBool(end: number): boolean {
  let value = false;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw outOfRange();
    const b = buf[pos++] as number;
    if (b & 0x7f) value = true;
    if (b < 0x80) return value;
  }
  throw new Error('invalid varint encoding');
}

/** Four bytes from `at` as a little-endian 32-bit word (signed). */
function word32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) |
    ((b[at + 1] as number) << 8) |
    ((b[at + 2] as number) << 16) |
    ((b[at + 3] as number) << 24)
  );
}

/** Doubles go through this scratch as two 32-bit words: cheaper than a DataView made per input. */
const scratchDouble = new Float64Array(1);
const scratchWords = new Int32Array(scratchDouble.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

function readDouble(end: number): number {
  if (pos + 8 > end) throw outOfRange();
  scratchWords[LOW_WORD] = word32(buf, pos);
  scratchWords[1 - LOW_WORD] = word32(buf, pos + 4);
  pos += 8;
  return scratchDouble[0] as number;
}

/** A length-delimited bytes field as standard padded base64. */
function readBase64(end: number): string {
  const len = readLength(end);
  const start = pos;
  pos += len;
  return Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('base64');
}

// ---- strings ------------------------------------------------------------------------------------

type Slice = (this: Uint8Array, start: number, end: number) => string;
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function textDecoderSlice(this: Uint8Array, start: number, end: number): string {
  return textDecoder.decode(this.subarray(start, end));
}

/**
 * UTF-8 bytes to a string, invalid sequences replaced by U+FFFD and a BOM kept, as protobufjs reads
 * them: with Node's `Buffer#utf8Slice` on a Buffer, a TextDecoder on other Uint8Arrays (the two
 * agree). `utf8Slice` takes any Uint8Array and costs one native call, so it is used when it is
 * there and does what it should; the TextDecoder otherwise.
 */
const utf8Slice: Slice = (() => {
  const native = (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice;
  if (typeof native !== 'function') return textDecoderSlice;
  try {
    const probe = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff);
    if ((native as Slice).call(probe, 0, 5) === textDecoderSlice.call(probe, 0, 5)) return native as Slice;
  } catch {
    // not callable on a plain Uint8Array
  }
  return textDecoderSlice;
})();

/**
 * Strings of up to 15 bytes are looked up in a direct-mapped table keyed by their bytes packed into
 * four little-endian 32-bit words, zero past the end and the length in the top byte of the last:
 * the names, roles, host names and enum-like values that repeat in every offer come back as the
 * same string, found with a few integer compares instead of a native call and an allocation. (The
 * same bytes always decode to the same string, so any bytes can be cached, UTF-8 or not.)
 */
const PACKED_MAX_LENGTH = 15;
const PACKED_SLOT_BITS = 12;
/** Four words per slot; all zero (the key of no string: lengths start at 1) until first used. */
const packedKeys = new Int32Array(4 << PACKED_SLOT_BITS);
const packedStrings = new Array<string>(1 << PACKED_SLOT_BITS).fill('');

function readString(end: number): string {
  const len = readLength(end);
  const start = pos;
  pos += len;
  if (len <= PACKED_MAX_LENGTH) return packedString(start, len);
  return utf8Slice.call(buf, start, start + len);
}

/** The `n` bytes (1 to 4, or more: then 4) from `at` as a little-endian word, zero above them. */
function packWord(b: Uint8Array, at: number, n: number): number {
  if (n >= 4) return word32(b, at);
  if (n === 3) return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16);
  if (n === 2) return (b[at] as number) | ((b[at + 1] as number) << 8);
  return b[at] as number;
}

function packedString(start: number, len: number): string {
  if (len === 0) return '';
  const b = buf;
  const w0 = packWord(b, start, len);
  const w1 = len > 4 ? packWord(b, start + 4, len - 4) : 0;
  const w2 = len > 8 ? packWord(b, start + 8, len - 8) : 0;
  const w3 = (len > 12 ? packWord(b, start + 12, len - 12) : 0) | (len << 24);
  const hash = w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f);
  const slot = Math.imul(hash, 0x9e3779b1) >>> (32 - PACKED_SLOT_BITS);
  const k = slot * 4;
  if (
    packedKeys[k] === w0 &&
    packedKeys[k + 1] === w1 &&
    packedKeys[k + 2] === w2 &&
    packedKeys[k + 3] === w3
  ) {
    return packedStrings[slot] as string;
  }
  const s = utf8Slice.call(b, start, start + len);
  packedKeys[k] = w0;
  packedKeys[k + 1] = w1;
  packedKeys[k + 2] = w2;
  packedKeys[k + 3] = w3;
  packedStrings[slot] = s;
  return s;
}

// ---- unknown fields -----------------------------------------------------------------------------

/** Skips one unknown field (or a known field number with an unexpected wire type). */
function skipField(wireType: number, fieldNumber: number, end: number, depth: number): void {
  if (depth > RECURSION_LIMIT) throw new Error('max depth exceeded');
  if (fieldNumber === 0) throw new Error('illegal tag: field number 0');
  switch (wireType) {
    case 0:
      // however many bytes: protobufjs' skip does not cap an unknown varint at 10
      do {
        if (pos >= end) throw outOfRange();
      } while ((buf[pos++] as number) & 0x80);
      return;
    case 1:
      if (pos + 8 > end) throw outOfRange();
      pos += 8;
      return;
    case 2: {
      const len = readLength(end); // (not `pos += readLength(end)`: that adds to the old pos)
      pos += len;
      return;
    }
    case 3:
      for (;;) {
        const tag = readTag(end);
        const nested = tag >>> 3;
        if (nested === 0) throw new Error('illegal tag: field number 0');
        if ((tag & 7) === 4) {
          if (nested !== fieldNumber) throw new Error('invalid end group tag');
          return;
        }
        skipField(tag & 7, nested, end, depth + 1);
      }
    case 5:
      if (pos + 4 > end) throw outOfRange();
      pos += 4;
      return;
    default:
      throw new Error(`invalid wire type ${wireType} at offset ${pos}`);
  }
}

// ---- mesos.v1 messages --------------------------------------------------------------------------
//
// Each reader decodes the message that runs from the cursor to `end` at nesting `depth`. Readers
// of messages that can be a singular field take the value of an earlier occurrence (`prev`) and
// merge into it. Tags are matched whole: (field number << 3) | wire type.

/**
 * One more element of a repeated field (absent until its first element). The first four are added
 * by making a new array of exactly their number: `push` would give a one-element array room for 17.
 */
function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  switch (list.length) {
    case 1:
      return [list[0] as T, item];
    case 2:
      return [list[0] as T, list[1] as T, item];
    case 3:
      return [list[0] as T, list[1] as T, list[2] as T, item];
  }
  list.push(item);
  return list;
}

/**
 * Whether the message from the cursor to `end` is exactly one length-delimited field 1 (tag 0x0a,
 * a one-byte length): the usual shape of the id, role and text messages, decoded without the loop.
 */
function onlyField1String(end: number): boolean {
  if (pos + 2 > end || buf[pos] !== 0x0a) return false;
  const len = buf[pos + 1] as number;
  return len < 0x80 && pos + 2 + len === end;
}

/** FrameworkID, OfferID, AgentID, TaskID, ExecutorID: `required string value = 1`. */
function readId(end: number, depth: number, prev: IdMsg | undefined): IdMsg {
  if (onlyField1String(end)) {
    pos++;
    return { value: readString(end) };
  }
  let value = prev?.value;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) value = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (value === undefined) throw missing('value');
  return { value };
}

/** TimeInfo and DurationInfo: `required int64 nanoseconds = 1`. */
function readNanos(end: number, depth: number, prev: NanosMsg | undefined): NanosMsg {
  let nanoseconds = prev?.nanoseconds;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x08) {
      readVarint64(end);
      nanoseconds = int64String();
    } else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (nanoseconds === undefined) throw missing('nanoseconds');
  return { nanoseconds };
}

function readAddress(end: number, depth: number, prev: AddressMsg | undefined): AddressMsg {
  let hostname: string | undefined;
  let ip: string | undefined;
  let port: number | undefined;
  if (prev !== undefined) ({ hostname, ip, port } = prev);
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        hostname = readString(end);
        break;
      case 0x12:
        ip = readString(end);
        break;
      case 0x18:
        port = readVarint32(end) | 0;
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (port === undefined) throw missing('port');
  const address = {} as AddressMsg;
  if (hostname !== undefined) address.hostname = hostname;
  if (ip !== undefined) address.ip = ip;
  address.port = port;
  return address;
}

function readParameter(end: number, depth: number): ParameterMsg {
  let key: string | undefined;
  let value: string | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) key = readString(end);
    else if (tag === 0x12) value = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (key === undefined) throw missing('key');
  if (value === undefined) throw missing('value');
  return { key, value };
}

function readUrl(end: number, depth: number, prev: UrlMsg | undefined): UrlMsg {
  let scheme: string | undefined;
  let address: AddressMsg | undefined;
  let path: string | undefined;
  let query: ParameterMsg[] | undefined;
  let fragment: string | undefined;
  if (prev !== undefined) ({ scheme, address, path, query, fragment } = prev);
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        scheme = readString(end);
        break;
      case 0x12:
        address = readAddress(messageEnd(end), depth + 1, address);
        break;
      case 0x1a:
        path = readString(end);
        break;
      case 0x22:
        query = append(query, readParameter(messageEnd(end), depth + 1));
        break;
      case 0x2a:
        fragment = readString(end);
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (scheme === undefined) throw missing('scheme');
  if (address === undefined) throw missing('address');
  const url: UrlMsg = { scheme, address };
  if (path !== undefined) url.path = path;
  if (query !== undefined) url.query = query;
  if (fragment !== undefined) url.fragment = fragment;
  return url;
}

function readLabel(end: number, depth: number): LabelMsg {
  let key: string | undefined;
  let value: string | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) key = readString(end);
    else if (tag === 0x12) value = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (key === undefined) throw missing('key');
  const label: LabelMsg = { key };
  if (value !== undefined) label.value = value;
  return label;
}

function readLabels(end: number, depth: number, prev: LabelsMsg | undefined): LabelsMsg {
  let labels = prev?.labels;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) labels = append(labels, readLabel(messageEnd(end), depth + 1));
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return labels === undefined ? {} : { labels };
}

/** Value.Scalar: `required double value = 1`. */
function readScalar(end: number, depth: number, prev: ScalarMsg | undefined): ScalarMsg {
  if (end - pos === 9 && buf[pos] === 0x09) {
    // just the double, the usual shape
    pos++;
    return { value: readDouble(end) };
  }
  let value = prev?.value;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x09) value = readDouble(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (value === undefined) throw missing('value');
  return { value };
}

/** A uint64 range bound, as a number or a decimal string (see `rangesAsNumbers`). */
function readRangeBound(end: number): number | string {
  readVarint64(end);
  return rangesAsNumbers ? hi * TWO_32 + lo : uint64String();
}

function readRange(end: number, depth: number): RangeMsg {
  let begin: number | string | undefined;
  let last: number | string | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x08) begin = readRangeBound(end);
    else if (tag === 0x10) last = readRangeBound(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (begin === undefined) throw missing('begin');
  if (last === undefined) throw missing('end');
  return { begin, end: last };
}

function readRanges(end: number, depth: number, prev: RangesMsg | undefined): RangesMsg {
  let range = prev?.range;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) range = append(range, readRange(messageEnd(end), depth + 1));
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return range === undefined ? {} : { range };
}

function readSet(end: number, depth: number, prev: SetMsg | undefined): SetMsg {
  let item = prev?.item;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) item = append(item, readString(end));
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return item === undefined ? {} : { item };
}

function readText(end: number, depth: number, prev: TextMsg | undefined): TextMsg {
  if (onlyField1String(end)) {
    pos++;
    return { value: readString(end) };
  }
  let value = prev?.value;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) value = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (value === undefined) throw missing('value');
  return { value };
}

function readAttribute(end: number, depth: number): AttributeMsg {
  let name: string | undefined;
  let type: ValueType | undefined;
  let scalar: ScalarMsg | undefined;
  let ranges: RangesMsg | undefined;
  let text: TextMsg | undefined;
  let set: SetMsg | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        name = readString(end);
        break;
      case 0x10:
        type = VALUE_TYPE[readVarint32(end)] ?? type;
        break;
      case 0x1a:
        scalar = readScalar(messageEnd(end), depth + 1, scalar);
        break;
      case 0x22:
        ranges = readRanges(messageEnd(end), depth + 1, ranges);
        break;
      case 0x2a:
        text = readText(messageEnd(end), depth + 1, text);
        break;
      case 0x32:
        set = readSet(messageEnd(end), depth + 1, set);
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (name === undefined) throw missing('name');
  if (type === undefined) throw missing('type');
  const attribute: AttributeMsg = { name, type };
  if (scalar !== undefined) attribute.scalar = scalar;
  if (ranges !== undefined) attribute.ranges = ranges;
  if (text !== undefined) attribute.text = text;
  if (set !== undefined) attribute.set = set;
  return attribute;
}

/** Resource.AllocationInfo: `optional string role = 1`. */
function readAllocationInfo(
  end: number,
  depth: number,
  prev: AllocationInfoMsg | undefined,
): AllocationInfoMsg {
  if (onlyField1String(end)) {
    pos++;
    return { role: readString(end) };
  }
  let role = prev?.role;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) role = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return role === undefined ? {} : { role };
}

function readReservationInfo(
  end: number,
  depth: number,
  prev: ReservationInfoMsg | undefined,
): ReservationInfoMsg {
  let principal: string | undefined;
  let labels: LabelsMsg | undefined;
  let role: string | undefined;
  let type: ReservationType | undefined;
  if (prev !== undefined) ({ principal, labels, role, type } = prev);
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        principal = readString(end);
        break;
      case 0x12:
        labels = readLabels(messageEnd(end), depth + 1, labels);
        break;
      case 0x1a:
        role = readString(end);
        break;
      case 0x20:
        type = RESERVATION_TYPE[readVarint32(end)] ?? type;
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  const reservation: ReservationInfoMsg = {};
  if (principal !== undefined) reservation.principal = principal;
  if (labels !== undefined) reservation.labels = labels;
  if (role !== undefined) reservation.role = role;
  if (type !== undefined) reservation.type = type;
  return reservation;
}

/**
 * RevocableInfo and SharedInfo: no fields, so everything is skipped; protobufjs passes the whole
 * tag where other messages pass the field number, which only shows in the group end check.
 */
function readEmpty(end: number, depth: number): EmptyMsg {
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    skipField(tag & 7, tag, end, depth);
  }
  return {};
}

function readResource(end: number, depth: number): ResourceMsg {
  let name: string | undefined;
  let type: ValueType | undefined;
  let scalar: ScalarMsg | undefined;
  let ranges: RangesMsg | undefined;
  let set: SetMsg | undefined;
  let role: string | undefined;
  let reservation: ReservationInfoMsg | undefined;
  let revocable: EmptyMsg | undefined;
  let shared: EmptyMsg | undefined;
  let allocationInfo: AllocationInfoMsg | undefined;
  let reservations: ReservationInfoMsg[] | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        name = readString(end);
        break;
      case 0x10:
        type = VALUE_TYPE[readVarint32(end)] ?? type;
        break;
      case 0x1a:
        scalar = readScalar(messageEnd(end), depth + 1, scalar);
        break;
      case 0x22:
        ranges = readRanges(messageEnd(end), depth + 1, ranges);
        break;
      case 0x2a:
        set = readSet(messageEnd(end), depth + 1, set);
        break;
      case 0x32:
        role = readString(end);
        break;
      case 0x42:
        reservation = readReservationInfo(messageEnd(end), depth + 1, reservation);
        break;
      case 0x4a:
        revocable = readEmpty(messageEnd(end), depth + 1);
        break;
      case 0x52:
        shared = readEmpty(messageEnd(end), depth + 1);
        break;
      case 0x5a:
        allocationInfo = readAllocationInfo(messageEnd(end), depth + 1, allocationInfo);
        break;
      case 0x6a:
        reservations = append(reservations, readReservationInfo(messageEnd(end), depth + 1, undefined));
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (name === undefined) throw missing('name');
  if (type === undefined) throw missing('type');
  const resource: ResourceMsg = { name, type };
  if (scalar !== undefined) resource.scalar = scalar;
  if (ranges !== undefined) resource.ranges = ranges;
  if (set !== undefined) resource.set = set;
  if (role !== undefined) resource.role = role;
  if (reservation !== undefined) resource.reservation = reservation;
  if (revocable !== undefined) resource.revocable = revocable;
  if (shared !== undefined) resource.shared = shared;
  if (allocationInfo !== undefined) resource.allocation_info = allocationInfo;
  if (reservations !== undefined) resource.reservations = reservations;
  return resource;
}

function readUnavailability(
  end: number,
  depth: number,
  prev: UnavailabilityMsg | undefined,
): UnavailabilityMsg {
  let start: NanosMsg | undefined;
  let duration: NanosMsg | undefined;
  if (prev !== undefined) ({ start, duration } = prev);
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) start = readNanos(messageEnd(end), depth + 1, start);
    else if (tag === 0x12) duration = readNanos(messageEnd(end), depth + 1, duration);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (start === undefined) throw missing('start');
  const unavailability: UnavailabilityMsg = { start };
  if (duration !== undefined) unavailability.duration = duration;
  return unavailability;
}

/**
 * Where the value of an id message that holds just its value (`<tag> <len + 2> 0a <len> <value>`,
 * one-byte lengths) starting at `at` ends, or -1 if the bytes there are not that.
 */
function idValueEnd(at: number, tag: number, end: number): number {
  if (at + 4 > end) return -1;
  const len = buf[at + 3] as number;
  if (buf[at] !== tag || buf[at + 1] !== len + 2 || buf[at + 2] !== 0x0a || len > 125) return -1;
  const stop = at + 4 + len;
  return stop <= end ? stop : -1;
}

/**
 * The id, framework_id and agent_id that open an offer when they come first, in that order, each
 * holding just its value (as encoders write them), read with one native UTF-8 call for the three
 * strings instead of three (substrings of one run, which is only right if it is all ASCII): the
 * three ids with the cursor moved past them, or undefined with the cursor left where it was.
 */
function readOfferIds(end: number): [IdMsg, IdMsg, IdMsg] | undefined {
  const start = pos + 4;
  const idEnd = idValueEnd(pos, 0x0a, end);
  const frameworkIdEnd = idEnd < 0 ? -1 : idValueEnd(idEnd, 0x12, end);
  const agentIdEnd = frameworkIdEnd < 0 ? -1 : idValueEnd(frameworkIdEnd, 0x1a, end);
  if (agentIdEnd < 0) return undefined;
  const text = utf8Slice.call(buf, start, agentIdEnd);
  if (text.length !== agentIdEnd - start) return undefined;
  pos = agentIdEnd;
  return [
    { value: text.substring(0, idEnd - start) },
    { value: text.substring(idEnd + 4 - start, frameworkIdEnd - start) },
    { value: text.substring(frameworkIdEnd + 4 - start, agentIdEnd - start) },
  ];
}

function readOffer(end: number, depth: number): OfferMsg {
  let id: IdMsg | undefined;
  let frameworkId: IdMsg | undefined;
  let agentId: IdMsg | undefined;
  let hostname: string | undefined;
  let resources: ResourceMsg[] | undefined;
  let executorIds: IdMsg[] | undefined;
  let attributes: AttributeMsg[] | undefined;
  let url: UrlMsg | undefined;
  let unavailability: UnavailabilityMsg | undefined;
  let allocationInfo: AllocationInfoMsg | undefined;
  const ids = readOfferIds(end);
  if (ids !== undefined) [id, frameworkId, agentId] = ids;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        id = readId(messageEnd(end), depth + 1, id);
        break;
      case 0x12:
        frameworkId = readId(messageEnd(end), depth + 1, frameworkId);
        break;
      case 0x1a:
        agentId = readId(messageEnd(end), depth + 1, agentId);
        break;
      case 0x22:
        hostname = readString(end);
        break;
      case 0x2a:
        resources = append(resources, readResource(messageEnd(end), depth + 1));
        break;
      case 0x32:
        executorIds = append(executorIds, readId(messageEnd(end), depth + 1, undefined));
        break;
      case 0x3a:
        attributes = append(attributes, readAttribute(messageEnd(end), depth + 1));
        break;
      case 0x42:
        url = readUrl(messageEnd(end), depth + 1, url);
        break;
      case 0x4a:
        unavailability = readUnavailability(messageEnd(end), depth + 1, unavailability);
        break;
      case 0x52:
        allocationInfo = readAllocationInfo(messageEnd(end), depth + 1, allocationInfo);
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (id === undefined) throw missing('id');
  if (frameworkId === undefined) throw missing('framework_id');
  if (agentId === undefined) throw missing('agent_id');
  if (hostname === undefined) throw missing('hostname');
  const offer: OfferMsg = { id, framework_id: frameworkId, agent_id: agentId, hostname };
  if (resources !== undefined) offer.resources = resources;
  if (executorIds !== undefined) offer.executor_ids = executorIds;
  if (attributes !== undefined) offer.attributes = attributes;
  if (url !== undefined) offer.url = url;
  if (unavailability !== undefined) offer.unavailability = unavailability;
  if (allocationInfo !== undefined) offer.allocation_info = allocationInfo;
  return offer;
}

function readInverseOffer(end: number, depth: number): InverseOfferMsg {
  let id: IdMsg | undefined;
  let url: UrlMsg | undefined;
  let frameworkId: IdMsg | undefined;
  let agentId: IdMsg | undefined;
  let unavailability: UnavailabilityMsg | undefined;
  let resources: ResourceMsg[] | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        id = readId(messageEnd(end), depth + 1, id);
        break;
      case 0x12:
        url = readUrl(messageEnd(end), depth + 1, url);
        break;
      case 0x1a:
        frameworkId = readId(messageEnd(end), depth + 1, frameworkId);
        break;
      case 0x22:
        agentId = readId(messageEnd(end), depth + 1, agentId);
        break;
      case 0x2a:
        unavailability = readUnavailability(messageEnd(end), depth + 1, unavailability);
        break;
      case 0x32:
        resources = append(resources, readResource(messageEnd(end), depth + 1));
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (id === undefined) throw missing('id');
  if (frameworkId === undefined) throw missing('framework_id');
  if (unavailability === undefined) throw missing('unavailability');
  const inverseOffer = { id } as InverseOfferMsg;
  if (url !== undefined) inverseOffer.url = url;
  inverseOffer.framework_id = frameworkId;
  if (agentId !== undefined) inverseOffer.agent_id = agentId;
  inverseOffer.unavailability = unavailability;
  if (resources !== undefined) inverseOffer.resources = resources;
  return inverseOffer;
}

/** MasterInfo.Capability: `optional Type type = 1`. */
function readMasterCapability(end: number, depth: number): MasterCapabilityMsg {
  let type: MasterCapabilityType | undefined;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x08) type = MASTER_CAPABILITY[readVarint32(end)] ?? type;
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return type === undefined ? {} : { type };
}

function readMasterInfo(end: number, depth: number, prev: MasterInfoMsg | undefined): MasterInfoMsg {
  let id: string | undefined;
  let ip: number | undefined;
  let port: number | undefined;
  let pid: string | undefined;
  let hostname: string | undefined;
  let version: string | undefined;
  let address: AddressMsg | undefined;
  let capabilities: MasterCapabilityMsg[] | undefined;
  if (prev !== undefined) ({ id, ip, port, pid, hostname, version, address, capabilities } = prev);
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        id = readString(end);
        break;
      case 0x10:
        ip = readVarint32(end);
        break;
      case 0x18:
        port = readVarint32(end);
        break;
      case 0x22:
        pid = readString(end);
        break;
      case 0x2a:
        hostname = readString(end);
        break;
      case 0x32:
        version = readString(end);
        break;
      case 0x3a:
        address = readAddress(messageEnd(end), depth + 1, address);
        break;
      case 0x4a:
        capabilities = append(capabilities, readMasterCapability(messageEnd(end), depth + 1));
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (id === undefined) throw missing('id');
  if (ip === undefined) throw missing('ip');
  if (port === undefined) throw missing('port');
  const info: MasterInfoMsg = { id, ip, port };
  if (pid !== undefined) info.pid = pid;
  if (hostname !== undefined) info.hostname = hostname;
  if (version !== undefined) info.version = version;
  if (address !== undefined) info.address = address;
  if (capabilities !== undefined) info.capabilities = capabilities;
  return info;
}

function readTaskStatus(end: number, depth: number, prev: TaskStatusMsg | undefined): TaskStatusMsg {
  let taskId: IdMsg | undefined;
  let state: TaskState | undefined;
  let data: string | undefined;
  let message: string | undefined;
  let agentId: IdMsg | undefined;
  let timestamp: number | undefined;
  let executorId: IdMsg | undefined;
  let healthy: boolean | undefined;
  let source: TaskStatusSource | undefined;
  let reason: TaskStatusReason | undefined;
  let uuid: string | undefined;
  let labels: LabelsMsg | undefined;
  let unreachableTime: NanosMsg | undefined;
  if (prev !== undefined) {
    ({ data, message, timestamp, healthy, source, reason, uuid, labels } = prev);
    ({ task_id: taskId, state, agent_id: agentId, executor_id: executorId } = prev);
    unreachableTime = prev.unreachable_time;
  }
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x0a:
        taskId = readId(messageEnd(end), depth + 1, taskId);
        break;
      case 0x10:
        state = TASK_STATE[readVarint32(end)] ?? state;
        break;
      case 0x1a:
        data = readBase64(end);
        break;
      case 0x22:
        message = readString(end);
        break;
      case 0x2a:
        agentId = readId(messageEnd(end), depth + 1, agentId);
        break;
      case 0x31:
        timestamp = readDouble(end);
        break;
      case 0x3a:
        executorId = readId(messageEnd(end), depth + 1, executorId);
        break;
      case 0x40:
        healthy = readBool(end);
        break;
      case 0x48:
        source = TASK_SOURCE[readVarint32(end)] ?? source;
        break;
      case 0x50:
        reason = TASK_REASON[readVarint32(end)] ?? reason;
        break;
      case 0x5a:
        uuid = readBase64(end);
        break;
      case 0x62:
        labels = readLabels(messageEnd(end), depth + 1, labels);
        break;
      case 0x72:
        unreachableTime = readNanos(messageEnd(end), depth + 1, unreachableTime);
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, depth);
    }
  }
  if (taskId === undefined) throw missing('task_id');
  if (state === undefined) throw missing('state');
  const status: TaskStatusMsg = { task_id: taskId, state };
  if (data !== undefined) status.data = data;
  if (message !== undefined) status.message = message;
  if (agentId !== undefined) status.agent_id = agentId;
  if (timestamp !== undefined) status.timestamp = timestamp;
  if (executorId !== undefined) status.executor_id = executorId;
  if (healthy !== undefined) status.healthy = healthy;
  if (source !== undefined) status.source = source;
  if (reason !== undefined) status.reason = reason;
  if (uuid !== undefined) status.uuid = uuid;
  if (labels !== undefined) status.labels = labels;
  if (unreachableTime !== undefined) status.unreachable_time = unreachableTime;
  return status;
}

// ---- mesos.v1.scheduler.Event and its payloads --------------------------------------------------

function readSubscribed(end: number, depth: number, prev: SubscribedMsg | undefined): SubscribedMsg {
  let frameworkId = prev?.framework_id;
  let heartbeat = prev?.heartbeat_interval_seconds;
  let masterInfo = prev?.master_info;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) frameworkId = readId(messageEnd(end), depth + 1, frameworkId);
    else if (tag === 0x11) heartbeat = readDouble(end);
    else if (tag === 0x1a) masterInfo = readMasterInfo(messageEnd(end), depth + 1, masterInfo);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (frameworkId === undefined) throw missing('framework_id');
  const subscribed: SubscribedMsg = { framework_id: frameworkId };
  if (heartbeat !== undefined) subscribed.heartbeat_interval_seconds = heartbeat;
  if (masterInfo !== undefined) subscribed.master_info = masterInfo;
  return subscribed;
}

function readOffers(end: number, depth: number, prev: OffersMsg | undefined): OffersMsg {
  let offers = prev?.offers;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) offers = append(offers, readOffer(messageEnd(end), depth + 1));
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return offers === undefined ? {} : { offers };
}

function readInverseOffers(end: number, depth: number, prev: InverseOffersMsg | undefined): InverseOffersMsg {
  let inverseOffers = prev?.inverse_offers;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) inverseOffers = append(inverseOffers, readInverseOffer(messageEnd(end), depth + 1));
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  return inverseOffers === undefined ? {} : { inverse_offers: inverseOffers };
}

function readRescind(end: number, depth: number, prev: RescindMsg | undefined): RescindMsg {
  let offerId = prev?.offer_id;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) offerId = readId(messageEnd(end), depth + 1, offerId);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (offerId === undefined) throw missing('offer_id');
  return { offer_id: offerId };
}

function readRescindInverseOffer(
  end: number,
  depth: number,
  prev: RescindInverseOfferMsg | undefined,
): RescindInverseOfferMsg {
  let inverseOfferId = prev?.inverse_offer_id;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) inverseOfferId = readId(messageEnd(end), depth + 1, inverseOfferId);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (inverseOfferId === undefined) throw missing('inverse_offer_id');
  return { inverse_offer_id: inverseOfferId };
}

function readUpdate(end: number, depth: number, prev: UpdateMsg | undefined): UpdateMsg {
  let status = prev?.status;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) status = readTaskStatus(messageEnd(end), depth + 1, status);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (status === undefined) throw missing('status');
  return { status };
}

function readMessage(end: number, depth: number, prev: MessageMsg | undefined): MessageMsg {
  let agentId = prev?.agent_id;
  let executorId = prev?.executor_id;
  let data = prev?.data;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) agentId = readId(messageEnd(end), depth + 1, agentId);
    else if (tag === 0x12) executorId = readId(messageEnd(end), depth + 1, executorId);
    else if (tag === 0x1a) data = readBase64(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (agentId === undefined) throw missing('agent_id');
  if (executorId === undefined) throw missing('executor_id');
  if (data === undefined) throw missing('data');
  return { agent_id: agentId, executor_id: executorId, data };
}

function readFailure(end: number, depth: number, prev: FailureMsg | undefined): FailureMsg {
  let agentId = prev?.agent_id;
  let executorId = prev?.executor_id;
  let status = prev?.status;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) agentId = readId(messageEnd(end), depth + 1, agentId);
    else if (tag === 0x12) executorId = readId(messageEnd(end), depth + 1, executorId);
    else if (tag === 0x18) status = readVarint32(end) | 0;
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  const failure: FailureMsg = {};
  if (agentId !== undefined) failure.agent_id = agentId;
  if (executorId !== undefined) failure.executor_id = executorId;
  if (status !== undefined) failure.status = status;
  return failure;
}

function readError(end: number, depth: number, prev: ErrorMsg | undefined): ErrorMsg {
  let message = prev?.message;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    if (tag === 0x0a) message = readString(end);
    else skipField(tag & 7, tag >>> 3, end, depth);
  }
  if (message === undefined) throw missing('message');
  return { message };
}

/**
 * The whole of `buf` as an Event. The range bounds in `offers` depend on the event's final type,
 * which the wire may give after the offers (or more than once): the first pass guesses from the
 * type read so far, and a wrong guess is decoded again with `offersRangesAsNumbers` fixed.
 */
function readEvent(offersRangesAsNumbers: boolean | undefined): EventMsg | undefined {
  const end = buf.length;
  let type: EventType | undefined;
  let subscribed: SubscribedMsg | undefined;
  let offers: OffersMsg | undefined;
  let rescind: RescindMsg | undefined;
  let update: UpdateMsg | undefined;
  let message: MessageMsg | undefined;
  let failure: FailureMsg | undefined;
  let error: ErrorMsg | undefined;
  let inverseOffers: InverseOffersMsg | undefined;
  let rescindInverseOffer: RescindInverseOfferMsg | undefined;
  let offersWithNumbers = false;
  let offersWithStrings = false;
  while (pos < end) {
    let tag = buf[pos++] as number;
    if (tag > 0x7f) tag = readTagTail(tag, end);
    switch (tag) {
      case 0x08:
        type = EVENT_TYPE[readVarint32(end)] ?? type;
        break;
      case 0x12:
        subscribed = readSubscribed(messageEnd(end), 1, subscribed);
        break;
      case 0x1a:
        rangesAsNumbers = offersRangesAsNumbers ?? type === 'OFFERS';
        if (rangesAsNumbers) offersWithNumbers = true;
        else offersWithStrings = true;
        offers = readOffers(messageEnd(end), 1, offers);
        break;
      case 0x22:
        rescind = readRescind(messageEnd(end), 1, rescind);
        break;
      case 0x2a:
        update = readUpdate(messageEnd(end), 1, update);
        break;
      case 0x32:
        message = readMessage(messageEnd(end), 1, message);
        break;
      case 0x3a:
        failure = readFailure(messageEnd(end), 1, failure);
        break;
      case 0x42:
        error = readError(messageEnd(end), 1, error);
        break;
      case 0x4a:
        rangesAsNumbers = false;
        inverseOffers = readInverseOffers(messageEnd(end), 1, inverseOffers);
        break;
      case 0x52:
        rescindInverseOffer = readRescindInverseOffer(messageEnd(end), 1, rescindInverseOffer);
        break;
      default:
        skipField(tag & 7, tag >>> 3, end, 0);
    }
  }
  if (type === undefined) return undefined;
  if (type === 'OFFERS' ? offersWithStrings : offersWithNumbers) {
    pos = 0;
    return readEvent(type === 'OFFERS');
  }
  const event: EventMsg = { type };
  if (subscribed !== undefined) event.subscribed = subscribed;
  if (offers !== undefined) event.offers = offers;
  if (rescind !== undefined) event.rescind = rescind;
  if (update !== undefined) event.update = update;
  if (message !== undefined) event.message = message;
  if (failure !== undefined) event.failure = failure;
  if (error !== undefined) event.error = error;
  if (inverseOffers !== undefined) event.inverse_offers = inverseOffers;
  if (rescindInverseOffer !== undefined) event.rescind_inverse_offer = rescindInverseOffer;
  return event;
}

/**
 * Decodes one protobuf `mesos.v1.scheduler.Event` (a RecordIO record of the master's event stream)
 * into offerlab's plain Event, exactly as protobufjs decode + toObject + offerlab's fix-ups would
 * (see the top of this file), several times faster. Throws an Error on malformed input and on
 * missing required fields. An event whose type is absent or not one the schema names decodes as
 * `{ type: 'UNKNOWN' }` (after the rest of it has been checked).
 */
export function decodeEventFast(bytes: Uint8Array): Event {
  buf = bytes;
  pos = 0;
  try {
    const event = readEvent(undefined);
    return event === undefined ? { type: 'UNKNOWN' } : (event as Event);
  } finally {
    buf = EMPTY;
  }
}
