import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import test from 'ava';
import { type Dispatcher, request } from 'undici';
import type { AgentSpec } from '../../sim/cluster/types.ts';
import type { Call, Event, FrameworkInfo, Offer, SubscribeCall } from '../../src/core/mesos/v1.ts';
import { FakeMaster, type FakeMasterOptions } from '../../src/fake-master/fake-master.ts';
import { CONTENT_TYPES, codecFor, type WireFormat } from '../../src/mesos-http/codec/codec.ts';
import { RecordIODecoder } from '../../src/mesos-http/codec/recordio.ts';
import { eventually } from '../helpers/wait.ts';

// Every test starts its own fake master on free loopback ports and talks to it over real sockets.
// Waits are for conditions, with generous timeouts; nothing here measures wall-clock durations.

const WAIT = 10_000;
const SCHEDULER = '/api/v1/scheduler';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const AGENT: AgentSpec = {
  hostname: 'a-1',
  resources: { cpus: 4, mem: 4096, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
  attributes: { nodetype: 'lab' },
};

async function withMaster(
  opts: Partial<FakeMasterOptions>,
  fn: (fake: FakeMaster, urls: string[]) => Promise<void>,
): Promise<void> {
  const fake = new FakeMaster({ ports: [0], agents: [AGENT], speed: 50, seed: 1, ...opts });
  try {
    const urls = await fake.start();
    await fn(fake, urls);
  } finally {
    await fake.stop();
  }
}

function first<T>(items: readonly T[] | undefined, what = 'item'): T {
  const item = items?.[0];
  if (item === undefined) throw new Error(`expected at least one ${what}`);
  return item;
}

function portOf(url: string): string {
  return new URL(url).port;
}

function basic(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}`;
}

/** Polls until `probe` gives something other than undefined. */

// ---- plain requests ----------------------------------------------------------------------------

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestInit {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** One request on a fresh connection; a subscription stream that opens by mistake is cut, not read. */
async function http(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await request(url, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
    reset: true,
  });
  if (res.headers['mesos-stream-id'] !== undefined) {
    res.body.destroy();
    return { status: res.statusCode, headers: res.headers, body: '' };
  }
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

interface SendOptions {
  streamId?: string;
  format?: WireFormat;
  path?: string;
  headers?: Record<string, string>;
}

/** POSTs a call (encoded with the codec) or a raw JSON text to the scheduler endpoint. */
function send(base: string, call: Call | string, opts: SendOptions = {}): Promise<Reply> {
  const format = opts.format ?? 'json';
  return http(`${base}${opts.path ?? SCHEDULER}`, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      ...(opts.streamId !== undefined ? { 'mesos-stream-id': opts.streamId } : {}),
      ...opts.headers,
    },
    body: typeof call === 'string' ? call : codecFor(format).encodeCall(call),
  });
}

async function getState(base: string, path = '/master/state'): Promise<MasterState> {
  const r = await http(`${base}${path}`, { method: 'GET' });
  if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
  return JSON.parse(r.body) as MasterState;
}

interface FlatResources {
  [name: string]: number | string | undefined;
}

interface MasterState {
  id: string;
  start_time?: number;
  elected_time?: number;
  flags?: Record<string, string>;
  recovered_slaves?: unknown[];
  leader?: string;
  leader_info?: { id: string; pid: string; port: number; hostname: string };
  slaves: {
    id: string;
    hostname: string;
    attributes: Record<string, unknown>;
    resources: FlatResources;
    used_resources: FlatResources;
    offered_resources: FlatResources;
    unreserved_resources: FlatResources;
    reserved_resources?: FlatResources;
    registered_time?: number;
  }[];
  frameworks: {
    id: string;
    name: string;
    principal: string;
    active: boolean;
    connected: boolean;
    roles: string[];
    capabilities: unknown[];
    failover_timeout?: number;
    used_resources?: FlatResources;
    executors?: unknown[];
    tasks: {
      id: string;
      name: string;
      framework_id: string;
      slave_id: string;
      state: string;
      resources: FlatResources;
      statuses: { state: string }[];
    }[];
  }[];
  completed_frameworks: unknown[];
  orphan_tasks: unknown[];
  unregistered_frameworks: unknown[];
}

// ---- subscription streams ----------------------------------------------------------------------

type EventOf<T extends Event['type']> = Extract<Event, { type: T }>;

/** A SUBSCRIBE response read incrementally: RecordIO records decoded as they arrive. */
class Subscription {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: Event[] = [];
  done = false;
  error: unknown;
  #pos = 0;
  readonly #waiters = new Set<() => void>();
  readonly #body: Dispatcher.ResponseData['body'];

  constructor(res: Dispatcher.ResponseData) {
    this.status = res.statusCode;
    this.headers = res.headers;
    this.#body = res.body;
    const format: WireFormat = res.headers['content-type'] === CONTENT_TYPES.protobuf ? 'protobuf' : 'json';
    void this.#read(format);
  }

  get streamId(): string {
    const id = this.headers['mesos-stream-id'];
    if (typeof id !== 'string') throw new Error('no Mesos-Stream-Id header');
    return id;
  }

  types(): string {
    return this.events.map((e) => e.type).join(', ') || 'nothing';
  }

  /** The next event not yet consumed. */
  async next(timeoutMs = WAIT): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.events[this.#pos];
      if (event !== undefined) {
        this.#pos++;
        return event;
      }
      if (this.done)
        throw new Error(`the stream ended after ${this.types()} (${String(this.error ?? 'EOF')})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no further event within ${timeoutMs} ms after ${this.types()}`);
      await this.#changed(left);
    }
  }

  /** Consumes events up to and including the next one of `type`. */
  async nextOf<T extends Event['type']>(type: T, timeoutMs = WAIT): Promise<EventOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (event.type === type) return event as EventOf<T>;
    }
  }

  /** Resolves once the master has closed the stream (cleanly or by cutting the connection). */
  async ended(timeoutMs = WAIT): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the stream is still open after ${this.types()}`);
      await this.#changed(left);
    }
  }

  close(): void {
    this.#body.destroy();
  }

  async #read(format: WireFormat): Promise<void> {
    const decoder = new RecordIODecoder();
    const codec = codecFor(format);
    try {
      for await (const chunk of this.#body) {
        for (const record of decoder.decode(chunk as Uint8Array)) this.events.push(codec.decodeEvent(record));
        this.#notify();
      }
    } catch (err) {
      this.error = err;
    } finally {
      this.done = true;
      this.#notify();
    }
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }
}

