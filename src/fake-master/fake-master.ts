import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SimMaster } from '../../sim/cluster/master.ts';
import { type MachineDelays, SimProvisioner } from '../../sim/cluster/provisioner.ts';
import type { AgentSpec, Connection } from '../../sim/cluster/types.ts';
import { validateCall } from '../../sim/cluster/validation.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { SeededRandom } from '../adapters/seeded-random.ts';
import type { Call, SubscribeCall } from '../core/mesos/v1.ts';
import { codecFor, formatOfContentType } from '../mesos-http/codec/codec.ts';
import { CallRejected } from '../mesos-http/codec/errors.ts';
import { encodeRecord } from '../mesos-http/codec/recordio.ts';
import type { NodeRequest, Provisioner, ProvisionResult } from '../ports/provisioner.ts';
import { parseDuration } from '../scenario/duration.ts';
import type { TimingOverrides } from '../scenario/types.ts';
import { negotiate } from './accept.ts';
import { parseMachineOrder } from './machines.ts';
import { monitorStatistics } from './monitor-json.ts';
import { RealTimeRunner } from './realtime.ts';
import { masterState } from './state-json.ts';

/** Something the cluster does on its own, relative to the first SUBSCRIBE. */
export type ClusterEvent =
  | { readonly at: number; readonly kind: 'agents'; readonly agents: readonly AgentSpec[] }
  | { readonly at: number; readonly kind: 'agent-loss'; readonly hostname: string }
  | { readonly at: number; readonly kind: 'master-failover'; readonly downMs: number };

export interface FakeMasterOptions {
  readonly host?: string;
  /** One port per master; 0 picks a free one. */
  readonly ports: readonly number[];
  readonly agents: readonly AgentSpec[];
  readonly timing?: TimingOverrides;
  readonly timeline?: readonly ClusterEvent[];
  /** Simulated time runs this many times faster than the wall clock. */
  readonly speed?: number;
  readonly seed?: number;
  /** principal → secret; when set, every scheduler request needs HTTP Basic credentials. */
  readonly credentials?: ReadonlyMap<string, string>;
  readonly log?: (line: string) => void;
  /** Largest request body accepted. */
  readonly bodyLimit?: number;
}

const SCHEDULER_PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);
/** An agent's usage endpoint, served for the simulated agents (they have no ports of their own). */
const AGENT_MONITOR = /^\/agents\/([^/]+)\/monitor\/statistics$/;
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

interface Listener {
  server: Server;
  host: string;
  port: number;
  sockets: Set<Socket>;
  down: boolean;
}

/**
 * The simulated Mesos cluster behind the real v1 scheduler HTTP API: one or more masters on
 * loopback ports, one of them leading (the others answer 307), serving the RecordIO event stream,
 * the calls, `/master/state` and `/master/redirect` with the status codes and messages of the
 * real master. A failover cuts the streams, takes the leader down for a while and elects the next
 * master.
 */
export class FakeMaster {
  readonly sim = new Simulation();
  readonly master: SimMaster;
  readonly runner: RealTimeRunner;
  readonly #opts: FakeMasterOptions;
  readonly #listeners: Listener[] = [];
  /** Machines ordered over HTTP (`/offerlab/machines`), with the delays each was ordered with. */
  readonly #machineDelays = new Map<string, MachineDelays>();
  readonly #machines: SimProvisioner;
  #leader: number | undefined = 0;
  #timelineStarted = false;

  constructor(opts: FakeMasterOptions) {
    if (opts.ports.length === 0) throw new Error('a fake master needs at least one port');
    this.#opts = opts;
    this.master = new SimMaster(this.sim, new SeededRandom(opts.seed ?? 1).fork('cluster'), {
      ...(opts.timing ? { timing: opts.timing } : {}),
      observer: {
        agentAdded: (a) => opts.log?.(`agent ${a.hostname} added (${a.id})`),
        agentRemoved: (a, reason) => opts.log?.(`agent ${a.hostname} removed: ${reason}`),
      },
      epochMs: Date.now(),
    });
    this.runner = new RealTimeRunner(this.sim, opts.speed ?? 1);
    for (const agent of opts.agents) this.master.addAgent(agent);
    this.#machines = new SimProvisioner(this.sim, this.master, (r) => this.#machineDelays.get(r.hostname));
  }

