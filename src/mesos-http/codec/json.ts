import type { Call, Event, EventType } from '../../core/mesos/v1.ts';
import { CallRejected } from './errors.ts';
import { callType } from './proto-root.ts';
import { fromStoutJson } from './stout-json.ts';

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
export function encodeJson(value: Call | Event): Uint8Array {
  let text = JSON.stringify(value);
  if (text.includes('"nanoseconds"')) text = text.replace(/"nanoseconds":"(-?\d+)"/g, '"nanoseconds":$1');
  return encoder.encode(text);
}

/**
 * One event record from the master. `nanoseconds` values are read as decimal strings, so values
 * above 2^53 keep every digit; event types offerlab does not know come back as `UNKNOWN`.
 */
export function decodeEventJson(bytes: Uint8Array): Event {
  let text = decoder.decode(bytes);
  if (text.includes('"nanoseconds"'))
    text = text.replace(/"nanoseconds"\s*:\s*(-?\d+)/g, '"nanoseconds":"$1"');
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a Mesos event: not a JSON object');
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') throw new Error('not a Mesos event: no "type"');
  if (!EVENT_TYPES.has(type as EventType)) return { type: 'UNKNOWN' };
  return value as Event;
}

/** A call body as the master reads it; refusals carry the master's status and message. */
export function decodeCallJson(bytes: Uint8Array): Call {
  let text: string;
  let value: unknown;
  try {
    text = decoder.decode(bytes);
    value = JSON.parse(text);
  } catch (err) {
    throw new CallRejected(400, `Failed to parse body into JSON: ${(err as Error).message}`);
  }
  return fromStoutJson(callType(), value) as unknown as Call;
}