function frameworkInfo(extra: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return { user: 'lab', name: 'offerlab-test', failover_timeout: 3600, ...extra };
}

function subscribeCall(extra: Partial<FrameworkInfo> = {}, frameworkId?: string): SubscribeCall {
  const info = frameworkInfo(extra);
  if (frameworkId === undefined) return { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  return {
    type: 'SUBSCRIBE',
    framework_id: { value: frameworkId },
    subscribe: { framework_info: { ...info, id: { value: frameworkId } } },
  };
}

interface SubscribeOptions {
  call?: SubscribeCall;
  /** Request body format (Content-Type). */
  format?: WireFormat;
  /** Accept header; defaults to the body format's type, `null` sends none. */
  accept?: string | null;
  path?: string;
  headers?: Record<string, string>;
}

async function subscribe(base: string, opts: SubscribeOptions = {}): Promise<Subscription> {
  const format = opts.format ?? 'json';
  const accept = opts.accept === undefined ? CONTENT_TYPES[format] : opts.accept;
  const res = await request(`${base}${opts.path ?? SCHEDULER}`, {
    method: 'POST',
    headers: {
      'content-type': CONTENT_TYPES[format],
      ...(accept !== null ? { accept } : {}),
      ...opts.headers,
    },
    body: codecFor(format).encodeCall(opts.call ?? subscribeCall()),
    reset: true,
  });
  if (res.statusCode !== 200) {
    throw new Error(`SUBSCRIBE answered ${res.statusCode}: ${await res.body.text()}`);
  }
  return new Subscription(res);
}

interface Session {
  sub: Subscription;
  fw: string;
  offer: Offer;
}

/** Subscribes and waits for the first offer. */
async function session(base: string, opts: SubscribeOptions = {}): Promise<Session> {
  const sub = await subscribe(base, opts);
  const subscribed = await sub.nextOf('SUBSCRIBED');
  const offers = await sub.nextOf('OFFERS');
  return { sub, fw: subscribed.subscribed.framework_id.value, offer: first(offers.offers.offers, 'offer') };
}

function launchCall(fw: string, offer: Offer, taskId: string, offerId = offer.id.value): Call {
  return {
    type: 'ACCEPT',
    framework_id: { value: fw },
    accept: {
      offer_ids: [{ value: offerId }],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: taskId,
                task_id: { value: taskId },
                agent_id: offer.agent_id,
                resources: [
                  { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
                  { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
                ],
                command: { shell: true, value: 'sleep 3600' },
              },
            ],
          },
        },
      ],
      filters: { refuse_seconds: 1 },
    },
  };
}

// ---- SUBSCRIBE --------------------------------------------------------------------------------

test('fake master › answers SUBSCRIBE with 200, the negotiated Content-Type and a Mesos-Stream-Id, then SUBSCRIBED, HEARTBEAT and OFFERS', async (t) => {
  await withMaster({}, async (fake, [base = '']) => {
    const sub = await subscribe(base);
    t.is(sub.status, 200);
    t.is(sub.headers['content-type'], 'application/json');
    t.not(sub.headers['content-type'], 'application/recordio');
    t.regex(sub.streamId, UUID);
    t.is(sub.headers['transfer-encoding'], 'chunked');
    t.is(sub.headers['content-length'], undefined);

    const subscribed = await sub.next();
    if (subscribed.type !== 'SUBSCRIBED') return t.fail(`first event: ${subscribed.type}`);
    const masterId = subscribed.subscribed.master_info?.id;
    t.is(masterId, fake.master.masterId);
    t.is(subscribed.subscribed.framework_id.value, `${masterId}-0000`);
    t.is(subscribed.subscribed.heartbeat_interval_seconds, 15);

    t.is((await sub.next()).type, 'HEARTBEAT', 'a heartbeat right after SUBSCRIBED');

    const offers = await sub.next();
    if (offers.type !== 'OFFERS') return t.fail(`third event: ${offers.type}`);
    t.true(Array.isArray(offers.offers.offers), 'OFFERS carries offers.offers[]');
    const offer = first(offers.offers.offers);
    t.is(offer.hostname, 'a-1');
    t.is(offer.framework_id.value, subscribed.subscribed.framework_id.value);
    t.like(
      offer.resources.find((r) => r.name === 'cpus'),
      { type: 'SCALAR', scalar: { value: 4 } },
    );
    t.like(
      offer.resources.find((r) => r.name === 'mem'),
      { type: 'SCALAR', scalar: { value: 4096 } },
    );
    t.deepEqual(offer.resources.find((r) => r.name === 'ports')?.ranges, {
      range: [{ begin: 31000, end: 32000 }],
    });
    t.deepEqual(offer.attributes, [{ name: 'nodetype', type: 'TEXT', text: { value: 'lab' } }]);
    sub.close();
  });
});

test('fake master › keeps heartbeating on the stream', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const sub = await subscribe(base);
    await sub.nextOf('SUBSCRIBED');
    await sub.nextOf('HEARTBEAT');
    await t.notThrowsAsync(sub.nextOf('HEARTBEAT'), 'a second heartbeat 15 simulated seconds later');
    sub.close();
  });
});

test('fake master › streams protobuf events when Accept allows only application/x-protobuf', async (t) => {
  await withMaster({}, async (fake, [base = '']) => {
    const sub = await subscribe(base, { format: 'protobuf', accept: 'application/x-protobuf' });
    t.is(sub.status, 200);
    t.is(sub.headers['content-type'], 'application/x-protobuf');
    t.regex(sub.streamId, UUID);
    const subscribed = await sub.next();
    if (subscribed.type !== 'SUBSCRIBED') return t.fail(`first event: ${subscribed.type}`);
    const fw = subscribed.subscribed.framework_id.value;
    t.is(fw, `${fake.master.masterId}-0000`);
    t.is((await sub.next()).type, 'HEARTBEAT');
    const offers = await sub.next();
    if (offers.type !== 'OFFERS') return t.fail(`third event: ${offers.type}`);
    const offer = first(offers.offers.offers);
    t.is(offer.hostname, 'a-1');
    t.deepEqual(offer.resources.find((r) => r.name === 'ports')?.ranges, {
      range: [{ begin: 31000, end: 32000 }],
    });
    const decline = await send(
      base,
      { type: 'DECLINE', framework_id: { value: fw }, decline: { offer_ids: [offer.id] } },
      { format: 'protobuf', streamId: sub.streamId },
    );
    t.is(decline.status, 202);
    t.is(decline.body, '');
    sub.close();
  });
});

