import test from 'ava';
import { type CallResult, SimMaster } from '../../../sim/cluster/master.ts';
import type {
  AgentSpec,
  ClusterTiming,
  Connection,
  SimAgent,
  TaskBehaviour,
} from '../../../sim/cluster/types.ts';
import { Simulation } from '../../../sim/engine/simulation.ts';
import { SeededRandom } from '../../../src/adapters/seeded-random.ts';
import type {
  Call,
  CapabilityType,
  Event,
  Filters,
  Offer,
  SubscribeCall,
  TaskInfo,
  TaskStatus,
} from '../../../src/core/mesos/v1.ts';
import { type Resources, resourcesFromMesos, resourcesToMesos } from '../../../src/core/model/resources.ts';
import { behaviourLabels } from '../../../src/core/model/task-behaviour.ts';
import type { UsageProfile } from '../../../src/core/model/usage-profile.ts';

// ---- harness ------------------------------------------------------------------------------------

const TIMING: Partial<ClusterTiming> = {
  allocationIntervalMs: 1000,
  latencyMs: 1,
  launchDelayMs: 1000,
  startDelayMs: 500,
  killDelayMs: 200,
  memoryKillDelayMs: 2000,
  heartbeatIntervalMs: 15_000,
  statusRetryMs: 10_000,
  statusRetryMaxMs: 600_000,
};

/** PARTITION_AWARE and TASK_KILLING_STATE, what offerlab itself subscribes with. */
const PA: CapabilityType[] = ['PARTITION_AWARE', 'TASK_KILLING_STATE'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** 16 bytes in standard base64: 22 characters and "==" padding. */
const STATUS_UUID = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA==';

interface Received {
  readonly t: number;
  readonly event: Event;
}

interface TimedStatus {
  readonly t: number;
  readonly status: TaskStatus;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing: ${what}`);
  return value;
}

/** The scheduler's end of a subscription stream: records every event and the close. */
class FakeStream implements Connection {
  readonly streamId: string;
  frameworkId?: string;
  open = true;
  readonly events: Received[] = [];
  closedWith: string | undefined;
  /** Acknowledge updates with a uuid as soon as they arrive (all, none, or those the predicate picks). */
  autoAck: boolean | ((status: TaskStatus) => boolean) = false;
  readonly #cluster: Cluster;

  constructor(cluster: Cluster, streamId: string) {
    this.#cluster = cluster;
    this.streamId = streamId;
  }

  deliver(event: Event): void {
    this.events.push({ t: this.#cluster.sim.now(), event });
    if (event.type !== 'UPDATE') return;
    const status = event.update.status;
    const wanted = typeof this.autoAck === 'function' ? this.autoAck(status) : this.autoAck;
    if (status.uuid === undefined || !wanted) return;
    this.#cluster.sim.after(0, () => {
      if (this.open) this.#cluster.ack(this, status);
    });
  }

  close(reason: string): void {
    this.open = false;
    this.closedWith = reason;
  }

  /** The framework id from the SUBSCRIBED event on this stream. */
  get fwId(): string {
    for (const { event } of this.events)
      if (event.type === 'SUBSCRIBED') return event.subscribed.framework_id.value;
    throw new Error(`stream ${this.streamId} got no SUBSCRIBED`);
  }

  types(): string[] {
    return this.events.map((e) => e.event.type);
  }

  statuses(taskId?: string): TimedStatus[] {
    const out: TimedStatus[] = [];
    for (const { t, event } of this.events) {
      if (event.type !== 'UPDATE') continue;
      if (taskId === undefined || event.update.status.task_id.value === taskId)
        out.push({ t, status: event.update.status });
    }
    return out;
  }

  states(taskId?: string): string[] {
    return this.statuses(taskId).map((s) => s.status.state);
  }

  offered(agentId?: string): { t: number; offer: Offer }[] {
    const out: { t: number; offer: Offer }[] = [];
    for (const { t, event } of this.events) {
      if (event.type !== 'OFFERS') continue;
      for (const offer of event.offers.offers)
        if (agentId === undefined || offer.agent_id.value === agentId) out.push({ t, offer });
    }
    return out;
  }

  lastOffer(agentId: string): Offer {
    return must(this.offered(agentId).at(-1)?.offer, `an offer for ${agentId}`);
  }
}

interface SubscribeOptions {
  readonly id?: string;
  readonly caps?: CapabilityType[];
  readonly failoverTimeout?: number;
}

function subscribeCall(opts: SubscribeOptions = {}): SubscribeCall {
  const info: SubscribeCall['subscribe']['framework_info'] = { user: 'offerlab', name: 'offerlab-test' };
  if (opts.id !== undefined) info.id = { value: opts.id };
  if (opts.caps !== undefined) info.capabilities = opts.caps.map((type) => ({ type }));
  if (opts.failoverTimeout !== undefined) info.failover_timeout = opts.failoverTimeout;
  const call: SubscribeCall = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  if (opts.id !== undefined) call.framework_id = { value: opts.id };
  return call;
}

interface Need {
  readonly cpus: number;
  readonly mem: number;
  readonly disk?: number;
  readonly ports?: { begin: number; end: number }[];
}

function taskInfo(id: string, agentId: string, need: Need, behaviour?: TaskBehaviour): TaskInfo {
  const resources: Resources = {
    cpus: need.cpus,
    mem: need.mem,
    disk: need.disk ?? 0,
    ports: need.ports ?? [],
  };
  const info: TaskInfo = {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: resourcesToMesos(resources, '*', '*'),
    command: { shell: false },
    container: { type: 'DOCKER', docker: { image: 'busybox', network: 'HOST' } },
  };
  if (behaviour !== undefined) info.labels = { labels: behaviourLabels(behaviour) };
  return info;
}

const LAB: AgentSpec['resources'] = {
  cpus: 4,
  mem: 4096,
  disk: 20_000,
  ports: [{ begin: 31000, end: 32000 }],
};

class Cluster {
  readonly sim = new Simulation();
  readonly master: SimMaster;
  #streams = 0;

  constructor(timing: Partial<ClusterTiming> = {}) {
    this.master = new SimMaster(this.sim, new SeededRandom(1), { timing: { ...TIMING, ...timing } });
  }

  agent(
    hostname = 'lab-1',
    resources: AgentSpec['resources'] = LAB,
    attributes: Record<string, string> = { nodetype: 'lab' },
  ): SimAgent {
    return this.master.addAgent({ hostname, resources, attributes });
  }

  stream(): FakeStream {
    return new FakeStream(this, `stream-${++this.#streams}`);
  }

  /** SUBSCRIBE on a new stream; throws when the call itself is refused. */
  subscribe(opts: SubscribeOptions = {}, autoAck: FakeStream['autoAck'] = false): FakeStream {
    const s = this.stream();
    s.autoAck = autoAck;
    const r = this.master.subscribe(s, subscribeCall(opts));
    if (!r.ok) throw new Error(`SUBSCRIBE refused: ${r.status} ${r.message}`);
    return s;
  }

  runTo(time: number): void {
    this.sim.runUntil(time);
  }

  advance(ms: number): void {
    this.sim.runUntil(this.sim.now() + ms);
  }

  call(s: FakeStream, call: Call): CallResult {
    return this.master.call(s.streamId, call);
  }

  accept(s: FakeStream, offerIds: string[], tasks: TaskInfo[], filters?: Filters): CallResult {
    const accept: Extract<Call, { type: 'ACCEPT' }>['accept'] = {
      offer_ids: offerIds.map((value) => ({ value })),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
    };
    if (filters !== undefined) accept.filters = filters;
    return this.call(s, { type: 'ACCEPT', framework_id: { value: s.fwId }, accept });
  }

  decline(s: FakeStream, offerIds: string[], refuseSeconds?: number): CallResult {
    const decline: Extract<Call, { type: 'DECLINE' }>['decline'] = {
      offer_ids: offerIds.map((value) => ({ value })),
    };
    if (refuseSeconds !== undefined) decline.filters = { refuse_seconds: refuseSeconds };
    return this.call(s, { type: 'DECLINE', framework_id: { value: s.fwId }, decline });
  }

  ack(s: FakeStream, status: TaskStatus): CallResult {
    return this.call(s, {
      type: 'ACKNOWLEDGE',
      framework_id: { value: s.fwId },
      acknowledge: {
        agent_id: must(status.agent_id, 'agent_id of the update'),
        task_id: status.task_id,
        uuid: must(status.uuid, 'uuid of the update'),
      },
    });
  }

  kill(s: FakeStream, taskId: string, agentId?: string): CallResult {
    const kill: Extract<Call, { type: 'KILL' }>['kill'] = { task_id: { value: taskId } };
    if (agentId !== undefined) kill.agent_id = { value: agentId };
    return this.call(s, { type: 'KILL', framework_id: { value: s.fwId }, kill });
  }

  reconcile(s: FakeStream, tasks: { task: string; agent?: string }[]): CallResult {
    return this.call(s, {
      type: 'RECONCILE',
      framework_id: { value: s.fwId },
      reconcile: {
        tasks: tasks.map((x) =>
          x.agent === undefined
            ? { task_id: { value: x.task } }
            : { task_id: { value: x.task }, agent_id: { value: x.agent } },
        ),
      },
    });
  }

  revive(s: FakeStream, roles?: string[]): CallResult {
    const call: Extract<Call, { type: 'REVIVE' }> = { type: 'REVIVE', framework_id: { value: s.fwId } };
    if (roles !== undefined) call.revive = { roles };
    return this.call(s, call);
  }

  suppress(s: FakeStream, roles?: string[]): CallResult {
    const call: Extract<Call, { type: 'SUPPRESS' }> = { type: 'SUPPRESS', framework_id: { value: s.fwId } };
    if (roles !== undefined) call.suppress = { roles };
    return this.call(s, call);
  }

  /** Accepts the agent's latest offer with one task and runs until the task is RUNNING (auto-ack on). */
  launchRunning(s: FakeStream, agent: SimAgent, taskId: string, need: Need, filters?: Filters): void {
    const r = this.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo(taskId, agent.id, need)], filters);
    if (!r.ok) throw new Error(`ACCEPT refused: ${r.message}`);
    this.advance(3000);
    if (!s.states(taskId).includes('TASK_RUNNING')) throw new Error(`${taskId} is not running`);
  }
}

