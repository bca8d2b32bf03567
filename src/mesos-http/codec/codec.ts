import type { Call, Event } from '../../core/mesos/v1.ts';
import { decodeCallJson, decodeEventJson, encodeCallJson, encodeEventJson } from './json.ts';
import { decodeCallProto, decodeEventProto, encodeCallProto, encodeEventProto } from './protobuf.ts';

export type WireFormat = 'json' | 'protobuf';

export const CONTENT_TYPES = { json: 'application/json', protobuf: 'application/x-protobuf' } as const;

/** Both directions of one wire format; pure functions of bytes and objects. */
export interface Codec {
  readonly format: WireFormat;
  readonly contentType: (typeof CONTENT_TYPES)[WireFormat];
  encodeCall(call: Call): Uint8Array;
  decodeEvent(bytes: Uint8Array): Event;
  decodeCall(bytes: Uint8Array): Call;
  encodeEvent(event: Event): Uint8Array;
}

const JSON_CODEC: Codec = {
  format: 'json',
  contentType: CONTENT_TYPES.json,
  encodeCall: encodeCallJson,
  decodeEvent: decodeEventJson,
  decodeCall: decodeCallJson,
  encodeEvent: encodeEventJson,
};

const PROTOBUF_CODEC: Codec = {
  format: 'protobuf',
  contentType: CONTENT_TYPES.protobuf,
  encodeCall: encodeCallProto,
  decodeEvent: decodeEventProto,
  decodeCall: decodeCallProto,
  encodeEvent: encodeEventProto,
};

export function codecFor(format: WireFormat): Codec {
  return format === 'json' ? JSON_CODEC : PROTOBUF_CODEC;
}

/** The format of an exact Content-Type value (the master compares the whole string), or undefined. */
export function formatOfContentType(value: string | undefined): WireFormat | undefined {
  if (value === CONTENT_TYPES.json) return 'json';
  if (value === CONTENT_TYPES.protobuf) return 'protobuf';
  return undefined;
}