test('fake master › picks the stream format from Accept, not from the request Content-Type', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const proto = await subscribe(base, {
      format: 'json',
      accept: 'application/json;q=0, application/x-protobuf',
    });
    t.is(proto.headers['content-type'], 'application/x-protobuf');
    t.is((await proto.next()).type, 'SUBSCRIBED');
    proto.close();
    const json = await subscribe(base, { format: 'protobuf', accept: null });
    t.is(json.headers['content-type'], 'application/json', 'no Accept header means JSON');
    t.is((await json.next()).type, 'SUBSCRIBED');
    json.close();
  });
});

test('fake master › counts RecordIO lengths in bytes, not characters', async (t) => {
  const agents = [{ ...AGENT, hostname: 'nœud-é-1' }];
  await withMaster({ agents }, async (_fake, [base = '']) => {
    const sub = await subscribe(base);
    const offers = await sub.nextOf('OFFERS');
    t.is(first(offers.offers.offers).hostname, 'nœud-é-1');
    t.is(sub.error, undefined);
    sub.close();
  });
});

test('fake master › serves the scheduler API on both /api/v1/scheduler and /master/api/v1/scheduler', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base, { path: '/master/api/v1/scheduler' });
    t.is(sub.status, 200);
    const short = await send(
      base,
      { type: 'DECLINE', framework_id: { value: fw }, decline: { offer_ids: [offer.id] } },
      { streamId: sub.streamId, path: '/api/v1/scheduler' },
    );
    t.is(short.status, 202);
    const long = await send(
      base,
      { type: 'REVIVE', framework_id: { value: fw } },
      { streamId: sub.streamId, path: '/master/api/v1/scheduler' },
    );
    t.is(long.status, 202);
    sub.close();
    const other = await subscribe(base, { path: '/api/v1/scheduler' });
    t.is((await other.next()).type, 'SUBSCRIBED');
    other.close();
  });
});

// ---- the status-code table (§1.6), in the master's check order --------------------------------

test('fake master › answers 405 with Allow: POST to a GET, before looking at the Content-Type', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await http(`${base}${SCHEDULER}`, { method: 'GET' });
    t.is(r.status, 405);
    t.is(r.headers.allow, 'POST');
    const put = await http(`${base}/master/api/v1/scheduler`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(subscribeCall()),
    });
    t.is(put.status, 405);
    t.is(put.headers.allow, 'POST');
  });
});

test('fake master › answers 400 "Expecting \'Content-Type\' to be present" without a Content-Type', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await http(`${base}${SCHEDULER}`, { body: JSON.stringify(subscribeCall()) });
    t.is(r.status, 400);
    t.is(r.body, "Expecting 'Content-Type' to be present");
  });
});

for (const contentType of ['application/json; charset=utf-8', 'Application/JSON', 'text/plain']) {
  test(`fake master › answers 415 to the Content-Type "${contentType}"`, async (t) => {
    await withMaster({}, async (_fake, [base = '']) => {
      const r = await http(`${base}${SCHEDULER}`, {
        headers: { 'content-type': contentType },
        body: JSON.stringify(subscribeCall()),
      });
      t.is(r.status, 415);
    });
  });
}

test('fake master › answers 400 "Failed to parse body into JSON" to invalid JSON', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await send(base, '{"type":"SUBSCRIBE",');
    t.is(r.status, 400);
    t.true(r.body.startsWith('Failed to parse body into JSON'), r.body);
  });
});

test('fake master › answers 400 "Failed to parse body into Call protobuf" to a protobuf body that does not parse', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await http(`${base}${SCHEDULER}`, {
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0xff, 0xff, 0xff]),
    });
    t.is(r.status, 400);
    t.is(r.body, 'Failed to parse body into Call protobuf');
  });
});

test('fake master › answers 400 to a numeric enum', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const numericType = await send(
      base,
      '{"type":1,"subscribe":{"framework_info":{"user":"lab","name":"x"}}}',
    );
    t.is(numericType.status, 400);
    t.true(numericType.body.startsWith('Failed to convert JSON into Call protobuf'), numericType.body);
    const numericCapability = await send(
      base,
      '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"lab","name":"x","capabilities":[{"type":6}]}}}',
    );
    t.is(numericCapability.status, 400);
    t.true(numericCapability.body.startsWith('Failed to convert JSON into Call protobuf'));
  });
});

test('fake master › answers 400 "Failed to validate scheduler::Call: Expecting \'type\' to be present" to a call without type', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const expected = "Failed to validate scheduler::Call: Expecting 'type' to be present";
    const missing = await send(base, '{"subscribe":{"framework_info":{"user":"lab","name":"x"}}}');
    t.is(missing.status, 400);
    t.is(missing.body, expected);
    const unknownName = await send(base, '{"type":"NO_SUCH_CALL","framework_id":{"value":"f"}}');
    t.is(unknownName.status, 400, 'an unknown enum name leaves the type unset');
    t.is(unknownName.body, expected);
  });
});

test('fake master › answers 400 to a non-subscribe call without framework_id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const revive = await send(base, '{"type":"REVIVE"}');
    t.is(revive.status, 400);
    t.is(revive.body, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
    const decline = await send(base, '{"type":"DECLINE","decline":{"offer_ids":[{"value":"o"}]}}');
    t.is(decline.status, 400);
    t.is(decline.body, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
  });
});

test('fake master › answers 400 "Not a valid UUID" to an ACKNOWLEDGE whose uuid is not 16 bytes', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    const ack = (uuid: string, framework = fw): Call => ({
      type: 'ACKNOWLEDGE',
      framework_id: { value: framework },
      acknowledge: { agent_id: offer.agent_id, task_id: { value: 't' }, uuid },
    });
    const short = await send(base, ack('AAAA'), { streamId: sub.streamId });
    t.is(short.status, 400);
    t.is(short.body, 'Failed to validate scheduler::Call: Not a valid UUID');
    const long = await send(base, ack(Buffer.alloc(17).toString('base64')), { streamId: sub.streamId });
    t.is(long.status, 400);
    t.is(long.body, 'Failed to validate scheduler::Call: Not a valid UUID');
    // Call validation (step 5) comes before the framework lookup (step 8).
    const unknown = await send(base, ack('AAAA', 'no-such-framework'));
    t.is(unknown.body, 'Failed to validate scheduler::Call: Not a valid UUID');
    // A real 16-byte uuid passes (the agent ignores it: no such update).
    const ok = await send(base, ack(Buffer.alloc(16, 7).toString('base64')), { streamId: sub.streamId });
    t.is(ok.status, 202);
    sub.close();
  });
});