const OK: CallResult = { ok: true };

// ---- subscription and heartbeats -----------------------------------------------------------------

test('SimMaster › answers SUBSCRIBE with SUBSCRIBED and an immediate HEARTBEAT, assigning <masterId>-0000', (t) => {
  const c = new Cluster();
  const s = c.subscribe();
  t.deepEqual(s.types(), ['SUBSCRIBED', 'HEARTBEAT']);
  t.deepEqual(
    s.events.map((e) => e.t),
    [0, 0],
  );
  const first = must(s.events[0], 'first event').event;
  if (first.type !== 'SUBSCRIBED') return t.fail('the first event is not SUBSCRIBED');
  t.regex(c.master.masterId, UUID);
  t.is(first.subscribed.framework_id.value, `${c.master.masterId}-0000`);
  t.is(first.subscribed.heartbeat_interval_seconds, 15);
  t.is(first.subscribed.master_info?.id, c.master.masterId);
  t.is(s.frameworkId, `${c.master.masterId}-0000`);
  const second = c.subscribe();
  t.is(second.fwId, `${c.master.masterId}-0001`);
});

test('SimMaster › sends a HEARTBEAT every heartbeat interval after the first one', (t) => {
  const c = new Cluster();
  const s = c.subscribe();
  c.runTo(45_000);
  t.deepEqual(
    s.events.filter((e) => e.event.type === 'HEARTBEAT').map((e) => e.t),
    [0, 15_000, 30_000, 45_000],
  );
});

// ---- offers ---------------------------------------------------------------------------------------

test("SimMaster › offers each agent's free resources at the next aligned allocation tick", (t) => {
  const c = new Cluster();
  const a1 = c.agent('lab-1', LAB, { nodetype: 'lab', cores: '16' });
  const a2 = c.agent('db-1', { cpus: 2, mem: 1024, disk: 500, ports: [{ begin: 31000, end: 31009 }] }, {});
  c.runTo(1500);
  const s = c.subscribe();
  c.runTo(1999);
  t.deepEqual(s.offered(), [], 'nothing before the tick');
  c.runTo(2000);
  const batches = s.events.filter((e) => e.event.type === 'OFFERS');
  t.is(batches.length, 1, 'all offers of a cycle in one OFFERS event');
  const batch = must(batches[0], 'the OFFERS event');
  t.is(batch.t, 2000);
  if (batch.event.type !== 'OFFERS') return t.fail();
  t.true(Array.isArray(batch.event.offers.offers), 'offers are nested in offers.offers');
  const offers = batch.event.offers.offers;
  t.deepEqual(offers.map((o) => o.agent_id.value).sort(), [a1.id, a2.id].sort());
  t.is(new Set(offers.map((o) => o.id.value)).size, 2, 'distinct offer ids');
  const o1 = must(
    offers.find((o) => o.agent_id.value === a1.id),
    'offer of lab-1',
  );
  t.is(o1.hostname, 'lab-1');
  t.is(o1.framework_id.value, s.fwId);
  t.deepEqual(resourcesFromMesos(o1.resources), LAB);
  t.deepEqual(
    o1.resources.map((r) => `${r.name}:${r.type}`),
    ['cpus:SCALAR', 'mem:SCALAR', 'disk:SCALAR', 'ports:RANGES'],
  );
  t.deepEqual(
    [...(o1.attributes ?? [])].sort((x, y) => x.name.localeCompare(y.name)),
    [
      { name: 'cores', type: 'SCALAR', scalar: { value: 16 } },
      { name: 'nodetype', type: 'TEXT', text: { value: 'lab' } },
    ],
  );
  const o2 = must(
    offers.find((o) => o.agent_id.value === a2.id),
    'offer of db-1',
  );
  t.deepEqual(resourcesFromMesos(o2.resources), {
    cpus: 2,
    mem: 1024,
    disk: 500,
    ports: [{ begin: 31000, end: 31009 }],
  });
});

