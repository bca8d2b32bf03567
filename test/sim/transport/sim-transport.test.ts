import test from 'ava';
import { SimMaster } from '../../../sim/cluster/master.ts';
import { Simulation } from '../../../sim/engine/simulation.ts';
import { SimTransport } from '../../../sim/transport/sim-transport.ts';
import { SeededRandom } from '../../../src/adapters/seeded-random.ts';
import type { Call, Event, SubscribeCall } from '../../../src/core/mesos/v1.ts';
import type { TransportListener } from '../../../src/ports/transport.ts';

type Entry =
  | { readonly t: number; readonly kind: 'connected' }
  | { readonly t: number; readonly kind: 'disconnected'; readonly reason: string }
  | { readonly t: number; readonly kind: 'received'; readonly event: Event }
  | { readonly t: number; readonly kind: 'callFailed'; readonly call: Call; readonly message: string };

/** Records what the transport reports; on `connected` it (re)subscribes unless told not to. */
class Recorder implements TransportListener {
  readonly log: Entry[] = [];
  frameworkId: string | undefined;
  /** How many more `connected` reports trigger a SUBSCRIBE (Infinity: every one). */
  subscribeTimes = Number.POSITIVE_INFINITY;
  readonly #sim: Simulation;
  #transport: SimTransport | undefined;

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  attach(transport: SimTransport): void {
    this.#transport = transport;
    transport.start(this);
  }