test('fake master › answers 400 to a SUBSCRIBE whose framework_id differs from framework_info.id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const call: SubscribeCall = {
      type: 'SUBSCRIBE',
      framework_id: { value: 'one' },
      subscribe: { framework_info: frameworkInfo({ id: { value: 'two' } }) },
    };
    const r = await send(base, call);
    t.is(r.status, 400);
    t.true(r.body.startsWith('Failed to validate scheduler::Call: '), r.body);
    const topOnly = await send(base, { ...subscribeCall(), framework_id: { value: 'one' } });
    t.is(topOnly.status, 400);
    // Validation (step 5) comes before the Accept check (step 6).
    const badAccept = await send(base, call, { headers: { accept: 'text/html' } });
    t.is(badAccept.status, 400);
  });
});

test('fake master › answers 406 to a SUBSCRIBE whose Accept allows neither type', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    for (const accept of ['text/html', 'application/json;q=0, application/x-protobuf;q=0', '*/*;q=0']) {
      const r = await send(base, subscribeCall(), { headers: { accept } });
      t.is(r.status, 406, accept);
    }
    // The Accept check (step 6) comes before the Mesos-Stream-Id check (step 7).
    const both = await send(base, subscribeCall(), {
      headers: { accept: 'text/html', 'mesos-stream-id': '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b' },
    });
    t.is(both.status, 406);
  });
});

test('fake master › answers 400 to a SUBSCRIBE carrying Mesos-Stream-Id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await send(base, subscribeCall(), { streamId: '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b' });
    t.is(r.status, 400);
    t.is(r.headers['mesos-stream-id'], undefined, 'no stream was opened');
  });
});

test('fake master › answers 400 "Framework cannot be found" for an unknown framework, before checking the stream id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await send(base, { type: 'REVIVE', framework_id: { value: 'no-such-framework' } });
    t.is(r.status, 400);
    t.is(r.body, 'Framework cannot be found');
    const withId = await send(
      base,
      { type: 'REVIVE', framework_id: { value: 'no-such-framework' } },
      { streamId: '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b' },
    );
    t.is(withId.status, 400);
    t.is(withId.body, 'Framework cannot be found');
  });
});

test('fake master › answers 400 to a call with a missing or wrong Mesos-Stream-Id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const revive: Call = { type: 'REVIVE', framework_id: { value: fw } };
    const missing = await send(base, revive);
    t.is(missing.status, 400);
    const wrong = await send(base, revive, { streamId: '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b' });
    t.is(wrong.status, 400);
    const right = await send(base, revive, { streamId: sub.streamId });
    t.is(right.status, 202);
    sub.close();
  });
});

test('fake master › answers 403 "Framework is not subscribed" once the stream is closed, and takes the framework back on resubscription', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const streamId = sub.streamId;
    sub.close();
    const r = await eventually(async () => {
      const reply = await send(base, { type: 'REVIVE', framework_id: { value: fw } }, { streamId });
      return reply.status === 202 ? undefined : reply;
    }, 'the master to notice the disconnection');
    t.is(r.status, 403);
    t.is(r.body, 'Framework is not subscribed');
    const again = await subscribe(base, { call: subscribeCall({}, fw) });
    const subscribed = await again.nextOf('SUBSCRIBED');
    t.is(subscribed.subscribed.framework_id.value, fw);
    t.not(again.streamId, streamId, 'a new stream id');
    again.close();
  });
});

test('fake master › answers 202 with an empty body to a valid DECLINE and REVIVE, and re-offers under a new offer id', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    const decline = await send(
      base,
      {
        type: 'DECLINE',
        framework_id: { value: fw },
        decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } },
      },
      { streamId: sub.streamId },
    );
    t.is(decline.status, 202);
    t.is(decline.body, '');
    const revive = await send(
      base,
      { type: 'REVIVE', framework_id: { value: fw } },
      { streamId: sub.streamId },
    );
    t.is(revive.status, 202);
    t.is(revive.body, '');
    const again = await sub.nextOf('OFFERS');
    const reoffer = first(again.offers.offers);
    t.is(reoffer.agent_id.value, offer.agent_id.value);
    t.not(reoffer.id.value, offer.id.value, 'offer ids are never reused');
    sub.close();
  });
});

test('fake master › answers 501 to a call of type UNKNOWN', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const r = await send(base, JSON.stringify({ type: 'UNKNOWN', framework_id: { value: fw } }), {
      streamId: sub.streamId,
    });
    t.is(r.status, 501);
    sub.close();
  });
});

test('fake master › answers 404 to an unknown path', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const r = await send(base, subscribeCall(), { path: '/api/v1/schedulerx' });
    t.is(r.status, 404);
  });
});