test('SimMaster › declines the leftover of an ACCEPT with the default 5 s filter', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 96 })]),
    OK,
  );
  c.runTo(5999);
  t.is(s.offered(agent.id).length, 1, 'the leftover is filtered for 5 s');
  c.runTo(7000);
  const again = s.offered(agent.id);
  t.is(again.length, 2);
  const next = must(again[1], 'the leftover offer');
  t.true(next.t >= 6000 && next.t <= 7000);
  t.deepEqual(resourcesFromMesos(next.offer.resources), { ...LAB, cpus: 3, mem: 4000 });
});

test('SimMaster › keeps a declined agent out of offers until its refuse_seconds filter expires', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  const first = s.lastOffer(agent.id);
  t.deepEqual(c.decline(s, [first.id.value], 10), OK);
  c.runTo(10_999);
  t.is(s.offered(agent.id).length, 1, 'no offer while the filter holds');
  c.runTo(12_000);
  const offers = s.offered(agent.id);
  t.is(offers.length, 2);
  const next = must(offers[1], 'offer after the filter');
  t.true(next.t >= 11_000 && next.t <= 12_000, `offered at ${next.t}`);
  t.not(next.offer.id.value, first.id.value, 'a new offer id');
  t.deepEqual(resourcesFromMesos(next.offer.resources), LAB);
});

test('SimMaster › creates no filter for a DECLINE with refuse_seconds 0', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(c.decline(s, [s.lastOffer(agent.id).id.value], 0), OK);
  c.runTo(2000);
  t.deepEqual(
    s.offered(agent.id).map((o) => o.t),
    [1000, 2000],
  );
});

test('SimMaster › clears decline filters on REVIVE', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(c.decline(s, [s.lastOffer(agent.id).id.value], 3600), OK);
  c.runTo(5000);
  t.is(s.offered(agent.id).length, 1);
  t.deepEqual(c.revive(s), OK);
  c.runTo(6000);
  t.deepEqual(
    s.offered(agent.id).map((o) => o.t),
    [1000, 6000],
  );
});

test('SimMaster › stops offers on SUPPRESS and restores them on REVIVE', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  t.deepEqual(c.suppress(s), OK);
  c.runTo(10_000);
  t.deepEqual(s.offered(), [], 'no offers while suppressed');
  t.deepEqual(c.revive(s), OK);
  c.runTo(11_000);
  t.deepEqual(
    s.offered(agent.id).map((o) => o.t),
    [11_000],
  );
});

test('SimMaster › keeps offers sent before SUPPRESS valid', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const offer = s.lastOffer(agent.id);
  t.deepEqual(c.suppress(s), OK);
  t.deepEqual(c.accept(s, [offer.id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })]), OK);
  c.advance(3000);
  t.deepEqual(s.states('web-1'), ['TASK_STARTING', 'TASK_RUNNING']);
  t.is(s.offered().length, 1);
});

test('SimMaster › drops a REVIVE that names a role the framework is not subscribed to', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(c.decline(s, [s.lastOffer(agent.id).id.value], 3600), OK);
  t.deepEqual(c.revive(s, ['ops']), OK, 'still 202');
  c.runTo(5000);
  t.is(s.offered(agent.id).length, 1, 'the filter still holds: the whole REVIVE was dropped');
});

test('SimMaster › drops a SUPPRESS that names a role the framework is not subscribed to', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  t.deepEqual(c.suppress(s, ['ops']), OK, 'still 202');
  c.runTo(1000);
  t.deepEqual(
    s.offered(agent.id).map((o) => o.t),
    [1000],
    'offers continue: the whole SUPPRESS was dropped',
  );
});

test('SimMaster › never offers an agent that has no cpus and no mem left', (t) => {
  const c = new Cluster();
  const agent = c.agent('small-1', { cpus: 2, mem: 1024, disk: 500, ports: [{ begin: 31000, end: 31009 }] });
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('all-1', agent.id, { cpus: 2, mem: 1024 })], {
      refuse_seconds: 0,
    }),
    OK,
  );
  c.runTo(10_000);
  t.true(s.states('all-1').includes('TASK_RUNNING'));
  t.deepEqual(
    s.offered(agent.id).map((o) => o.t),
    [1000],
    'only disk and ports are left, which are never offered alone',
  );
});

// ---- launching and status updates -------------------------------------------------------------

test('SimMaster › launches an accepted task with no STAGING update, then TASK_STARTING and TASK_RUNNING from the executor with uuids', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const offer = s.lastOffer(agent.id);
  t.deepEqual(c.accept(s, [offer.id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 128 })]), OK);
  c.runTo(1000);
  t.deepEqual(s.statuses(), [], 'no update for STAGING');
  c.runTo(5000);
  const ups = s.statuses('web-1');
  t.deepEqual(
    ups.map((u) => u.status.state),
    ['TASK_STARTING', 'TASK_RUNNING'],
  );
  for (const { status } of ups) {
    t.is(status.source, 'SOURCE_EXECUTOR');
    t.is(status.agent_id?.value, agent.id);
    t.is(status.executor_id?.value, 'web-1');
    t.regex(status.uuid ?? '', STATUS_UUID);
    t.is(Buffer.from(status.uuid ?? '', 'base64').length, 16);
  }
  t.not(ups[0]?.status.uuid, ups[1]?.status.uuid, 'every update has its own uuid');
  t.false(s.states().includes('TASK_STAGING'));
});