  connected(): void {
    this.log.push({ t: this.#sim.now(), kind: 'connected' });
    if (this.subscribeTimes <= 0) return;
    this.subscribeTimes--;
    this.#transport?.send(subscribeCall(this.frameworkId));
  }

  disconnected(reason: string): void {
    this.log.push({ t: this.#sim.now(), kind: 'disconnected', reason });
  }

  received(event: Event): void {
    this.log.push({ t: this.#sim.now(), kind: 'received', event });
    if (event.type === 'SUBSCRIBED') this.frameworkId = event.subscribed.framework_id.value;
  }

  callFailed(call: Call, message: string): void {
    this.log.push({ t: this.#sim.now(), kind: 'callFailed', call, message });
  }

  /** `kind` or the event type, with the time: `['SUBSCRIBED', 15]`. */
  summary(): [string, number][] {
    return this.log.map((e) => [e.kind === 'received' ? e.event.type : e.kind, e.t]);
  }

  fwId(): string {
    if (this.frameworkId === undefined) throw new Error('not subscribed');
    return this.frameworkId;
  }
}

function subscribeCall(frameworkId: string | undefined): SubscribeCall {
  const info: SubscribeCall['subscribe']['framework_info'] = {
    user: 'offerlab',
    name: 'offerlab-test',
    failover_timeout: 3600,
    capabilities: [{ type: 'PARTITION_AWARE' }],
  };
  if (frameworkId === undefined) return { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  info.id = { value: frameworkId };
  return { type: 'SUBSCRIBE', framework_id: { value: frameworkId }, subscribe: { framework_info: info } };
}

const LATENCY = 5;

function setup() {
  const sim = new Simulation();
  const master = new SimMaster(sim, new SeededRandom(1), {
    timing: { allocationIntervalMs: 1000, heartbeatIntervalMs: 15_000 },
  });
  const agent = master.addAgent({
    hostname: 'lab-1',
    resources: { cpus: 4, mem: 4096, disk: 20_000, ports: [{ begin: 31000, end: 32000 }] },
    attributes: { nodetype: 'lab' },
  });
  const transport = new SimTransport(sim, master, new SeededRandom(2), {
    latencyMs: LATENCY,
    reconnectMs: 1000,
    reconnectMaxMs: 15_000,
  });
  const rec = new Recorder(sim);
  return { sim, master, agent, transport, rec };
}

test('SimTransport › reports connected one latency after start when a master leads', (t) => {
  const { sim, transport, rec } = setup();
  rec.subscribeTimes = 0;
  rec.attach(transport);
  sim.runUntil(LATENCY - 1);
  t.deepEqual(rec.log, []);
  sim.runUntil(10_000);
  t.deepEqual(rec.summary(), [['connected', LATENCY]], 'exactly once, and nothing else unsubscribed');
});

test('SimTransport › delivers the events of the subscription in order, each one latency after the master sent it', (t) => {
  const { sim, master, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(15_015);
  // SUBSCRIBE is sent at 5 and reaches the master at 10; OFFERS at the 1000 ms tick; heartbeats every 15 s.
  t.deepEqual(rec.summary(), [
    ['connected', 5],
    ['SUBSCRIBED', 15],
    ['HEARTBEAT', 15],
    ['OFFERS', 1005],
    ['HEARTBEAT', 15_015],
  ]);
  t.is(rec.fwId(), `${master.masterId}-0000`);
});

test('SimTransport › delivers a call to the master one latency after send and its answer one latency later', (t) => {
  const { sim, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const before = rec.log.length;
  transport.send({
    type: 'KILL',
    framework_id: { value: rec.fwId() },
    kill: { task_id: { value: 'ghost-1' } },
  });
  sim.runUntil(2000 + 2 * LATENCY - 1);
  t.is(rec.log.length, before, 'nothing before the round trip');
  sim.runUntil(2000 + 2 * LATENCY);
  const answer = rec.log.slice(before);
  t.is(answer.length, 1);
  const entry = answer[0];
  if (entry?.kind !== 'received' || entry.event.type !== 'UPDATE') return t.fail('expected an UPDATE');
  t.is(entry.t, 2000 + 2 * LATENCY);
  t.like(entry.event.update.status, {
    task_id: { value: 'ghost-1' },
    state: 'TASK_UNKNOWN',
    reason: 'REASON_RECONCILIATION',
  });
});

test('SimTransport › keeps calls in the order they were sent', (t) => {
  const { sim, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const fw = { value: rec.fwId() };
  for (const id of ['k-1', 'k-2', 'k-3'])
    transport.send({ type: 'KILL', framework_id: fw, kill: { task_id: { value: id } } });
  sim.runUntil(3000);
  t.deepEqual(
    rec.log.flatMap((e) =>
      e.kind === 'received' && e.event.type === 'UPDATE' ? [e.event.update.status.task_id.value] : [],
    ),
    ['k-1', 'k-2', 'k-3'],
  );
});

test('SimTransport › reports a master failover as disconnected, then connected again once a leader is back', (t) => {
  const { sim, master, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const fwId = rec.fwId();
  const before = rec.log.length;
  master.failover(5000);
  sim.runUntil(30_000);
  const after = rec.log.slice(before);
  const kinds = after.map((e) => (e.kind === 'received' ? e.event.type : e.kind));
  t.deepEqual(kinds.slice(0, 4), ['disconnected', 'connected', 'SUBSCRIBED', 'HEARTBEAT']);
  const [down, up] = after;
  t.is(down?.t, 2000 + LATENCY, 'the cut stream is noticed one latency later');
  t.truthy(up && up.t >= 7000, 'connected only once the new leader is elected');
  t.truthy(up && up.t <= 7000 + 15_000 + LATENCY, 'within the capped reconnect backoff');
  t.is(after.filter((e) => e.kind === 'connected').length, 1);
  t.is(after.filter((e) => e.kind === 'disconnected').length, 1);
  t.is(rec.fwId(), fwId, 'the resubscription keeps the framework id');
});

test('SimTransport › reports calls sent while disconnected through callFailed', (t) => {
  const { sim, master, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const fw = { value: rec.fwId() };
  master.failover(60_000);
  sim.runUntil(3000);
  t.true(rec.log.some((e) => e.kind === 'disconnected'));
  const call: Call = { type: 'REVIVE', framework_id: fw };
  transport.send(call);
  sim.runUntil(3000);
  const failed = rec.log.filter((e) => e.kind === 'callFailed');
  t.is(failed.length, 1);
  const entry = failed[0];
  if (entry?.kind !== 'callFailed') return t.fail();
  t.is(entry.call, call);
  t.is(entry.t, 3000);
  t.true(entry.message.length > 0);
});

test('SimTransport › reports calls sent before subscribing through callFailed', (t) => {
  const { sim, transport, rec } = setup();
  rec.subscribeTimes = 0;
  rec.attach(transport);
  sim.runUntil(100);
  const call: Call = { type: 'SUPPRESS', framework_id: { value: 'nobody' } };
  transport.send(call);
  sim.runUntil(200);
  t.deepEqual(
    rec.log.map((e) => e.kind),
    ['connected', 'callFailed'],
  );
  t.like(rec.log[1], { kind: 'callFailed', call });
});

test('SimTransport › reports a call the master refuses through callFailed with its HTTP status', (t) => {
  const { sim, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const call: Call = { type: 'REVIVE', framework_id: { value: 'someone-else-0000' } };
  transport.send(call);
  sim.runUntil(2000 + 2 * LATENCY);
  const last = rec.log.at(-1);
  if (last?.kind !== 'callFailed') return t.fail('expected callFailed');
  t.is(last.call, call);
  t.is(last.t, 2000 + 2 * LATENCY);
  t.regex(last.message, /400/);
  t.regex(last.message, /Framework cannot be found/);
});

test('SimTransport › reports the ERROR and a disconnection when another scheduler takes over the framework id', (t) => {
  const { sim, master, transport, rec } = setup();
  rec.subscribeTimes = 1;
  rec.attach(transport);
  sim.runUntil(2000);
  const rival = new Recorder(sim);
  rival.frameworkId = rec.fwId();
  rival.subscribeTimes = 1;
  rival.attach(new SimTransport(sim, master, new SeededRandom(3), { latencyMs: LATENCY }));
  const before = rec.log.length;
  sim.runUntil(2100);
  const after = rec.log.slice(before);
  t.deepEqual(after.map((e) => (e.kind === 'received' ? e.event.type : e.kind)).slice(0, 2), [
    'ERROR',
    'disconnected',
  ]);
  t.like(after[0], {
    kind: 'received',
    event: { type: 'ERROR', error: { message: 'Framework failed over' } },
  });
  t.is(rival.fwId(), rec.fwId());
});

test('SimTransport › reports nothing after stop', async (t) => {
  const { sim, transport, rec } = setup();
  rec.attach(transport);
  sim.runUntil(2000);
  const before = rec.log.length;
  t.true(before >= 3);
  await transport.stop();
  transport.send({ type: 'REVIVE', framework_id: { value: rec.fwId() } });
  sim.runUntil(60_000);
  t.is(rec.log.length, before);
});
