/**
 * `npm run bench`: the engine's benchmarks, each against an in-repo naive baseline measured in
 * the same process. Prints one line per figure, then one JSON object as the last line.
 * `npm run bench -- --quick` shortens the large day to two simulated hours.
 */
import { cpus } from 'node:os';
import { measureApi } from './api.ts';
import { measureDecode, type OfferShape } from './decode.ts';
import { measureEventQueue } from './event-queue.ts';
import { largeDay } from './large-day.ts';
import { type LatencyCase, measureLatency } from './latency.ts';
import { measurePlacement } from './placement.ts';
import { measurePoolGrowth } from './pool-growth.ts';

const quick = process.argv.includes('--quick');
const out: Record<string, number | string | boolean> = {};
const log = (line: string) => process.stdout.write(`${line}\n`);
const k = (n: number) => Math.round(n).toLocaleString('en-US');

log(`offerlab benchmarks · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
log('');
log('placement: 100,000 tasks onto 10,000 agents (32 cpus, 128 GiB), index vs naive full scan');
for (const policy of ['first-fit', 'bin-pack', 'spread'] as const) {
  const f = measurePlacement(policy, 10_000, 100_000, 0);
  log(
    `  ${policy.padEnd(9)}  ${k(f.perSecond).padStart(9)} placements/s  (${f.indexedMs.toFixed(0)} ms)  naive ${k(f.naivePerSecond)}/s  ${f.ratio.toFixed(1)}×  same decisions: ${f.identical}`,
  );
  const key = policy.replace('-', '_');
  out[`${key}_per_s`] = Math.round(f.perSecond);
  out[`${key}_vs_naive`] = Number(f.ratio.toFixed(2));
  out[`${key}_identical`] = f.identical;
  if (policy === 'first-fit') {
    out.placement_per_s = Math.round(f.perSecond);
    out.placement_vs_naive = Number(f.ratio.toFixed(2));
  }
}
const c = measurePlacement('first-fit', 10_000, 100_000, 0.3);
log(
  `  constrained (30% with a nodetype, first-fit)  ${k(c.perSecond)} placements/s  naive ${k(c.naivePerSecond)}/s  ${c.ratio.toFixed(1)}×  same decisions: ${c.identical}`,
);
out.constrained_placement_per_s = Math.round(c.perSecond);
out.constrained_vs_naive = Number(c.ratio.toFixed(2));

log('');
log('pool scale-up: 5,000 queued tasks that fit on none of 2,000 nearly full agents');
const g = measurePoolGrowth(2_000, 5_000);
log(
  `  ${g.checksPerSecond.toFixed(0)} decisions/s (${(1000 / g.checksPerSecond).toFixed(1)} ms, ${g.nodes} new nodes)  naive first-fit scan alone ${g.naiveChecksPerSecond.toFixed(1)}/s  ${g.ratio.toFixed(1)}×`,
);
out.pool_scale_up_per_s = Math.round(g.checksPerSecond);
out.pool_scale_up_vs_naive = Number(g.ratio.toFixed(2));

log('');
log('event queue: hold model (pop the earliest, push one later), typed-array heap vs object heap');
for (const pending of [1_000, 100_000]) {
  const q = measureEventQueue(pending, 5_000_000);
  log(
    `  ${k(pending).padStart(7)} pending  ${k(q.eventsPerSecond)} events/s  naive ${k(q.naiveEventsPerSecond)}/s  ${q.ratio.toFixed(1)}×`,
  );
  if (pending === 100_000) {
    out.events_per_s = Math.round(q.eventsPerSecond);
    out.events_vs_naive = Number(q.ratio.toFixed(2));
  }
}

log('');
log('transport decode: RecordIO stream of OFFERS events in 64 KiB chunks, vs JSON.parse of the same events');
for (const shape of ['single-role', 'multi-role'] as OfferShape[]) {
  for (const format of ['json', 'protobuf'] as const) {
    for (const perEvent of [1, 100]) {
      const d = measureDecode(format, perEvent, 100_000, shape);
      const framing = 1 - d.offersPerSecond / d.unframedPerSecond;
      log(
        `  ${shape.padEnd(11)} ${format.padEnd(8)} ${String(perEvent).padStart(3)} offer${perEvent === 1 ? ' ' : 's'}/event  ${String(d.bytesPerOffer).padStart(5)} B/offer  ${k(d.offersPerSecond).padStart(9)} offers/s  JSON.parse ${k(d.jsonParsePerSecond)}/s (${(d.offersPerSecond / d.jsonParsePerSecond).toFixed(2)}×)  framing ${(framing * 100).toFixed(0)}%`,
      );
      const key = `decode_${format}_${shape.replace('-', '_')}_${perEvent}`;
      out[`${key}_per_s`] = Math.round(d.offersPerSecond);
      out[`${key}_vs_json_parse`] = Number((d.offersPerSecond / d.jsonParsePerSecond).toFixed(2));
    }
  }
}

log('');
log('offer-to-ACCEPT latency: offerlab fake-master in its own process, the scheduler here, over loopback');
const latencyCases: LatencyCase[] = [
  {
    name: 'single-offer events',
    churnAgents: 40,
    allocationMs: 5,
    backgroundAgents: quick ? 1_000 : 10_000,
    backgroundTasks: quick ? 5_000 : 50_000,
    warmupSeconds: 3,
    maxWarmupSeconds: 120,
    measureSeconds: quick ? 5 : 20,
    format: 'json',
  },
  {
    name: '100-offer events',
    churnAgents: 1_000,
    allocationMs: 100,
    backgroundAgents: 0,
    backgroundTasks: 0,
    warmupSeconds: 5,
    maxWarmupSeconds: 60,
    measureSeconds: quick ? 5 : 20,
    format: 'json',
  },
];
for (const c of latencyCases) {
  const l = await measureLatency(c);
  log(
    `  ${c.name.padEnd(20)} ${k(c.backgroundAgents + c.churnAgents)} agents, ${k(c.backgroundTasks)} background tasks  ${l.meanOffersPerEvent.toFixed(1)} offers/event  ${k(l.accepted)} accepted  p50 ${l.p50Ms.toFixed(2)} ms  p99 ${l.p99Ms.toFixed(2)} ms  (engine p50 ${l.engineP50Ms.toFixed(2)} / p99 ${l.engineP99Ms.toFixed(2)} ms; settled after ${l.settledSeconds.toFixed(0)} s)`,
  );
  const key = c.churnAgents > 100 ? 'latency_100_offer' : 'latency_single_offer';
  out[`${key}_p50_ms`] = Number(l.p50Ms.toFixed(3));
  out[`${key}_p99_ms`] = Number(l.p99Ms.toFixed(3));
}

log('');
log('REST API: autocannon, 10 connections, in this process; fake master (100 agents) in its own process');
const api = await measureApi(quick ? 3 : 10);
log(
  `  GET /status/            ${k(api.statusPerSecond).padStart(7)} req/s  bare fastify route ${k(api.barePerSecond)} req/s  (${api.statusVsBare.toFixed(2)}×)`,
);
log(
  `  POST /client/task       ${k(api.submitPerSecond).padStart(7)} durable submissions/s  p50 ${api.submitP50Ms} ms  p99 ${api.submitP99Ms} ms  ${api.submitErrors} errors  ${k(api.fsyncs)} fdatasyncs`,
);
out.status_per_s = Math.round(api.statusPerSecond);
out.status_vs_bare = Number(api.statusVsBare.toFixed(2));
out.durable_submit_per_s = Math.round(api.submitPerSecond);
out.durable_submit_p99_ms = api.submitP99Ms;

log('');
const hours = quick ? 2 : 24;
log(
  `large day: 12,500 agents, ~1.5M placements/day of batch tasks, ${hours} simulated hours, full engine + simulated master`,
);
const d = largeDay({ hours });
log(
  `  ${d.wallSeconds.toFixed(1)} s wall  ${k(d.placements)} placements  ${k(d.events)} events  ${k(d.traceLines)} trace lines  ${k(d.speedup)}× real time`,
);
out[quick ? 'large_day_2h_s' : 'large_day_s'] = Number(d.wallSeconds.toFixed(1));
out.large_day_placements = d.placements;
out.large_day_events = d.events;
log('');
log(JSON.stringify(out));