test('SimMaster › resends an unacknowledged update with the same uuid after the retry interval and holds back later ones', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 128 })]),
    OK,
  );
  c.runTo(2600);
  const first = must(s.statuses('web-1')[0], 'TASK_STARTING');
  t.is(first.status.state, 'TASK_STARTING');
  const t0 = first.t;
  // Resends are due 10 s after the send, doubling; the agents' retry wheel fires on whole seconds.
  const firstRetry = Math.ceil((t0 + 10_000) / 1000) * 1000;
  const secondRetry = firstRetry + 20_000;
  c.runTo(firstRetry - 1);
  t.deepEqual(
    s.states('web-1'),
    ['TASK_STARTING'],
    'RUNNING is held back behind the unacknowledged STARTING',
  );
  c.runTo(firstRetry);
  const resent = s.statuses('web-1');
  t.deepEqual(
    resent.map((u) => [u.t, u.status.state, u.status.uuid]),
    [
      [t0, 'TASK_STARTING', first.status.uuid],
      [firstRetry, 'TASK_STARTING', first.status.uuid],
    ],
  );
  c.runTo(secondRetry - 1);
  t.is(s.statuses('web-1').length, 2, 'the retry interval doubles');
  c.runTo(secondRetry);
  t.deepEqual(s.states('web-1'), ['TASK_STARTING', 'TASK_STARTING', 'TASK_STARTING']);
  t.deepEqual(c.ack(s, first.status), OK);
  const last = must(s.statuses('web-1').at(-1), 'update after the ACK');
  t.is(last.status.state, 'TASK_RUNNING');
  t.is(last.t, secondRetry, 'the held-back update goes out once the head is acknowledged');
});

test("SimMaster › releases a task's next update only on ACKNOWLEDGE with the head update's uuid", (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 128 })]),
    OK,
  );
  c.runTo(3000);
  const starting = must(s.statuses('web-1')[0], 'TASK_STARTING').status;
  t.deepEqual(c.ack(s, { ...starting, uuid: ZERO_UUID }), OK, 'a stale uuid is still 202');
  c.runTo(5000);
  t.deepEqual(s.states('web-1'), ['TASK_STARTING'], 'a wrong uuid releases nothing');
  t.deepEqual(c.ack(s, starting), OK);
  const ups = s.statuses('web-1');
  t.deepEqual(
    ups.map((u) => u.status.state),
    ['TASK_STARTING', 'TASK_RUNNING'],
  );
  t.is(ups[1]?.t, 5000);
  c.runTo(11_000);
  t.is(
    s.states('web-1').filter((x) => x === 'TASK_STARTING').length,
    1,
    'an acknowledged update is not resent',
  );
});

test("SimMaster › offers a task's resources again after its terminal update", (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const task = taskInfo('batch-1', agent.id, { cpus: 3, mem: 3000 }, { runtimeMs: 5000 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [task], { refuse_seconds: 3600 }), OK);
  c.runTo(20_000);
  const finished = must(
    s.statuses('batch-1').find((u) => u.status.state === 'TASK_FINISHED'),
    'TASK_FINISHED',
  );
  const offers = s.offered(agent.id);
  t.is(offers.length, 2, 'the leftover stays filtered; the freed resources are offered');
  const again = must(offers[1], 'offer after the task finished');
  t.true(again.t > finished.t && again.t <= finished.t + 1000, `offered at ${again.t}`);
  t.deepEqual(resourcesFromMesos(again.offer.resources), LAB);
});

test('SimMaster › finishes a task with a runtime label with TASK_FINISHED that long after it started running', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const task = taskInfo('batch-1', agent.id, { cpus: 1, mem: 64 }, { runtimeMs: 7000 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [task]), OK);
  c.runTo(20_000);
  const ups = s.statuses('batch-1');
  t.deepEqual(
    ups.map((u) => u.status.state),
    ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'],
  );
  const running = must(ups[1], 'TASK_RUNNING');
  const finished = must(ups[2], 'TASK_FINISHED');
  t.is(finished.t - running.t, 7000);
  t.is(finished.status.source, 'SOURCE_EXECUTOR');
  t.regex(finished.status.uuid ?? '', STATUS_UUID);
});

test('SimMaster › fails a task whose memory use exceeds its allocation with REASON_CONTAINER_LIMITATION_MEMORY', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const hog = taskInfo('hog-1', agent.id, { cpus: 1, mem: 100 }, { usageMem: 200 });
  const fine = taskInfo('fine-1', agent.id, { cpus: 1, mem: 100 }, { usageMem: 90 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [hog, fine]), OK);
  c.runTo(30_000);
  t.deepEqual(s.states('hog-1'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
  const failed = must(s.statuses('hog-1')[2], 'TASK_FAILED').status;
  t.is(failed.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
  t.regex(failed.uuid ?? '', STATUS_UUID);
  t.deepEqual(s.states('fine-1'), ['TASK_STARTING', 'TASK_RUNNING'], 'a task within its limit keeps running');
});

// ---- usage profiles ---------------------------------------------------------------------------------

const RAMP: UsageProfile = { profile: 'ramp', from: 20, to: 90, overMs: 300_000 };
const OOM_REPORT_MS = must(TIMING.memoryKillDelayMs, 'memoryKillDelayMs');

/** Launches tasks on the agent's latest offer (auto-ack on) and returns when each reached RUNNING. */
function launchWithUsage(c: Cluster, s: FakeStream, agent: SimAgent, tasks: TaskInfo[]): Map<string, number> {
  mustAccept(c.accept(s, [s.lastOffer(agent.id).id.value], tasks));
  c.advance(3000);
  const running = new Map<string, number>();
  for (const task of tasks) {
    const id = task.task_id.value;
    const at = s.statuses(id).find((u) => u.status.state === 'TASK_RUNNING')?.t;
    running.set(id, must(at, `${id} RUNNING`));
  }
  return running;
}

function mustAccept(r: CallResult): void {
  if (!r.ok) throw new Error(`ACCEPT refused: ${r.message}`);
}

test('SimMaster › fails a task at the first millisecond its ramp exceeds the allocation, reported memory-kill-delay later', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA }, true);
  c.runTo(1000);
  const running = launchWithUsage(c, s, agent, [
    taskInfo('grow-1', agent.id, { cpus: 1, mem: 60 }, { usageMem: RAMP }),
    taskInfo('fits-1', agent.id, { cpus: 1, mem: 90 }, { usageMem: RAMP }),
  ]);
  c.advance(600_000);
  // 20 + 70·t/300000 > 60 first at t = 171429 ms after RUNNING.
  const failed = must(s.statuses('grow-1').at(-1), 'last update of grow-1');
  t.is(failed.status.state, 'TASK_FAILED');
  t.is(failed.t, must(running.get('grow-1'), 'running') + 171_429 + OOM_REPORT_MS);
  t.is(failed.status.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
  t.is(failed.status.source, 'SOURCE_AGENT');
  t.is(failed.status.message, 'Memory limit exceeded: Requested: 60MB Used: 60MB');
  t.deepEqual(
    s.states('fits-1'),
    ['TASK_STARTING', 'TASK_RUNNING'],
    'reaching the allocation is not exceeding it',
  );
});