  /**
   * Pool machines of this cluster, for a scheduler in the same process (`offerlab serve
   * --transport=sim`): every call first brings the simulation up to the wall clock.
   */
  provisioner(delays: (request: NodeRequest) => MachineDelays | undefined): Provisioner {
    const inner = new SimProvisioner(this.sim, this.master, delays);
    const later = (done: (r: ProvisionResult) => void) => (r: ProvisionResult) => setImmediate(() => done(r));
    return {
      // Answers leave the simulation's event loop first: a scheduler that answers with another
      // order must not re-enter it.
      provision: (request, done) => this.runner.run(() => inner.provision(request, later(done))),
      destroy: (request, done) => this.runner.run(() => inner.destroy(request, later(done))),
      stop: () => inner.stop(),
    };
  }

  /** Starts every master; returns their base URLs (the first leads). */
  async start(): Promise<string[]> {
    const host = this.#opts.host ?? '127.0.0.1';
    for (const port of this.#opts.ports) {
      const listener: Listener = { server: createServer(), host, port, sockets: new Set(), down: false };
      this.#listeners.push(listener);
      await this.#serve(listener);
      const address = listener.server.address();
      if (address && typeof address === 'object') listener.port = address.port;
    }
    this.#announceLeader();
    this.runner.start();
    return this.urls();
  }

