import type { Event, Offer } from '../src/core/mesos/v1.ts';
import { codecFor, type WireFormat } from '../src/mesos-http/codec/codec.ts';
import { encodeRecord, RecordIODecoder } from '../src/mesos-http/codec/recordio.ts';

/** A realistic offer: four resources with role and allocation info, URL, three attributes. */
export function sampleOffer(i: number): Offer {
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
): { bytes: Uint8Array; texts: string[] } {
  const codec = codecFor(format);
  const parts: Uint8Array[] = [];
  const texts: string[] = [];
  const json = codecFor('json');
  for (let e = 0; e < events; e++) {
    const event: Event = {
      type: 'OFFERS',
      offers: {
        offers: Array.from({ length: offersPerEvent }, (_, j) => sampleOffer(e * offersPerEvent + j)),
      },
    };
    parts.push(encodeRecord(codec.encodeEvent(event)));
    texts.push(new TextDecoder().decode(json.encodeEvent(event)));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, texts };
}

export interface DecodeFigures {
  format: WireFormat;
  offersPerEvent: number;
  offersPerSecond: number;
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
): DecodeFigures {
  const events = Math.ceil(totalOffers / offersPerEvent);
  const { bytes, texts } = stream(format, events, offersPerEvent);
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
  const parse = () => {
    let offers = 0;
    for (const t of texts)
      offers += (JSON.parse(t) as { offers: { offers: unknown[] } }).offers.offers.length;
    return offers;
  };
  run();
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
    offersPerEvent,
    offersPerSecond: offers / (best(run) / 1000),
    jsonParsePerSecond: offers / (best(parse) / 1000),
  };
}
