import type { Event, Offer } from '../src/core/mesos/v1.ts';
import { codecFor, type WireFormat } from '../src/mesos-http/codec/codec.ts';
import { encodeRecord, RecordIODecoder } from '../src/mesos-http/codec/recordio.ts';

/**
 * Offer shapes as a Mesos 1.11 master sends them. `multi-role` is the first offer of the reference's
 * §6.3 (a MULTI_ROLE framework: allocation info on the offer and on each of its four resources,
 * three attributes; about 1,050 bytes of JSON). `single-role` is what a framework without
 * MULTI_ROLE gets (the master strips the allocation info) with two attributes, about 700 bytes:
 * the size the B9 target was set for.
 */
export type OfferShape = 'single-role' | 'multi-role';

export function sampleOffer(i: number, shape: OfferShape = 'multi-role'): Offer {
  if (shape === 'single-role') {
    const { allocation_info: _, attributes = [], resources, ...rest } = sampleOffer(i, 'multi-role');
    return {
      ...rest,
      resources: resources.map(({ allocation_info: __, ...r }) => r),
      attributes: attributes.slice(0, 2),
    };
  }
  const role = { role: '*', allocation_info: { role: 'lab' } };
  return {
    id: { value: `7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O${i}` },
    framework_id: { value: '7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000' },
    agent_id: { value: `7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S${i % 1000}` },
    hostname: `node-${i % 1000}.lab`,
    url: {
      scheme: 'http',
      address: { hostname: `node-${i % 1000}.lab`, ip: '10.0.0.11', port: 5051 },
      path: '/slave(1)',
    },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, ...role },
      { name: 'mem', type: 'SCALAR', scalar: { value: 30720 }, ...role },
      { name: 'disk', type: 'SCALAR', scalar: { value: 200000 }, ...role },
      {
        name: 'ports',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 31000, end: 31099 },
            { begin: 31200, end: 32000 },
          ],
        },
        ...role,
      },
    ],
    attributes: [
      { name: 'nodetype', type: 'TEXT', text: { value: 'lab' } },
      { name: 'rack', type: 'TEXT', text: { value: 'r12' } },
      { name: 'cores', type: 'SCALAR', scalar: { value: 16 } },
    ],
    allocation_info: { role: 'lab' },
  };
}

function stream(
  format: WireFormat,
  events: number,
  offersPerEvent: number,
  shape: OfferShape,
): { bytes: Uint8Array; records: Uint8Array[]; texts: string[] } {
  const codec = codecFor(format);
  const parts: Uint8Array[] = [];
  const records: Uint8Array[] = [];
  const texts: string[] = [];
  const json = codecFor('json');
  for (let e = 0; e < events; e++) {
    const event: Event = {
      type: 'OFFERS',
      offers: {
        offers: Array.from({ length: offersPerEvent }, (_, j) => sampleOffer(e * offersPerEvent + j, shape)),
      },
    };
    const record = codec.encodeEvent(event);
    records.push(record);
    parts.push(encodeRecord(record));
    texts.push(new TextDecoder().decode(json.encodeEvent(event)));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, records, texts };
}

export interface DecodeFigures {
  format: WireFormat;
  shape: OfferShape;
  offersPerEvent: number;
  /** Encoded size of one offer in this format. */
  bytesPerOffer: number;
  offersPerSecond: number;
  /** The same records decoded without the RecordIO framing. */
  unframedPerSecond: number;
  jsonParsePerSecond: number;
}

/**
 * Decodes a RecordIO stream of OFFERS events (fed in 64 KiB chunks, as a socket delivers it)
 * into offerlab's events, against a plain JSON.parse loop over the same events' JSON text.
 */
export function measureDecode(
  format: WireFormat,
  offersPerEvent: number,
  totalOffers: number,
  shape: OfferShape = 'multi-role',
): DecodeFigures {
  const events = Math.ceil(totalOffers / offersPerEvent);
  const { bytes, records, texts } = stream(format, events, offersPerEvent, shape);
  const codec = codecFor(format);
  const run = () => {
    const decoder = new RecordIODecoder();
    let offers = 0;
    for (let i = 0; i < bytes.length; i += 65536) {
      for (const record of decoder.decode(bytes.subarray(i, i + 65536))) {
        const e = codec.decodeEvent(record);
        if (e.type === 'OFFERS') offers += e.offers.offers.length;
      }
    }
    return offers;
  };
  const unframed = () => {
    let offers = 0;
    for (const record of records) {
      const e = codec.decodeEvent(record);
      if (e.type === 'OFFERS') offers += e.offers.offers.length;
    }
    return offers;
  };
  const parse = () => {
    let offers = 0;
    for (const t of texts)
      offers += (JSON.parse(t) as { offers: { offers: unknown[] } }).offers.offers.length;
    return offers;
  };
  run();
  unframed();
  parse();
  const best = (fn: () => number) => {
    let bestMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      fn();
      bestMs = Math.min(bestMs, performance.now() - s);
    }
    return bestMs;
  };
  const offers = events * offersPerEvent;
  return {
    format,
    shape,
    offersPerEvent,
    bytesPerOffer: Math.round(bytes.length / offers),
    offersPerSecond: offers / (best(run) / 1000),
    unframedPerSecond: offers / (best(unframed) / 1000),
    jsonParsePerSecond: offers / (best(parse) / 1000),
  };
}