  /**
   * SUBSCRIBED's master_info names the leader's real address; offers' `url` point at the leader
   * too, where the agents' endpoints are served under `/agents/<agent id>`.
   */
  #announceLeader(): void {
    const l = this.#leader === undefined ? undefined : this.#listeners[this.#leader];
    if (!l) return;
    this.master.address = { hostname: l.host, ip: ipv4ToMesos(l.host), port: l.port };
    this.master.serveAgentsAt({
      hostname: l.host,
      ...(isIpv4(l.host) ? { ip: l.host } : {}),
      port: l.port,
    });
  }

  urls(): string[] {
    return this.#listeners.map((l) => `http://${l.host}:${l.port}`);
  }

  /** Index of the leading master, or undefined while none leads. */
  get leader(): number | undefined {
    return this.#leader;
  }

  /**
   * The leader fails: its streams are cut and, when there are other masters, it stops accepting
   * connections until it comes back as a follower; after `downMs` (simulated) the next master leads.
   */
  failover(downMs: number): void {
    this.runner.run(() => this.#failoverNow(downMs));
  }

  #failoverNow(downMs: number): void {
    const old = this.#leader;
    if (old === undefined) return;
    this.#leader = undefined;
    this.master.failover(downMs);
    const killed = this.#listeners.length > 1 ? this.#listeners[old] : undefined;
    if (killed) this.#kill(killed);
    this.#opts.log?.(`master ${old + 1} failed; no leader for ${downMs} ms (simulated)`);
    this.sim.after(downMs, () => {
      this.#leader = (old + 1) % this.#listeners.length;
      this.#announceLeader();
      if (killed) this.#serve(killed).catch(() => undefined); // logged in #serve
      this.#opts.log?.(`master ${this.#leader + 1} leads (${this.urls()[this.#leader]})`);
    });
  }

  /** Removes an agent now, like the `agent-loss` fault. */
  agentLoss(hostname: string): boolean {
    return this.runner.run(() => {
      const agent = this.master.agentByHostname(hostname);
      if (!agent) return false;
      this.master.removeAgent(agent.id, 'agent-loss requested');
      return true;
    });
  }

  async stop(): Promise<void> {
    this.runner.stop();
    await Promise.all(
      this.#listeners.map(async (l) => {
        for (const s of l.sockets) s.destroy();
        await new Promise<void>((resolve) => l.server.close(() => resolve()));
      }),
    );
  }

  #kill(l: Listener): void {
    l.down = true;
    l.server.close();
    for (const s of l.sockets) s.destroy();
  }

  /** (Re)opens a master's listener; a killed master comes back as a follower this way. */
  async #serve(l: Listener): Promise<void> {
    const index = this.#listeners.indexOf(l);
    const server = createServer();
    // Requests pipelined on one connection are handled one after the other, in order, as the
    // real master does (node:http would start the next one while this one's body is still read).
    // While more are waiting, the answers are held back and leave together in one write.
    const queues = new WeakMap<Socket, { tail: Promise<void>; waiting: number }>();
    server.on('request', (req, res) => {
      const socket = req.socket;
      const queue = queues.get(socket) ?? { tail: Promise.resolve(), waiting: 0 };
      queues.set(socket, queue);
      queue.waiting++;
      if (queue.waiting === 2) socket.cork();
      const run = () =>
        this.#handle(index, req, res)
          .catch((err: unknown) => {
            if (!res.headersSent) res.writeHead(500, TEXT);
            res.end(`internal error: ${(err as Error).message}`);
          })
          .finally(() => {
            queue.waiting--;
            if (queue.waiting === 0 && socket.writableCorked > 0) socket.uncork();
          });
      queue.tail = queue.tail.then(run);
    });
    server.on('connection', (socket) => {
      l.sockets.add(socket);
      socket.on('close', () => l.sockets.delete(socket));
    });
    try {
      await listen(server, l.port, l.host);
      l.server = server;
      l.down = false;
    } catch (err) {
      if (this.#timelineStarted || l.port !== 0)
        this.#opts.log?.(`master on port ${l.port} could not listen: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Plays the scenario's cluster events, relative to the first subscription. */
  #startTimeline(): void {
    if (this.#timelineStarted) return;
    this.#timelineStarted = true;
    const start = this.sim.now();
    for (const e of this.#opts.timeline ?? []) {
      this.sim.at(start + e.at, () => {
        if (e.kind === 'agents') for (const a of e.agents) this.master.addAgent(a);
        else if (e.kind === 'agent-loss') {
          const agent = this.master.agentByHostname(e.hostname);
          if (agent) this.master.removeAgent(agent.id, 'agent-loss fault');
        } else {
          this.#failoverNow(e.downMs);
        }
      });
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  async #handle(index: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (SCHEDULER_PATHS.has(path)) return this.#scheduler(index, req, res, url);
    if (path === '/master/redirect' || path === '/redirect') {
      const leader = this.#leaderListener();
      if (!leader) return void res.writeHead(503, TEXT).end('No leader elected');
      return void res.writeHead(307, { location: `//${leader.host}:${leader.port}` }).end();
    }
    if (path === '/master/state' || path === '/state') {
      if (!this.#redirectIfFollower(index, res, `/master/state${url.search}`)) return;
      const self = this.#listeners[index] as Listener;
      const leader = this.#leaderListener();
      const flags = this.#flags();
      const body = this.runner.run(() => masterState(this.master.cs, { self, leader, flags }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    const monitor = AGENT_MONITOR.exec(path);
    if (monitor) return this.#agentMonitor(req, res, safeDecode(monitor[1] as string));
    if (path === '/offerlab/failover' && req.method === 'POST') {
      const down = parseDuration(url.searchParams.get('down') ?? '10s');
      if (down === undefined) return void res.writeHead(400, TEXT).end('down must be a duration such as 10s');
      // Answer first: the failover closes this master's sockets, the one asking included.
      res.once('finish', () => this.failover(down));
      return void res
        .writeHead(202, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ failover: true, downMs: down }));
    }
    if (path === '/offerlab/agent-loss' && req.method === 'POST') {
      const hostname = url.searchParams.get('hostname') ?? '';
      return void (this.agentLoss(hostname)
        ? res
            .writeHead(202, { 'content-type': 'application/json' })
            .end(JSON.stringify({ removed: hostname }))
        : res.writeHead(404, TEXT).end(`no agent named "${hostname}"`));
    }
    if (path === '/offerlab/machines' || path.startsWith('/offerlab/machines/'))
      return this.#machineOrder(req, res, path);
    if (path === '/offerlab/status') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          leader: this.#leader === undefined ? null : this.urls()[this.#leader],
          masters: this.urls(),
          simulatedMs: this.runner.now(),
        }),
      );
    }
    res.writeHead(404, TEXT).end(`no such endpoint: ${path}`);
  }

  /** `POST /offerlab/machines` (see `machines.ts`) and `DELETE /offerlab/machines/<hostname>`. */
  async #machineOrder(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const json = { 'content-type': 'application/json' };
    const answer = (result: ProvisionResult, ok: number, what: Record<string, string>) =>
      result.ok
        ? res.writeHead(ok, json).end(JSON.stringify(what))
        : res.writeHead(409, TEXT).end(result.message);
    if (req.method === 'DELETE' && path.startsWith('/offerlab/machines/')) {
      await drain(req);
      const hostname = safeDecode(path.slice('/offerlab/machines/'.length));
      const request: NodeRequest = {
        pool: '',
        hostname,
        template: { cpus: 0, mem: 0, disk: 0, ports: '', attributes: {} },
      };
      this.#machineDelays.delete(hostname);
      this.runner.run(() => this.#machines.destroy(request, (r) => answer(r, 200, { destroyed: hostname })));
      return;
    }
    if (req.method !== 'POST' || path !== '/offerlab/machines') {
      await drain(req);
      return void res.writeHead(405, { ...TEXT, allow: 'POST, DELETE' }).end();
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(await readBody(req, 64 * 1024)).toString('utf8'));
    } catch (err) {
      return void res.writeHead(400, TEXT).end(`the body must be JSON: ${(err as Error).message}`);
    }
    const order = parseMachineOrder(body);
    if (typeof order === 'string') return void res.writeHead(400, TEXT).end(order);
    this.#machineDelays.set(order.request.hostname, order.delays);
    this.runner.run(() =>
      this.#machines.provision(order.request, (r) => answer(r, 201, { booted: order.request.hostname })),
    );
  }

  /**
   * `GET /agents/<agent id>/monitor/statistics`: what that agent's `/monitor/statistics` would
   * answer (mesos-v1-protocol.md §8.3), at the current simulated time. Agents run whichever
   * master leads, so every master answers it, followers and leaderless masters included; an
   * unknown or removed agent is a 404.
   */
  async #agentMonitor(req: IncomingMessage, res: ServerResponse, agentId: string): Promise<void> {
    await drain(req);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return void res.writeHead(405, { ...TEXT, allow: 'GET' }).end();
    const samples = this.runner.run(() => this.master.agentUsage(agentId));
    if (samples === undefined) return void res.writeHead(404, TEXT).end(`no agent with id "${agentId}"`);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(monitorStatistics(samples)));
  }

  #leaderListener(): Listener | undefined {
    return this.#leader === undefined ? undefined : this.#listeners[this.#leader];
  }

  /** A follower answers 307 to the leader (or 503 with no leader); true when this master leads. */
  #redirectIfFollower(index: number, res: ServerResponse, target: string): boolean {
    if (this.#leader === index) return true;
    const leader = this.#leaderListener();
    if (!leader) res.writeHead(503, TEXT).end('No leader elected');
    else res.writeHead(307, { location: `//${leader.host}:${leader.port}${target}` }).end();
    return false;
  }

  /** The flags a real master started like this one would list in `/master/state`. */
  #flags(): Record<string, string> {
    const timing = this.master.cs.timing;
    const authenticate = this.#opts.credentials ? 'true' : 'false';
    return {
      allocation_interval: `${timing.allocationIntervalMs / 1000}secs`,
      authenticate_http_frameworks: authenticate,
      authenticate_frameworks: authenticate,
      http_framework_authenticators: 'basic',
      port: String(this.#listeners[0]?.port ?? 5050),
      roles: '',
      work_dir: '',
    };
  }

  /**
   * The authenticated principal; `undefined` when the master does not authenticate frameworks,
   * `false` when the credentials are missing or wrong.
   */
  #principal(req: IncomingMessage): string | undefined | false {
    const credentials = this.#opts.credentials;
    if (!credentials) return undefined;
    const header = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!m) return false;
    const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return false;
    const principal = text.slice(0, colon);
    const expected = credentials.get(principal);
    if (expected === undefined) return false;
    const a = Buffer.from(text.slice(colon + 1));
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b) ? principal : false;
  }

  async #scheduler(index: number, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const principal = this.#principal(req);
    if (principal === false) {
      return void res
        .writeHead(401, { ...TEXT, 'www-authenticate': 'Basic realm="mesos-master-scheduler"' })
        .end();
    }
    if (!this.#redirectIfFollower(index, res, `/master/api/v1/scheduler${url.search}`)) {
      await drain(req);
      return;
    }
    if (req.method !== 'POST') {
      await drain(req);
      return void res.writeHead(405, { ...TEXT, allow: 'POST' }).end();
    }
    const contentType = req.headers['content-type'];
    if (contentType === undefined) {
      await drain(req);
      return void res.writeHead(400, TEXT).end("Expecting 'Content-Type' to be present");
    }
    const format = formatOfContentType(contentType);
    if (format === undefined) {
      await drain(req);
      return void res
        .writeHead(415, TEXT)
        .end(`Expecting 'Content-Type' of application/json or application/x-protobuf`);
    }
    let call: Call;
    try {
      const body = await readBody(req, this.#opts.bodyLimit ?? 16 * 1024 * 1024);
      call = codecFor(format).decodeCall(body);
    } catch (err) {
      if (err instanceof CallRejected) return void res.writeHead(err.status, TEXT).end(err.message);
      if (err instanceof BodyTooLarge) return void res.writeHead(413, TEXT).end(err.message);
      throw err;
    }
    const invalid = validateCall(call as Call & Record<string, unknown>);
    if (invalid !== undefined)
      return void res.writeHead(400, TEXT).end(`Failed to validate scheduler::Call: ${invalid}`);
    if ((call.type as string) === 'UNKNOWN') return void res.writeHead(501, TEXT).end();
    if (call.type === 'SUBSCRIBE') return this.#subscribe(req, res, call, principal);
    const streamId = req.headers['mesos-stream-id'];
    const result = this.runner.run(() =>
      this.master.call(typeof streamId === 'string' ? streamId : undefined, call, principal),
    );
    if (result.ok) return void res.writeHead(result.status ?? 202).end();
    res.writeHead(result.status, TEXT).end(result.message);
  }

  #subscribe(
    req: IncomingMessage,
    res: ServerResponse,
    call: SubscribeCall,
    principal: string | undefined,
  ): void {
    const format = negotiate(req.headers.accept);
    if (format === undefined) return void res.writeHead(406, TEXT).end();
    if (req.headers['mesos-stream-id'] !== undefined) {
      return void res
        .writeHead(400, TEXT)
        .end("Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    const codec = codecFor(format);
    // Events the master gives while it decides on the SUBSCRIBE wait until the 200 is written:
    // a refused call is answered with its 4xx and no stream at all.
    let early: Uint8Array[] | undefined = [];
    let endEarly = false;
    const conn: Connection = {
      streamId: randomUUID(),
      open: true,
      deliver: (event) => {
        if (!conn.open || res.writableEnded) return;
        const record = encodeRecord(codec.encodeEvent(event));
        if (early) return void early.push(record);
        // Events given in one turn (a launch's updates, an allocation's offers) leave in one write.
        if (res.writableCorked === 0) {
          res.cork();
          process.nextTick(() => res.uncork());
        }
        res.write(record);
      },
      close: () => {
        if (!conn.open) return;
        conn.open = false;
        if (early) endEarly = true;
        else res.end();
      },
    };
    const result = this.runner.run(() => {
      this.#startTimeline();
      return this.master.subscribe(conn, call, principal);
    });
    if (!result.ok) {
      conn.open = false;
      return void res.writeHead(result.status, TEXT).end(result.message);
    }
    res.writeHead(200, {
      'content-type': codec.contentType,
      'mesos-stream-id': conn.streamId,
      'cache-control': 'no-cache',
    });
    for (const record of early) res.write(record);
    early = undefined;
    if (endEarly) return void res.end();
    res.flushHeaders();
    res.on('close', () => {
      if (!conn.open) return;
      this.runner.run(() => this.master.disconnect(conn));
    });
    this.#opts.log?.(`framework ${conn.frameworkId ?? '?'} subscribed (${format})`);
  }
}

class BodyTooLarge extends Error {}

/**
 * The whole request body. Plain 'data'/'end' listeners: an async iterator over the request costs
 * about a tenth of a millisecond per call, which shows in the offer-to-ACCEPT latency.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once('end', () =>
      size > limit
        ? reject(new BodyTooLarge(`request body over ${limit} bytes`))
        : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
    );
    req.once('error', reject);
  });
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A path segment percent-decoded; undecodable text is kept as it is (and names no agent). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** An IPv4 address as MasterInfo.ip holds it: the four bytes in network order read as a little-endian uint32. */
function ipv4ToMesos(host: string): number {
  const parts = host.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 16777343;
  return (
    ((parts[3] as number) * 2 ** 24 +
      (parts[2] as number) * 2 ** 16 +
      (parts[1] as number) * 256 +
      (parts[0] as number)) >>>
    0
  );
}
