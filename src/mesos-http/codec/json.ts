import type { Call, Event, EventType } from '../../core/mesos/v1.ts';
import { CallRejected } from './errors.ts';
import { callType, eventType } from './proto-root.ts';
import { fromStoutJson } from './stout-json.ts';
import { toStoutJson } from './stout-writer.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'SUBSCRIBED',
  'OFFERS',
  'RESCIND',
  'UPDATE',
  'MESSAGE',
  'FAILURE',
  'ERROR',
  'HEARTBEAT',
  'INVERSE_OFFERS',
  'RESCIND_INVERSE_OFFER',
  'UPDATE_OPERATION_STATUS',
]);

/**
 * A Call or Event as the master writes and reads JSON: compact, enum names, bytes as base64, and
 * 64-bit `nanoseconds` (kept as decimal strings inside offerlab) written as bare numbers.
 */
export function encodeCallJson(call: Call): Uint8Array {
  return encoder.encode(quoteless(JSON.stringify(call)));
}

/**
 * An event as the master writes it (stout's jsonify of the protobuf): fields in declaration order,
 * empty repeated fields left out, whole doubles with `.0`, 64-bit integers as bare numbers.
 */
export function encodeEventJson(event: Event): Uint8Array {
  return encoder.encode(toStoutJson(eventType(), event as unknown as Record<string, unknown>));
}

/** `"nanoseconds":"123"` → `"nanoseconds":123`: offerlab's decimal strings as the master's numbers. */
function quoteless(text: string): string {
  return text.includes('"nanoseconds"') ? text.replace(/"nanoseconds":"(-?\d+)"/g, '"nanoseconds":$1') : text;
}

/** `"nanoseconds":123` → `"nanoseconds":"123"`, so values above 2^53 keep every digit through JSON.parse. */
function quoted(text: string): string {
  return text.includes('"nanoseconds"')
    ? text.replace(/"nanoseconds"\s*:\s*(-?\d+)/g, '"nanoseconds":"$1"')
    : text;
}

/**
 * One event record from the master. `nanoseconds` values are read as decimal strings, so values
 * above 2^53 keep every digit; event types offerlab does not know come back as `UNKNOWN`.
 *
 * Scanning every record's text for "nanoseconds" costs about as much as a tenth of JSON.parse, so
 * the record is parsed as is and parsed again with quoted nanoseconds only when it holds a time:
 * events carry them only in offers' and inverse offers' `unavailability` and in a status's
 * `unreachable_time`.
 */
export function decodeEventJson(bytes: Uint8Array): Event {
  const text = decoder.decode(bytes);
  let value: unknown = JSON.parse(text);
  if (holdsTime(value)) value = JSON.parse(quoted(text));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a Mesos event: not a JSON object');
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') throw new Error('not a Mesos event: no "type"');
  if (!EVENT_TYPES.has(type as EventType)) return { type: 'UNKNOWN' };
  return value as Event;
}

interface MaybeTimed {
  offers?: { offers?: { unavailability?: unknown }[] };
  inverse_offers?: { inverse_offers?: { unavailability?: unknown }[] };
  update?: { status?: { unreachable_time?: unknown } };
}

/** True when an event parsed with plain JSON.parse has a TimeInfo or DurationInfo in it. */
function holdsTime(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as MaybeTimed;
  if (e.update?.status?.unreachable_time !== undefined) return true;
  const offers = e.offers?.offers;
  if (Array.isArray(offers)) for (const o of offers) if (o?.unavailability !== undefined) return true;
  const inverse = e.inverse_offers?.inverse_offers;
  if (Array.isArray(inverse)) for (const o of inverse) if (o?.unavailability !== undefined) return true;
  return false;
}

/** A call body as the master reads it; refusals carry the master's status and message. */
export function decodeCallJson(bytes: Uint8Array): Call {
  let value: unknown;
  try {
    value = JSON.parse(quoted(decoder.decode(bytes)));
  } catch (err) {
    throw new CallRejected(400, `Failed to parse body into JSON: ${(err as Error).message}`);
  }
  return fromStoutJson(callType(), value) as unknown as Call;
}
