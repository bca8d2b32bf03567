import type { Call, Event, Range } from '../../core/mesos/v1.ts';
import { CallRejected } from './errors.ts';
import { decodeEventFast } from './event-decoder.ts';
import { callType, eventType } from './proto-root.ts';

/** Enum names, 64-bit values as decimal strings, bytes as base64: the same plain shape as JSON. */
const TO_OBJECT = { enums: String, longs: String, bytes: String } as const;

interface WithResources {
  resources?: { ranges?: { range: Range[] } }[];
}

/** Port ranges are uint64 on the wire; offerlab keeps them as numbers. */
function numericRanges(list: readonly WithResources[] | undefined): void {
  for (const holder of list ?? []) {
    for (const r of holder.resources ?? []) {
      for (const range of r.ranges?.range ?? []) {
        range.begin = Number(range.begin);
        range.end = Number(range.end);
      }
    }
  }
}

export function encodeCallProto(call: Call): Uint8Array {
  const type = callType();
  return type.encode(type.fromObject(call)).finish();
}

export function encodeEventProto(event: Event): Uint8Array {
  const type = eventType();
  return type.encode(type.fromObject(event)).finish();
}

/**
 * An event from the master, decoded by the hand-written ./event-decoder.ts: the same result as
 * protobufjs decode + toObject (enum names, 64-bit values as decimal strings, bytes as base64) with
 * the offers' port ranges as numbers and an unknown or absent type as UNKNOWN, several times faster.
 */
export function decodeEventProto(bytes: Uint8Array): Event {
  return decodeEventFast(bytes);
}

export function decodeCallProto(bytes: Uint8Array): Call {
  const type = callType();
  let call: Call;
  try {
    call = type.toObject(type.decode(bytes), TO_OBJECT) as Call;
  } catch {
    throw new CallRejected(400, 'Failed to parse body into Call protobuf');
  }
  if (call.type === 'ACCEPT') {
    for (const op of call.accept?.operations ?? []) numericRanges(op.launch?.task_infos);
  } else if (call.type === 'REQUEST') {
    numericRanges(call.request.requests);
  }
  return call;
}