test('SimMaster › a batch task that finishes before its memory crosses the allocation finishes', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA }, true);
  c.runTo(1000);
  launchWithUsage(c, s, agent, [
    taskInfo('quick-1', agent.id, { cpus: 1, mem: 60 }, { usageMem: RAMP, runtimeMs: 171_428 }),
    taskInfo('slow-1', agent.id, { cpus: 1, mem: 60 }, { usageMem: RAMP, runtimeMs: 171_429 }),
  ]);
  c.advance(400_000);
  t.is(s.states('quick-1').at(-1), 'TASK_FINISHED');
  t.is(s.states('slow-1').at(-1), 'TASK_FAILED', 'crossing at the last millisecond still kills');
});

test('SimMaster › a spiking task fails at its first spike over the allocation; jitter is the same on every run', (t) => {
  const spikes: UsageProfile = {
    profile: 'spikes',
    base: 40,
    peak: 95,
    everyMs: 180_000,
    forMs: 10_000,
    jitterMs: 20_000,
  };
  const run = () => {
    const c = new Cluster();
    const agent = c.agent();
    const s = c.subscribe({ caps: PA }, true);
    c.runTo(1000);
    const running = launchWithUsage(c, s, agent, [
      taskInfo('spiky-1', agent.id, { cpus: 1, mem: 64 }, { usageMem: spikes }),
      taskInfo('spiky-2', agent.id, { cpus: 1, mem: 64 }, { usageMem: spikes }),
      taskInfo('roomy-1', agent.id, { cpus: 1, mem: 128 }, { usageMem: spikes }),
    ]);
    c.advance(600_000);
    const after = (id: string) => {
      const failed = must(s.statuses(id).at(-1), id);
      t.is(failed.status.state, 'TASK_FAILED');
      return failed.t - must(running.get(id), id) - OOM_REPORT_MS;
    };
    t.deepEqual(s.states('roomy-1'), ['TASK_STARTING', 'TASK_RUNNING']);
    return [after('spiky-1'), after('spiky-2')];
  };
  const first = run();
  for (const at of first) t.true(at >= 180_000 && at <= 200_000, `the first spike, jittered: ${at}`);
  t.not(first[0], first[1], 'each task draws its own jitter');
  t.deepEqual(run(), first, 'same seed, same spikes');
});

test('SimMaster › usageSamples reports running tasks: memory from the profile, cpu time integrated, Mesos limits', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA }, true);
  c.runTo(1000);
  t.deepEqual(c.master.usageSamples(), []);
  mustAccept(
    c.accept(
      s,
      [s.lastOffer(agent.id).id.value],
      [
        taskInfo('grow-1', agent.id, { cpus: 2, mem: 100 }, { usageMem: RAMP, usageCpus: 0.5 }),
        taskInfo('plain-1', agent.id, { cpus: 1, mem: 64 }),
      ],
    ),
  );
  t.deepEqual(c.master.usageSamples(), [], 'nothing runs while STAGING');
  c.advance(3000);
  const runningAt = must(
    s.statuses('grow-1').find((u) => u.status.state === 'TASK_RUNNING'),
    'RUNNING',
  ).t;
  c.runTo(runningAt + 60_000);
  const samples = c.master.usageSamples();
  t.deepEqual(
    samples.map((x) => x.taskId),
    ['grow-1', 'plain-1'],
  );
  const grow = must(samples[0], 'grow-1 sample');
  t.like(grow, {
    frameworkId: s.fwId,
    agentId: agent.id,
    executorId: 'grow-1',
    memRssBytes: Math.round((20 + 70 / 5) * 1024 * 1024),
    memLimitBytes: (100 + 32) * 1024 * 1024,
    cpusLimit: 2.1,
    timestamp: (1_767_225_600_000 + runningAt + 60_000) / 1000,
  });
  t.true(Math.abs(grow.cpusUserTimeSecs - 27) < 1e-9, '0.5 cpus for 60 s, 90 % user');
  t.true(Math.abs(grow.cpusSystemTimeSecs - 3) < 1e-9);
  const plain = must(samples[1], 'plain-1 sample');
  t.is(plain.memRssBytes, 64 * 1024 * 1024, 'without usage, what it asked for');
  const plainAt = must(
    s.statuses('plain-1').find((u) => u.status.state === 'TASK_RUNNING'),
    'RUNNING',
  ).t;
  const plainSecs = (runningAt + 60_000 - plainAt) / 1000;
  t.true(
    Math.abs(plain.cpusUserTimeSecs + plain.cpusSystemTimeSecs - plainSecs) < 1e-9,
    '1 cpu since its RUNNING',
  );

  c.runTo(runningAt + 120_000);
  const later = must(c.master.agentUsage(agent.id)?.[0], 'later sample');
  t.true(later.memRssBytes > grow.memRssBytes, 'the ramp grows');
  t.true(later.cpusUserTimeSecs > grow.cpusUserTimeSecs);
  t.is(c.master.agentUsage('no-such-agent'), undefined);
  c.runTo(runningAt + 400_000);
  t.deepEqual(
    c.master.usageSamples().map((x) => x.taskId),
    ['grow-1', 'plain-1'],
    'the ramp ends at 90 MB, within 100',
  );
  c.master.removeAgent(agent.id);
  t.is(c.master.agentUsage(agent.id), undefined, 'a removed agent has no endpoint');
  t.deepEqual(c.master.usageSamples(), []);
});

test('SimMaster › an OOM-killed task leaves the usage readings at once, before its TASK_FAILED', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA }, true);
  c.runTo(1000);
  const running = launchWithUsage(c, s, agent, [
    taskInfo('grow-1', agent.id, { cpus: 1, mem: 60 }, { usageMem: RAMP }),
  ]);
  const oom = must(running.get('grow-1'), 'running') + 171_429;
  c.runTo(oom - 1);
  t.is(c.master.usageSamples().length, 1);
  t.true(must(c.master.usageSamples()[0], 'sample').memRssBytes <= 60 * 1024 * 1024);
  c.runTo(oom);
  t.deepEqual(c.master.usageSamples(), []);
  t.is(s.states('grow-1').at(-1), 'TASK_RUNNING', 'the update comes memory-kill-delay later');
});

test('SimMaster › offers carry the agent’s own URL, or the master’s /agents/<id> once it serves the agents', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  t.deepEqual(s.lastOffer(agent.id).url, {
    scheme: 'http',
    address: { hostname: 'lab-1', ip: '10.0.0.1', port: 5051 },
    path: '/slave(1)',
  });
  c.master.serveAgentsAt({ hostname: '127.0.0.1', ip: '127.0.0.1', port: 40123 });
  c.decline(s, [s.lastOffer(agent.id).id.value], 0);
  c.advance(1000);
  t.deepEqual(s.lastOffer(agent.id).url, {
    scheme: 'http',
    address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: 40123 },
    path: `/agents/${agent.id}`,
  });
});

// ---- invalid launches ------------------------------------------------------------------------------