test('fake master › answers 400 to a request whose headers cannot be parsed', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const url = new URL(base);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST ${SCHEDULER} HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n`);
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    t.regex(reply, /^HTTP\/1\.1 400 /);
  });
});

// ---- FrameworkInfo problems: 200, then ERROR, then the stream closes (§2.1) --------------------

const INVALID_INFOS: [string, SubscribeCall][] = [
  ['roles without the MULTI_ROLE capability', subscribeCall({ roles: ['lab'] })],
  [
    'role together with the MULTI_ROLE capability',
    subscribeCall({ role: 'lab', capabilities: [{ type: 'MULTI_ROLE' }] }),
  ],
  ['duplicate role names', subscribeCall({ roles: ['lab', 'lab'], capabilities: [{ type: 'MULTI_ROLE' }] })],
  ['a role named ".."', subscribeCall({ role: '..' })],
  ['a role starting with "-"', subscribeCall({ roles: ['-lab'], capabilities: [{ type: 'MULTI_ROLE' }] })],
  ['a role with a space in it', subscribeCall({ role: 'lab team' })],
  ['a negative failover_timeout', subscribeCall({ failover_timeout: -1 })],
  [
    'suppressed_roles that are not a subset of the roles',
    {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: frameworkInfo({ roles: ['lab'], capabilities: [{ type: 'MULTI_ROLE' }] }),
        suppressed_roles: ['other'],
      },
    },
  ],
];

for (const [problem, call] of INVALID_INFOS) {
  test(`fake master › answers a SUBSCRIBE with ${problem} with 200, then ERROR, then closes the stream`, async (t) => {
    await withMaster({}, async (_fake, [base = '']) => {
      const sub = await subscribe(base, { call });
      t.is(sub.status, 200, 'the real master does not answer 4xx');
      const error = await sub.next();
      t.is(error.type, 'ERROR', `events: ${sub.types()}`);
      if (error.type === 'ERROR') t.true(error.error.message.length > 0);
      await sub.ended();
      t.deepEqual(
        sub.events.map((e) => e.type),
        ['ERROR'],
      );
    });
  });
}

test('fake master › refuses a resubscription that changes the principal with ERROR', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const sub = await subscribe(base, { call: subscribeCall({ principal: 'lab' }) });
    const fw = (await sub.nextOf('SUBSCRIBED')).subscribed.framework_id.value;
    const again = await subscribe(base, { call: subscribeCall({ principal: 'someone-else' }, fw) });
    t.is(again.status, 200);
    const error = await again.next();
    t.is(error.type, 'ERROR', `events: ${again.types()}`);
    await again.ended();
    sub.close();
  });
});

// ---- framework failover and teardown ----------------------------------------------------------

test('fake master › sends ERROR "Framework failed over" on the old stream when the framework subscribes again', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub: old, fw } = await session(base);
    const fresh = await subscribe(base, { call: subscribeCall({}, fw) });
    t.is(fresh.status, 200);
    const subscribed = await fresh.next();
    if (subscribed.type !== 'SUBSCRIBED') return t.fail(`first event: ${subscribed.type}`);
    t.is(subscribed.subscribed.framework_id.value, fw);
    t.is((await fresh.next()).type, 'HEARTBEAT');
    t.not(fresh.streamId, old.streamId);

    const error = await old.nextOf('ERROR');
    t.is(error.error.message, 'Framework failed over');
    await old.ended();
    t.is(old.events[old.events.length - 1]?.type, 'ERROR', 'ERROR is the last event on the old stream');
    t.false(
      old.events.some((e) => e.type === 'RESCIND'),
      'the old offers are discarded without RESCIND',
    );

    const offers = await fresh.nextOf('OFFERS');
    t.is(first(offers.offers.offers).framework_id.value, fw);
    t.false(fresh.events.some((e) => e.type === 'RESCIND'));

    const revive: Call = { type: 'REVIVE', framework_id: { value: fw } };
    t.is((await send(base, revive, { streamId: old.streamId })).status, 400, 'the old stream id is void');
    t.is((await send(base, revive, { streamId: fresh.streamId })).status, 202);
    fresh.close();
  });
});

test('fake master › closes the stream on TEARDOWN and forgets the framework', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const r = await send(base, { type: 'TEARDOWN', framework_id: { value: fw } }, { streamId: sub.streamId });
    t.is(r.status, 202);
    t.is(r.body, '');
    await sub.ended();
    t.false(
      sub.events.some((e) => e.type === 'ERROR'),
      'the stream closes without an event',
    );
    const after = await send(
      base,
      { type: 'REVIVE', framework_id: { value: fw } },
      { streamId: sub.streamId },
    );
    t.is(after.status, 400);
    t.is(after.body, 'Framework cannot be found');
    const again = await subscribe(base, { call: subscribeCall({}, fw) });
    t.is(again.status, 200);
    const error = await again.next();
    if (error.type !== 'ERROR') return t.fail(`first event: ${error.type}`);
    t.is(error.error.message, 'Framework has been removed');
    await again.ended();
  });
});

// ---- several masters: redirects, leader detection, failover (§1.7) ---------------------------

test('fake master › a follower answers 307 to the leader with a scheme-relative /master Location, even for GET', async (t) => {
  await withMaster({ ports: [0, 0, 0] }, async (fake, urls) => {
    t.is(fake.leader, 0);
    const leader = urls[0] ?? '';
    const expected = `//127.0.0.1:${portOf(leader)}/master/api/v1/scheduler`;
    for (const follower of urls.slice(1)) {
      const post = await send(follower, subscribeCall(), { path: `${SCHEDULER}?x=1&y=2` });
      t.is(post.status, 307);
      t.is(post.headers.location, `${expected}?x=1&y=2`, 'query kept');
      t.is(post.headers['mesos-stream-id'], undefined);

      const canonical = await send(
        follower,
        { type: 'REVIVE', framework_id: { value: 'f' } },
        {
          path: '/master/api/v1/scheduler',
        },
      );
      t.is(canonical.status, 307);
      t.is(canonical.headers.location, expected);

      const get = await http(`${follower}${SCHEDULER}`, { method: 'GET' });
      t.is(get.status, 307, 'the leader check comes before the method check');
      t.is(get.headers.location, expected);

      const noType = await http(`${follower}${SCHEDULER}`, { body: '{}' });
      t.is(noType.status, 307, 'the leader check comes before the Content-Type check');

      // Resolved against the requested URL, the Location leads to the leader.
      const target = new URL(post.headers.location as string, `${follower}${SCHEDULER}`).toString();
      t.is(target, `${leader}/master/api/v1/scheduler?x=1&y=2`);
      const resolved = new URL(target);
      const sub = await subscribe(resolved.origin, { path: `${resolved.pathname}${resolved.search}` });
      t.is((await sub.next()).type, 'SUBSCRIBED');
      sub.close();
    }
  });
});

test('fake master › /master/state on a follower answers 307 to the leader', async (t) => {
  await withMaster({ ports: [0, 0, 0] }, async (_fake, urls) => {
    const leaderPort = portOf(urls[0] ?? '');
    for (const follower of urls.slice(1)) {
      for (const path of ['/master/state', '/state']) {
        const r = await http(`${follower}${path}`, { method: 'GET' });
        t.is(r.status, 307, path);
        t.is(r.headers.location, `//127.0.0.1:${leaderPort}/master/state`);
      }
    }
    const leader = await http(`${urls[0] ?? ''}/master/state`, { method: 'GET' });
    t.is(leader.status, 200);
  });
});