test("SimMaster › answers ACCEPT with an unknown offer id with TASK_DROPPED REASON_INVALID_OFFERS and returns the valid offers' resources", (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  c.runTo(1000);
  const offer = s.lastOffer(agent.id);
  const r = c.accept(
    s,
    [offer.id.value, `${c.master.masterId}-O999`],
    [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })],
  );
  t.deepEqual(r, OK, 'a bad ACCEPT is still 202');
  const ups = s.statuses('web-1');
  t.is(ups.length, 1);
  const dropped = must(ups[0], 'TASK_DROPPED').status;
  t.is(dropped.state, 'TASK_DROPPED');
  t.is(dropped.reason, 'REASON_INVALID_OFFERS');
  t.is(dropped.source, 'SOURCE_MASTER');
  t.is(dropped.uuid, undefined);
  t.true(dropped.message?.startsWith('Task launched with invalid offers: '));
  c.runTo(2000);
  const again = s.offered(agent.id);
  t.deepEqual(
    again.map((o) => o.t),
    [1000, 2000],
    'the valid offer went back without a filter',
  );
  t.deepEqual(resourcesFromMesos(must(again[1], 'offer').offer.resources), LAB);
  c.advance(10_000);
  t.deepEqual(s.states('web-1'), ['TASK_DROPPED'], 'the task never launched');
});

test('SimMaster › answers ACCEPT with an already used offer id with TASK_LOST for a framework that is not partition-aware', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe();
  c.runTo(1000);
  const offer = s.lastOffer(agent.id);
  t.deepEqual(c.accept(s, [offer.id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })]), OK);
  t.deepEqual(c.accept(s, [offer.id.value], [taskInfo('web-2', agent.id, { cpus: 1, mem: 64 })]), OK);
  const lost = must(s.statuses('web-2')[0], 'update for web-2').status;
  t.like(lost, { state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
  t.is(lost.uuid, undefined);
  t.is(s.statuses('web-2').length, 1);
});

test('SimMaster › refuses a task that needs more than the offer with TASK_ERROR REASON_TASK_INVALID and launches the others', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const big = taskInfo('big-1', agent.id, { cpus: 8, mem: 64 });
  const small = taskInfo('small-1', agent.id, { cpus: 1, mem: 64 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [big, small]), OK);
  const err = must(s.statuses('big-1')[0], 'update for big-1').status;
  t.like(err, { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
  t.is(err.uuid, undefined);
  t.regex(err.message ?? '', /more than available/);
  c.advance(3000);
  t.deepEqual(s.states('small-1'), ['TASK_STARTING', 'TASK_RUNNING']);
  t.is(s.statuses('big-1').length, 1);
});

test('SimMaster › refuses a task whose id a live task already uses with TASK_ERROR', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 }, { refuse_seconds: 0 });
  const before = s.statuses('web-1').length;
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })]),
    OK,
  );
  const ups = s.statuses('web-1').slice(before);
  t.is(ups.length, 1);
  t.like(ups[0]?.status, { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
  t.is(ups[0]?.status.uuid, undefined);
  c.advance(5000);
  t.deepEqual(c.reconcile(s, [{ task: 'web-1', agent: agent.id }]), OK);
  t.is(s.statuses('web-1').at(-1)?.status.state, 'TASK_RUNNING', 'the original task is untouched');
});

test('SimMaster › launches a task whose id contains a space', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web 1', agent.id, { cpus: 1, mem: 64 })]),
    OK,
  );
  c.advance(3000);
  t.deepEqual(
    s.states('web 1'),
    ['TASK_STARTING', 'TASK_RUNNING'],
    'only "/", "\\" and control characters are invalid',
  );
});

// ---- kill ------------------------------------------------------------------------------------------

test('SimMaster › kills a task still staging with TASK_KILLED REASON_TASK_KILLED_DURING_LAUNCH', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })]),
    OK,
  );
  t.deepEqual(c.kill(s, 'web-1'), OK);
  c.runTo(20_000);
  const ups = s.statuses('web-1');
  t.deepEqual(
    ups.map((u) => u.status.state),
    ['TASK_KILLED'],
    'the task never starts',
  );
  t.is(ups[0]?.status.reason, 'REASON_TASK_KILLED_DURING_LAUNCH');
});

test('SimMaster › kills a running task with TASK_KILLING then TASK_KILLED for a TASK_KILLING_STATE framework', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 });
  const before = s.statuses('web-1').length;
  t.deepEqual(c.kill(s, 'web-1', agent.id), OK);
  c.advance(5000);
  const ups = s.statuses('web-1').slice(before);
  t.deepEqual(
    ups.map((u) => u.status.state),
    ['TASK_KILLING', 'TASK_KILLED'],
  );
  for (const { status } of ups) {
    t.is(status.source, 'SOURCE_EXECUTOR');
    t.regex(status.uuid ?? '', STATUS_UUID);
  }
});

test('SimMaster › kills a running task with TASK_KILLED alone without the TASK_KILLING_STATE capability', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: ['PARTITION_AWARE'] });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 });
  t.deepEqual(c.kill(s, 'web-1'), OK);
  c.advance(5000);
  t.deepEqual(s.states('web-1'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
});

test('SimMaster › ignores a KILL that names a different agent than the task runs on', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const other = c.agent('lab-2');
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 });
  t.deepEqual(c.kill(s, 'web-1', other.id), OK);
  c.advance(5000);
  t.deepEqual(s.states('web-1'), ['TASK_STARTING', 'TASK_RUNNING']);
});

test('SimMaster › answers KILL of an unknown task with a reconciliation update', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  t.deepEqual(c.kill(s, 'ghost-1'), OK);
  t.deepEqual(c.kill(s, 'ghost-2', agent.id), OK);
  const a = must(s.statuses('ghost-1')[0], 'answer for ghost-1').status;
  const b = must(s.statuses('ghost-2')[0], 'answer for ghost-2').status;
  t.like(a, { state: 'TASK_UNKNOWN', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
  t.like(b, { state: 'TASK_GONE', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
  t.is(a.uuid, undefined);
  t.is(b.uuid, undefined);

  const nonPa = c.subscribe();
  t.deepEqual(c.kill(nonPa, 'ghost-3', agent.id), OK);
  t.like(nonPa.statuses('ghost-3')[0]?.status, { state: 'TASK_LOST', reason: 'REASON_RECONCILIATION' });
});

// ---- reconciliation ----------------------------------------------------------------------------------

test('SimMaster › answers explicit RECONCILE with the latest forwarded state, TASK_GONE or TASK_UNKNOWN', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 }, { refuse_seconds: 0 });
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-2', agent.id, { cpus: 1, mem: 64 })]),
    OK,
  );
  const before = s.statuses().length;
  t.deepEqual(
    c.reconcile(s, [
      { task: 'web-1', agent: agent.id },
      { task: 'web-2' },
      { task: 'ghost-1', agent: agent.id },
      { task: 'ghost-2' },
    ]),
    OK,
  );
  const answers = s.statuses().slice(before);
  t.deepEqual(
    answers.map((u) => [u.status.task_id.value, u.status.state]),
    [
      ['web-1', 'TASK_RUNNING'],
      ['web-2', 'TASK_STAGING'],
      ['ghost-1', 'TASK_GONE'],
      ['ghost-2', 'TASK_UNKNOWN'],
    ],
  );
  for (const { status } of answers) {
    t.is(status.reason, 'REASON_RECONCILIATION');
    t.is(status.source, 'SOURCE_MASTER');
    t.is(status.uuid, undefined);
  }
});

test('SimMaster › answers explicit RECONCILE for unknown tasks with TASK_LOST for a framework that is not partition-aware', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe();
  t.deepEqual(c.reconcile(s, [{ task: 'ghost-1', agent: agent.id }, { task: 'ghost-2' }]), OK);
  t.deepEqual(s.states(), ['TASK_LOST', 'TASK_LOST']);
  t.true(
    s.statuses().every((u) => u.status.reason === 'REASON_RECONCILIATION' && u.status.uuid === undefined),
  );
});

test('SimMaster › treats a task whose terminal update was acknowledged as unknown to reconciliation', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  const task = taskInfo('batch-1', agent.id, { cpus: 1, mem: 64 }, { runtimeMs: 1000 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [task]), OK);
  c.runTo(10_000);
  t.is(s.states('batch-1').at(-1), 'TASK_FINISHED');
  const before = s.statuses().length;
  t.deepEqual(c.reconcile(s, []), OK);
  t.is(s.statuses().length, before, 'implicit reconciliation does not mention it');
  t.deepEqual(c.reconcile(s, [{ task: 'batch-1', agent: agent.id }]), OK);
  t.like(s.statuses().at(-1)?.status, {
    task_id: { value: 'batch-1' },
    state: 'TASK_GONE',
    reason: 'REASON_RECONCILIATION',
  });
});

test('SimMaster › answers implicit RECONCILE with one update per task it knows, including unacknowledged terminal ones', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA });
  s.autoAck = (status) => status.state !== 'TASK_FINISHED';
  c.runTo(1000);
  const svc = taskInfo('svc-1', agent.id, { cpus: 1, mem: 64 });
  const batch = taskInfo('batch-1', agent.id, { cpus: 1, mem: 64 }, { runtimeMs: 1000 });
  t.deepEqual(c.accept(s, [s.lastOffer(agent.id).id.value], [svc, batch]), OK);
  c.runTo(10_000);
  t.is(s.states('batch-1').at(-1), 'TASK_FINISHED');
  const before = s.statuses().length;
  t.deepEqual(c.reconcile(s, []), OK);
  const answers = s.statuses().slice(before);
  t.deepEqual(answers.map((u) => `${u.status.task_id.value}=${u.status.state}`).sort(), [
    'batch-1=TASK_FINISHED',
    'svc-1=TASK_RUNNING',
  ]);
  for (const { status } of answers) {
    t.is(status.reason, 'REASON_RECONCILIATION');
    t.is(status.source, 'SOURCE_MASTER');
    t.is(status.uuid, undefined);
    t.is(status.agent_id?.value, agent.id);
  }
});

// ---- agents ----------------------------------------------------------------------------------------

test('SimMaster › removing an agent rescinds its offers, loses its tasks without uuid and sends FAILURE', (t) => {
  const c = new Cluster();
  const agent = c.agent('lab-1');
  const other = c.agent('lab-2');
  const s = c.subscribe({ caps: PA });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 }, { refuse_seconds: 0 });
  const outstanding = s.lastOffer(agent.id);
  t.true(s.offered(agent.id).length >= 2, 'the leftover is outstanding');
  const before = s.events.length;
  c.master.removeAgent(agent.id, 'machine died');
  const after = s.events.slice(before).map((e) => e.event);
  const rescinds = after.filter((e) => e.type === 'RESCIND');
  t.deepEqual(rescinds, [{ type: 'RESCIND', rescind: { offer_id: { value: outstanding.id.value } } }]);
  const lost = s.statuses('web-1').at(-1)?.status;
  t.like(lost, {
    state: 'TASK_LOST',
    reason: 'REASON_AGENT_REMOVED',
    source: 'SOURCE_MASTER',
    agent_id: { value: agent.id },
  });
  t.is(lost?.uuid, undefined);
  t.deepEqual(
    after.filter((e) => e.type === 'FAILURE'),
    [{ type: 'FAILURE', failure: { agent_id: { value: agent.id } } }],
  );
  c.advance(20_000);
  t.is(s.offered(agent.id).at(-1)?.offer.id.value, outstanding.id.value, 'a removed agent is never offered');
  t.true(s.offered(other.id).length >= 1);
});

// ---- framework lifecycle ------------------------------------------------------------------------------

test('SimMaster › fails over the old stream with ERROR "Framework failed over" on a second SUBSCRIBE with the same id', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s1 = c.subscribe({ caps: PA, failoverTimeout: 60 });
  c.runTo(1000);
  const oldOffer = s1.lastOffer(agent.id);
  const s2 = c.subscribe({ id: s1.fwId, caps: PA, failoverTimeout: 60 });
  t.deepEqual(s1.events.at(-1)?.event, { type: 'ERROR', error: { message: 'Framework failed over' } });
  t.false(s1.open);
  t.truthy(s1.closedWith);
  t.deepEqual(s2.types(), ['SUBSCRIBED', 'HEARTBEAT']);
  t.is(s2.fwId, s1.fwId);
  t.false([...s1.types(), ...s2.types()].includes('RESCIND'), 'old offers are discarded without RESCIND');
  t.like(c.call(s1, { type: 'REVIVE', framework_id: { value: s1.fwId } }), { ok: false, status: 400 });
  t.deepEqual(c.accept(s2, [oldOffer.id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })]), OK);
  t.is(s2.states('web-1')[0], 'TASK_DROPPED', "the old session's offer is no longer valid");
  c.runTo(2000);
  const fresh = s2.offered(agent.id);
  t.is(fresh.length, 1);
  t.not(fresh[0]?.offer.id.value, oldOffer.id.value);
});

test('SimMaster › refuses a call with a wrong or missing Mesos-Stream-Id with 400', (t) => {
  const c = new Cluster();
  const s = c.subscribe();
  const call: Call = { type: 'REVIVE', framework_id: { value: s.fwId } };
  t.like(c.master.call('some-other-stream', call), { ok: false, status: 400 });
  t.like(c.master.call(undefined, call), { ok: false, status: 400 });
  t.deepEqual(c.master.call(s.streamId, call), OK);
});