test('fake master › /master/redirect and /redirect answer 307 to //host:port with no path, also on the leader', async (t) => {
  await withMaster({ ports: [0, 0, 0] }, async (_fake, urls) => {
    const expected = `//127.0.0.1:${portOf(urls[0] ?? '')}`;
    for (const url of urls) {
      for (const path of ['/master/redirect', '/redirect']) {
        const r = await http(`${url}${path}`, { method: 'GET' });
        t.is(r.status, 307, `${url}${path}`);
        t.is(r.headers.location, expected);
      }
    }
  });
});

test('fake master › fails over: the stream ends, no master leads for the down time, then the next one leads and the framework resubscribes', async (t) => {
  await withMaster({ ports: [0, 0, 0] }, async (fake, urls) => {
    const [m0 = '', m1 = '', m2 = ''] = urls;
    const { sub, fw } = await session(m0);
    const oldMasterId = fake.master.masterId;

    fake.failover(100_000); // 2 s of wall-clock time at speed 50
    t.is(fake.leader, undefined);
    await sub.ended();

    for (const follower of [m1, m2]) {
      const call = await send(follower, subscribeCall({}, fw));
      t.is(call.status, 503, follower);
      t.is(call.body, 'No leader elected');
      const get = await http(`${follower}${SCHEDULER}`, { method: 'GET' });
      t.is(get.status, 503);
      const redirect = await http(`${follower}/master/redirect`, { method: 'GET' });
      t.is(redirect.status, 503);
      t.is(redirect.body, 'No leader elected');
    }
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
    t.is(await refused(send(m0, subscribeCall({}, fw))), 'ECONNREFUSED', 'the old leader is down');
    t.is(await refused(http(`${m0}/master/redirect`, { method: 'GET' })), 'ECONNREFUSED');
    t.is(fake.leader, undefined, 'the checks above ran during the down time');

    await eventually(() => (fake.leader === 1 ? true : undefined), 'the next master to lead');
    const unknown = await send(m1, { type: 'REVIVE', framework_id: { value: fw } });
    t.is(unknown.status, 400, 'the new leader knows the framework only once it resubscribes');
    t.is(unknown.body, 'Framework cannot be found');

    const again = await subscribe(m1, { call: subscribeCall({}, fw) });
    t.is(again.status, 200);
    const subscribed = await again.next();
    if (subscribed.type !== 'SUBSCRIBED') return t.fail(`first event: ${subscribed.type}`);
    t.is(subscribed.subscribed.framework_id.value, fw);
    t.not(subscribed.subscribed.master_info?.id, oldMasterId, 'another master leads');
    t.is((await again.next()).type, 'HEARTBEAT');
    const offers = await again.nextOf('OFFERS');
    t.is(first(offers.offers.offers).framework_id.value, fw);

    const redirect = await http(`${m2}/master/redirect`, { method: 'GET' });
    t.is(redirect.status, 307);
    t.is(redirect.headers.location, `//127.0.0.1:${portOf(m1)}`);
    const back = await eventually(
      () =>
        http(`${m0}${SCHEDULER}`, { method: 'GET' }).then(
          (r) => r,
          () => undefined,
        ),
      'the old leader to come back',
    );
    t.is(back.status, 307, 'the old leader is back as a follower');
    t.is(back.headers.location, `//127.0.0.1:${portOf(m1)}/master/api/v1/scheduler`);
    again.close();
  });
});

test('fake master › POST /offerlab/failover cuts the stream and leaves no leader for the down time', async (t) => {
  await withMaster({}, async (fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const r = await http(`${base}/offerlab/failover?down=100s`);
    t.is(r.status, 202);
    t.deepEqual(JSON.parse(r.body), { failover: true, downMs: 100_000 });
    await sub.ended();
    const call = await send(base, subscribeCall({}, fw));
    t.is(call.status, 503);
    t.is(call.body, 'No leader elected');
    const redirect = await http(`${base}/master/redirect`, { method: 'GET' });
    t.is(redirect.status, 503);
    t.is(fake.leader, undefined, 'the checks above ran during the down time');
    const bad = await http(`${base}/offerlab/failover?down=soon`);
    t.is(bad.status, 400);
  });
});

// ---- /master/state (§8.1) ---------------------------------------------------------------------

test('fake master › serves /master/state in the v0 shape', async (t) => {
  const agents: AgentSpec[] = [
    {
      hostname: 'a-1',
      resources: {
        cpus: 4,
        mem: 4096,
        disk: 0,
        ports: [
          { begin: 31000, end: 31099 },
          { begin: 31200, end: 32000 },
        ],
      },
      attributes: { nodetype: 'lab', cores: '16' },
    },
  ];
  await withMaster({ agents }, async (fake, [base = '']) => {
    const { sub, fw, offer } = await session(base, {
      call: subscribeCall({
        roles: ['lab'],
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
      }),
    });
    for (const path of ['/master/state', '/state']) {
      const r = await http(`${base}${path}`, { method: 'GET' });
      t.is(r.status, 200, path);
      t.regex(String(r.headers['content-type']), /^application\/json/);
      const state = JSON.parse(r.body) as MasterState;
      t.is(state.id, fake.master.masterId);
      t.like(state.leader_info, { port: Number(portOf(base)), hostname: '127.0.0.1' });

      const slave = first(state.slaves, 'slave');
      t.is(slave.id, offer.agent_id.value);
      t.is(slave.hostname, 'a-1');
      t.deepEqual(slave.resources, {
        cpus: 4,
        gpus: 0,
        mem: 4096,
        disk: 0,
        ports: '[31000-31099, 31200-32000]',
      });
      t.deepEqual(slave.attributes, { nodetype: 'lab', cores: 16 });
      for (const key of ['used_resources', 'offered_resources', 'unreserved_resources'] as const) {
        for (const name of ['cpus', 'gpus', 'mem', 'disk']) {
          t.is(typeof slave[key][name], 'number', `${key}.${name}`);
        }
      }
      t.is(slave.offered_resources.cpus, 4, 'the outstanding offer');

      const framework = state.frameworks.find((f) => f.id === fw);
      if (!framework) return t.fail(`framework ${fw} not in ${path}`);
      t.is(framework.name, 'offerlab-test');
      t.deepEqual(framework.capabilities, ['MULTI_ROLE', 'PARTITION_AWARE']);
      t.deepEqual(framework.roles, ['lab']);
      t.true(framework.active);
      t.true(framework.connected);
      t.deepEqual(framework.tasks, []);
      t.true(Array.isArray(state.completed_frameworks));
      t.deepEqual(state.orphan_tasks, []);
      t.deepEqual(state.unregistered_frameworks, []);
    }
    sub.close();
  });
});

// ---- HTTP authentication ---------------------------------------------------------------------

test('fake master › with credentials, answers 401 with WWW-Authenticate to missing or wrong credentials and 200 to right ones', async (t) => {
  const credentials = new Map([['lab', 'secret']]);
  await withMaster({ ports: [0, 0], credentials }, async (_fake, [leader = '', follower = '']) => {
    const challenge = 'Basic realm="mesos-master-scheduler"';
    const wrong = [
      {},
      { authorization: basic('lab', 'wrong') },
      { authorization: basic('nobody', 'secret') },
      { authorization: 'Bearer secret' },
      { authorization: 'Basic !!!' },
    ];
    for (const headers of wrong) {
      const r = await send(leader, subscribeCall(), { headers });
      t.is(r.status, 401, JSON.stringify(headers));
      t.is(r.headers['www-authenticate'], challenge);
    }
    // Authentication (step 0) comes before the leader check (step 1).
    const followerNoAuth = await send(follower, subscribeCall());
    t.is(followerNoAuth.status, 401);
    t.is(followerNoAuth.headers['www-authenticate'], challenge);
    const followerAuth = await send(follower, subscribeCall(), {
      headers: { authorization: basic('lab', 'secret') },
    });
    t.is(followerAuth.status, 307);

    const auth = { authorization: basic('lab', 'secret') };
    const { sub, fw } = await session(leader, { headers: auth });
    t.is(sub.status, 200);
    const revive: Call = { type: 'REVIVE', framework_id: { value: fw } };
    t.is((await send(leader, revive, { streamId: sub.streamId })).status, 401);
    t.is((await send(leader, revive, { streamId: sub.streamId, headers: auth })).status, 202);
    sub.close();
  });
});

test('fake master › answers 400 to a call authenticated as a principal other than the framework’s', async (t) => {
  const credentials = new Map([
    ['lab', 'secret'],
    ['ops', 'hunter2'],
  ]);
  await withMaster({ credentials }, async (_fake, [base = '']) => {
    const lab = { authorization: basic('lab', 'secret') };
    const { sub, fw } = await session(base, { call: subscribeCall({ principal: 'lab' }), headers: lab });
    const revive: Call = { type: 'REVIVE', framework_id: { value: fw } };
    const other = await send(base, revive, {
      streamId: sub.streamId,
      headers: { authorization: basic('ops', 'hunter2') },
    });
    t.is(other.status, 400, 'step 9: the authenticated principal differs from FrameworkInfo.principal');
    const same = await send(base, revive, { streamId: sub.streamId, headers: lab });
    t.is(same.status, 202);
    sub.close();
  });
});

test('fake master › fills in FrameworkInfo.principal from the authenticated principal', async (t) => {
  const credentials = new Map([['lab', 'secret']]);
  await withMaster({ credentials }, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base, { headers: { authorization: basic('lab', 'secret') } });
    const state = await getState(base);
    t.is(state.frameworks.find((f) => f.id === fw)?.principal, 'lab');
    sub.close();
  });
});

test('fake master › answers 400 and no stream to a SUBSCRIBE whose principal is not the authenticated one', async (t) => {
  const credentials = new Map([['lab', 'secret']]);
  await withMaster({ credentials }, async (_fake, [base = '']) => {
    const reply = await send(base, subscribeCall({ principal: 'ops' }), {
      headers: { authorization: basic('lab', 'secret') },
    });
    t.is(reply.status, 400);
    t.regex(reply.body, /Authenticated principal 'lab' does not match principal 'ops'/);
  });
});

// ---- UPDATE_FRAMEWORK (§2.16) -------------------------------------------------------------------

function updateCall(fw: string, extra: Partial<FrameworkInfo> = {}, suppressed?: string[]): Call {
  return {
    type: 'UPDATE_FRAMEWORK',
    framework_id: { value: fw },
    update_framework: {
      framework_info: { ...frameworkInfo(extra), id: { value: fw } },
      ...(suppressed ? { suppressed_roles: suppressed } : {}),
    },
  };
}

test('fake master › applies UPDATE_FRAMEWORK synchronously with 200 and shows it in /master/state', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    const reply = await send(base, updateCall(fw, { name: 'renamed', failover_timeout: 60 }), {
      streamId: sub.streamId,
    });
    t.is(reply.status, 200);
    t.is(reply.body, '');
    const state = await getState(base);
    const mine = state.frameworks.find((f) => f.id === fw);
    t.is(mine?.name, 'renamed');
    t.is(mine?.failover_timeout, 60);
    sub.close();
  });
});

test('fake master › refuses an UPDATE_FRAMEWORK that changes user, checkpoint or principal with 400', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw } = await session(base);
    for (const change of [
      { user: 'root' },
      { checkpoint: true },
      { principal: 'ops' },
    ] as Partial<FrameworkInfo>[]) {
      const reply = await send(base, updateCall(fw, change), { streamId: sub.streamId });
      t.is(reply.status, 400, JSON.stringify(change));
      t.regex(reply.body, /unsupported/, JSON.stringify(change));
    }
    const mismatch = updateCall(fw);
    if (mismatch.type === 'UPDATE_FRAMEWORK')
      mismatch.update_framework.framework_info.id = { value: 'other' };
    const reply = await send(base, mismatch, { streamId: sub.streamId });
    t.is(reply.status, 400);
    t.regex(reply.body, /differs from 'update_framework.framework_info.id'/);
    sub.close();
  });
});

test('fake master › rescinds outstanding offers when UPDATE_FRAMEWORK leaves the role they were made to', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const multi = { roles: ['lab'], capabilities: [{ type: 'MULTI_ROLE' as const }] };
    const { sub, fw, offer } = await session(base, { call: subscribeCall(multi) });
    t.is(offer.allocation_info?.role, 'lab');
    const reply = await send(base, updateCall(fw, { ...multi, roles: ['batch'] }), {
      streamId: sub.streamId,
    });
    t.is(reply.status, 200);
    const rescind = await sub.nextOf('RESCIND');
    t.is(rescind.rescind.offer_id.value, offer.id.value);
    const next = await sub.nextOf('OFFERS');
    t.is(first(next.offers.offers).allocation_info?.role, 'batch');
    sub.close();
  });
});