test('SimMaster › refuses calls before subscribing and for unknown frameworks with 400 Framework cannot be found', (t) => {
  const c = new Cluster();
  c.agent();
  const call: Call = { type: 'REVIVE', framework_id: { value: `${c.master.masterId}-0000` } };
  t.deepEqual(c.master.call('stream-x', call), {
    ok: false,
    status: 400,
    message: 'Framework cannot be found',
  });
  const s = c.subscribe();
  t.deepEqual(c.call(s, { type: 'REVIVE', framework_id: { value: `${c.master.masterId}-0042` } }), {
    ok: false,
    status: 400,
    message: 'Framework cannot be found',
  });
});

test('SimMaster › refuses calls for a disconnected framework with 403', (t) => {
  const c = new Cluster();
  const s = c.subscribe({ failoverTimeout: 60 });
  c.master.disconnect(s);
  t.like(c.call(s, { type: 'REVIVE', framework_id: { value: s.fwId } }), {
    ok: false,
    status: 403,
    message: 'Framework is not subscribed',
  });
});

test('SimMaster › refuses a SUBSCRIBE whose framework_id differs from framework_info.id with 400', (t) => {
  const c = new Cluster();
  const s = c.stream();
  const call = subscribeCall({ id: 'fw-a' });
  call.framework_id = { value: 'fw-b' };
  t.like(c.master.subscribe(s, call), { ok: false, status: 400 });
  const onlyTop = subscribeCall();
  onlyTop.framework_id = { value: 'fw-b' };
  t.like(c.master.subscribe(s, onlyTop), { ok: false, status: 400 });
  t.deepEqual(s.events, [], 'nothing is streamed');
});

test('SimMaster › removes a framework on TEARDOWN and answers a later SUBSCRIBE with its id with ERROR "Framework has been removed"', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA, failoverTimeout: 3600 });
  s.autoAck = true;
  c.runTo(1000);
  c.launchRunning(s, agent, 'web-1', { cpus: 1, mem: 64 }, { refuse_seconds: 0 });
  const before = s.events.length;
  t.deepEqual(c.call(s, { type: 'TEARDOWN', framework_id: { value: s.fwId } }), OK);
  t.false(s.open, 'the stream is closed');
  c.advance(30_000);
  t.deepEqual(
    s.events.slice(before).map((e) => e.event.type),
    [],
    'no ERROR and no task updates',
  );
  t.deepEqual(c.call(s, { type: 'REVIVE', framework_id: { value: s.fwId } }), {
    ok: false,
    status: 400,
    message: 'Framework cannot be found',
  });
  const again = c.stream();
  t.true(c.master.subscribe(again, subscribeCall({ id: s.fwId, caps: PA })).ok, 'SUBSCRIBE itself is 200');
  t.deepEqual(
    again.events.map((e) => e.event),
    [{ type: 'ERROR', error: { message: 'Framework has been removed' } }],
  );
  t.false(again.open);
  const other = c.subscribe({ caps: PA });
  c.advance(1000);
  t.deepEqual(
    resourcesFromMesos(other.lastOffer(agent.id).resources),
    LAB,
    "the framework's task was killed",
  );
});

test('SimMaster › removes a disconnected framework once its failover timeout runs out', (t) => {
  const c = new Cluster();
  const s = c.subscribe({ failoverTimeout: 10 });
  c.master.disconnect(s);
  c.advance(9_999);
  t.like(c.call(s, { type: 'REVIVE', framework_id: { value: s.fwId } }), { ok: false, status: 403 });
  c.advance(1);
  t.like(c.call(s, { type: 'REVIVE', framework_id: { value: s.fwId } }), {
    ok: false,
    status: 400,
    message: 'Framework cannot be found',
  });
  const again = c.stream();
  c.master.subscribe(again, subscribeCall({ id: s.fwId }));
  t.deepEqual(again.types(), ['ERROR']);
  t.false(again.open);
});

test('SimMaster › keeps running tasks over a master failover and resends unacknowledged updates after resubscription', (t) => {
  const c = new Cluster();
  const agent = c.agent();
  const s = c.subscribe({ caps: PA, failoverTimeout: 3600 });
  s.autoAck = (status) => status.state !== 'TASK_RUNNING';
  c.runTo(1000);
  t.deepEqual(
    c.accept(s, [s.lastOffer(agent.id).id.value], [taskInfo('web-1', agent.id, { cpus: 1, mem: 64 })], {
      refuse_seconds: 0,
    }),
    OK,
  );
  c.runTo(4000);
  const running = must(
    s.statuses('web-1').find((u) => u.status.state === 'TASK_RUNNING'),
    'TASK_RUNNING',
  ).status;
  const staleOffer = s.lastOffer(agent.id);
  const oldMaster = c.master.masterId;

  c.master.failover(5000);
  t.false(s.open, 'the stream is cut');
  t.truthy(s.closedWith);
  c.runTo(9000);
  t.true(c.master.leading);
  t.not(c.master.masterId, oldMaster, 'a new leader');
  t.like(c.call(s, { type: 'REVIVE', framework_id: { value: s.fwId } }), {
    ok: false,
    status: 400,
    message: 'Framework cannot be found',
  });

  const s2 = c.subscribe({ id: s.fwId, caps: PA, failoverTimeout: 3600 }, true);
  t.deepEqual(s2.types().slice(0, 2), ['SUBSCRIBED', 'HEARTBEAT']);
  t.is(s2.fwId, s.fwId);
  const sub = must(s2.events[0], 'SUBSCRIBED').event;
  t.is(sub.type === 'SUBSCRIBED' ? sub.subscribed.master_info?.id : undefined, c.master.masterId);
  c.advance(10_000);
  const resent = s2.statuses('web-1');
  t.deepEqual(
    resent.map((u) => [u.status.state, u.status.uuid]),
    [['TASK_RUNNING', running.uuid]],
    'the unacknowledged update comes again with its uuid',
  );
  t.deepEqual(c.reconcile(s2, [{ task: 'web-1', agent: agent.id }]), OK);
  t.is(s2.statuses('web-1').at(-1)?.status.state, 'TASK_RUNNING');
  t.deepEqual(c.accept(s2, [staleOffer.id.value], [taskInfo('web-2', agent.id, { cpus: 1, mem: 64 })]), OK);
  t.is(s2.states('web-2')[0], 'TASK_DROPPED', "the old leader's offers are invalid");
  const fresh = s2.offered(agent.id).at(-1)?.offer;
  t.deepEqual(
    resourcesFromMesos(must(fresh, 'offer from the new leader').resources),
    { ...LAB, cpus: 3, mem: 4032 },
    'the running task still holds its resources',
  );
});