test('fake master › /master/state lists times, flags and per-framework used resources like a real master', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    t.is((await send(base, launchCall(fw, offer, 'web-1'), { streamId: sub.streamId })).status, 202);
    const state = await eventually(async () => {
      const s = await getState(base);
      const used = Number(s.frameworks.find((f) => f.id === fw)?.used_resources?.cpus ?? 0);
      return used > 0 ? s : undefined;
    }, 'the task to use resources');
    t.true(typeof state.start_time === 'number' && state.start_time > 1_700_000_000);
    t.true((state.elected_time ?? 0) >= (state.start_time ?? Number.POSITIVE_INFINITY));
    t.is(state.flags?.authenticate_http_frameworks, 'false');
    t.deepEqual(state.recovered_slaves, []);
    const agent = first(state.slaves);
    t.true(typeof agent.registered_time === 'number');
    t.deepEqual(agent.reserved_resources, {});
    const mine = state.frameworks.find((f) => f.id === fw);
    t.true(Number(mine?.used_resources?.cpus ?? 0) > 0);
    t.deepEqual(mine?.executors, []);
    sub.close();
  });
});

// ---- tasks, status updates, agents -----------------------------------------------------------

test('fake master › an accepted LAUNCH shows up as a running task in /master/state after TASK_RUNNING was acknowledged', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    const accept = await send(base, launchCall(fw, offer, 'web-1'), { streamId: sub.streamId });
    t.is(accept.status, 202);
    t.is(accept.body, '');

    const states: string[] = [];
    for (;;) {
      const { update } = await sub.nextOf('UPDATE');
      const s = update.status;
      states.push(s.state);
      t.is(s.task_id.value, 'web-1');
      t.is(s.source, 'SOURCE_EXECUTOR');
      if (s.uuid === undefined || s.agent_id === undefined)
        return t.fail('executor updates carry a uuid and agent id');
      const ack = await send(
        base,
        {
          type: 'ACKNOWLEDGE',
          framework_id: { value: fw },
          acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid },
        },
        { streamId: sub.streamId },
      );
      t.is(ack.status, 202);
      if (s.state === 'TASK_RUNNING') break;
    }
    // Updates are at least once: on a loaded machine an ACK can come after the (fast-clock) resend.
    const distinct = states.filter((s, i) => s !== states[i - 1]);
    t.deepEqual(distinct, ['TASK_STARTING', 'TASK_RUNNING'], 'no UPDATE for STAGING');

    const task = await eventually(async () => {
      const state = await getState(base);
      const found = state.frameworks.find((f) => f.id === fw)?.tasks.find((x) => x.id === 'web-1');
      return found?.state === 'TASK_RUNNING' ? found : undefined;
    }, 'web-1 to be TASK_RUNNING in /master/state');
    t.is(task.framework_id, fw);
    t.is(task.slave_id, offer.agent_id.value);
    t.is(task.name, 'web-1');
    t.like(task.resources, { cpus: 1, mem: 128 });
    t.true(task.statuses.some((s) => s.state === 'TASK_RUNNING'));
    const state = await getState(base);
    t.like(first(state.slaves).used_resources, { cpus: 1, mem: 128 });
    sub.close();
  });
});

test('fake master › holds back a task’s next update until the previous one is acknowledged, resending it with the same uuid', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    t.is((await send(base, launchCall(fw, offer, 'web-1'), { streamId: sub.streamId })).status, 202);
    const starting = (await sub.nextOf('UPDATE')).update.status;
    t.is(starting.state, 'TASK_STARTING');
    if (starting.uuid === undefined || starting.agent_id === undefined) return t.fail('no uuid or agent id');

    // Two heartbeats later (at least 15 simulated seconds) the 10 s resend is due; RUNNING is not.
    const between: Event[] = [];
    for (let heartbeats = 0; heartbeats < 2; ) {
      const e = await sub.next();
      if (e.type === 'HEARTBEAT') heartbeats++;
      else between.push(e);
    }
    const updates = between.flatMap((e) => (e.type === 'UPDATE' ? [e.update.status] : []));
    t.true(updates.length >= 1, 'the unacknowledged update is resent');
    for (const u of updates) {
      t.is(u.state, 'TASK_STARTING');
      t.is(u.uuid, starting.uuid);
    }

    const ack = await send(
      base,
      {
        type: 'ACKNOWLEDGE',
        framework_id: { value: fw },
        acknowledge: { agent_id: starting.agent_id, task_id: starting.task_id, uuid: starting.uuid },
      },
      { streamId: sub.streamId },
    );
    t.is(ack.status, 202);
    const running = (await sub.nextOf('UPDATE')).update.status;
    t.is(running.state, 'TASK_RUNNING');
    t.not(running.uuid, starting.uuid);
    sub.close();
  });
});

test('fake master › answers a bad ACCEPT with 202 and a TASK_LOST update without uuid', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, fw, offer } = await session(base);
    const r = await send(base, launchCall(fw, offer, 'web-1', 'no-such-offer'), { streamId: sub.streamId });
    t.is(r.status, 202);
    t.is(r.body, '');
    const { status } = (await sub.nextOf('UPDATE')).update;
    t.is(status.task_id.value, 'web-1');
    t.is(status.state, 'TASK_LOST', 'not partition-aware');
    t.is(status.reason, 'REASON_INVALID_OFFERS');
    t.is(status.source, 'SOURCE_MASTER');
    t.is(status.uuid, undefined, 'master-generated updates carry no uuid');
    t.true(status.message?.startsWith('Task launched with invalid offers: '), status.message);
    sub.close();
  });
});

test('fake master › POST /offerlab/agent-loss removes the agent: RESCIND, FAILURE, gone from /master/state', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { sub, offer } = await session(base);
    const r = await http(`${base}/offerlab/agent-loss?hostname=a-1`);
    t.is(r.status, 202);
    t.deepEqual(JSON.parse(r.body), { removed: 'a-1' });
    const rescind = await sub.nextOf('RESCIND');
    t.is(rescind.rescind.offer_id.value, offer.id.value);
    const failure = await sub.nextOf('FAILURE');
    t.is(failure.failure.agent_id?.value, offer.agent_id.value);
    const state = await getState(base);
    t.deepEqual(state.slaves, []);
    const unknown = await http(`${base}/offerlab/agent-loss?hostname=a-1`);
    t.is(unknown.status, 404);
    sub.close();
  });
});
