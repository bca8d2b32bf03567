import type {
  Address,
  Call,
  FrameworkInfo,
  SubscribeCall,
  UpdateFrameworkCall,
} from '../../src/core/mesos/v1.ts';
import { cloneResources } from '../../src/core/model/resources.ts';
import type { Random } from '../../src/core/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import { releaseTask, resumeUpdates } from './agent-runtime.ts';
import { markAllDirty, markDirty, removeOffer } from './allocator.ts';
import { accept, acknowledge, decline, kill, reconcile } from './calls.ts';
import { type ClusterState, createClusterState, taskKey } from './cluster-state.ts';
import { uuidFrom } from './ids.ts';
import {
  type AgentSpec,
  type ClusterObserver,
  type ClusterTiming,
  type Connection,
  DEFAULT_TIMING,
  type SimAgent,
  type SimFramework,
} from './types.ts';
import { agentSamples, type UsageSample } from './usage.ts';
import { status } from './v1-shapes.ts';
import { frameworkInfoProblem, frameworkRoles, validateCall } from './validation.ts';

/**
 * Result of a call at the HTTP level: accepted (202, or 200 for the synchronous UPDATE_FRAMEWORK),
 * or the status and message the real master would give.
 */
export type CallResult =
  | { ok: true; status?: 200 }
  | { ok: false; status: 400 | 403 | 404 | 503; message: string };

export interface MasterOptions {
  readonly timing?: Partial<ClusterTiming>;
  readonly observer?: ClusterObserver;
  /** Wall-clock epoch that simulated time 0 stands for (status timestamps). */
  readonly epochMs?: number;
}

const DEFAULT_EPOCH_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/**
 * The simulated Mesos master and its agents: frameworks subscribe over a `Connection`, calls
 * arrive already decoded, and everything the real master would send comes back as v1 events.
 * Semantics follow ../shared/reference/mesos-v1-protocol.md (see ARCHITECTURE.md for what is
 * modelled and what is not).
 */
export class SimMaster {
  readonly cs: ClusterState;
  /** Where the leading master listens, as SUBSCRIBED's `master_info` reports it. */
  address: { hostname: string; ip: number; port: number } = {
    hostname: 'localhost',
    ip: 16777343,
    port: 5050,
  };

  constructor(sim: Simulation, random: Random, opts: MasterOptions = {}) {
    this.cs = createClusterState(
      sim,
      { ...DEFAULT_TIMING, ...opts.timing },
      random,
      opts.observer ?? {},
      opts.epochMs ?? DEFAULT_EPOCH_MS,
    );
  }

  get masterId(): string {
    return this.cs.masterId;
  }

  get leading(): boolean {
    return this.cs.leading;
  }

  // ---- agents ------------------------------------------------------------------------------

  /** Registers a new agent; it is offered at the next allocation. */
  addAgent(spec: AgentSpec): SimAgent {
    const cs = this.cs;
    const agent: SimAgent = {
      id: `${cs.masterId}-S${cs.agentSeq++}`,
      hostname: spec.hostname,
      total: cloneResources(spec.resources),
      attributes: { ...spec.attributes },
      free: cloneResources(spec.resources),
      tasks: new Map(),
      updates: new Map(),
      retry: new Map(),
      removed: false,
      registeredAt: cs.sim.now(),
    };
    cs.agents.set(agent.id, agent);
    cs.observer.agentAdded?.(agent);
    markDirty(cs, agent.id);
    return agent;
  }

  agentByHostname(hostname: string): SimAgent | undefined {
    for (const a of this.cs.agents.values()) if (a.hostname === hostname && !a.removed) return a;
    return undefined;
  }

  /**
   * The agent is gone (machine died, removed from the cluster): its offers are rescinded, every
   * non-terminal task gets TASK_LOST (REASON_AGENT_REMOVED, from the master, no uuid), and every
   * framework gets FAILURE with the agent id.
   */
  removeAgent(agentId: string, reason = 'agent removed'): void {
    const cs = this.cs;
    const agent = cs.agents.get(agentId);
    if (!agent || agent.removed) return;
    for (const offer of [...cs.offers.values()]) {
      if (offer.agentId !== agentId) continue;
      cs.offers.delete(offer.id);
      const fw = cs.frameworks.get(offer.frameworkId);
      fw?.offers.delete(offer.id);
      fw?.connection?.deliver({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
    }
    agent.removed = true;
    for (const task of agent.tasks.values()) {
      const fw = cs.frameworks.get(task.frameworkId);
      const known = task.forwardedState ?? 'TASK_STAGING';
      if (
        ![
          'TASK_FINISHED',
          'TASK_FAILED',
          'TASK_KILLED',
          'TASK_LOST',
          'TASK_ERROR',
          'TASK_DROPPED',
          'TASK_GONE',
        ].includes(known)
      ) {
        fw?.connection?.deliver({
          type: 'UPDATE',
          update: {
            status: status(task.id, 'TASK_LOST', {
              source: 'SOURCE_MASTER',
              reason: 'REASON_AGENT_REMOVED',
              message: `Agent ${agent.hostname} removed: ${reason}`,
              agentId: agent.id,
              timestamp: (cs.epochMs + cs.sim.now()) / 1000,
            }),
          },
        });
      }
      releaseTask(cs, agent, task);
      cs.tasks.delete(taskKey(task.frameworkId, task.id));
    }
    agent.tasks.clear();
    agent.updates.clear();
    agent.retry.clear();
    for (const fw of cs.frameworks.values()) {
      fw.filters.delete(agentId);
      fw.connection?.deliver({ type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
    cs.observer.agentRemoved?.(agent, reason);
  }

  /**
   * Serve the agents' endpoints at this address, under `/agents/<agent id>` (the fake master
   * does, since simulated agents have no ports): offers from now on carry that as their `url`.
   * Undefined (the default) gives real agents' URLs, `http://<hostname>:5051/slave(1)`.
   */
  serveAgentsAt(address: Address | undefined): void {
    if (address === undefined) delete this.cs.agentsServedAt;
    else this.cs.agentsServedAt = { ...address };
  }

  // ---- usage ---------------------------------------------------------------------------------

  /**
   * Usage readings of every running task at the current simulated time, agents in registration
   * order and each agent's tasks in launch order (see `UsageSample` for units and the cpu split).
   */
  usageSamples(): UsageSample[] {
    const out: UsageSample[] = [];
    for (const agent of this.cs.agents.values())
      if (!agent.removed) out.push(...agentSamples(this.cs, agent));
    return out;
  }

  /** The readings of one agent's running tasks; undefined for an unknown or removed agent. */
  agentUsage(agentId: string): UsageSample[] | undefined {
    const agent = this.cs.agents.get(agentId);
    return agent === undefined || agent.removed ? undefined : agentSamples(this.cs, agent);
  }

  // ---- leader ------------------------------------------------------------------------------

  /**
   * The leading master fails: every subscription stream is cut, outstanding offers vanish,
   * frameworks are unknown to the next leader until they resubscribe. After `downMs` a new
   * leader (new master id) takes over; agents and their tasks survive.
   */
  failover(downMs: number): void {
    const cs = this.cs;
    if (!cs.leading) return;
    cs.leading = false;
    cs.epoch++;
    for (const offerId of [...cs.offers.keys()]) removeOffer(cs, offerId);
    for (const fw of cs.frameworks.values()) {
      fw.registered = false;
      fw.suppressed = false;
      fw.filters.clear();
      const conn = fw.connection;
      delete fw.connection;
      conn?.close('master failover: the stream was cut');
    }
    cs.sim.after(downMs, () => {
      cs.masterId = uuidFrom(cs.random.ids);
      cs.leading = true;
      cs.electedAt = cs.sim.now();
      markAllDirty(cs);
    });
  }

  // ---- frameworks ----------------------------------------------------------------------------

  /**
   * SUBSCRIBE on a new stream. Call-level problems come back as an HTTP-style result; problems
   * with the FrameworkInfo are answered on the stream with ERROR, then the stream closes.
   * `authenticated` is the HTTP principal when the master authenticates frameworks.
   */
  subscribe(conn: Connection, call: SubscribeCall, authenticated?: string): CallResult {
    const cs = this.cs;
    if (!cs.leading) return { ok: false, status: 503, message: 'No leader elected' };
    const invalid = validateCall(call as SubscribeCall & Record<string, unknown>);
    if (invalid !== undefined)
      return { ok: false, status: 400, message: `Failed to validate scheduler::Call: ${invalid}` };
    const given = call.subscribe.framework_info;
    if (authenticated !== undefined && given.principal !== undefined && given.principal !== authenticated)
      return {
        ok: false,
        status: 400,
        message: `Authenticated principal '${authenticated}' does not match principal '${given.principal}' set in \`FrameworkInfo\``,
      };
    const info: FrameworkInfo =
      given.principal === undefined && authenticated !== undefined
        ? { ...given, principal: authenticated }
        : given;
    const infoId = info.id?.value;
    const refuse = (message: string): CallResult => {
      conn.deliver({ type: 'ERROR', error: { message } });
      conn.close(message);
      return { ok: true };
    };
    if (!info.user || !info.name)
      return {
        ok: false,
        status: 400,
        message:
          'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name',
      };
    const problem = frameworkInfoProblem(info, call.subscribe.suppressed_roles);
    if (problem !== undefined) return refuse(problem);
    const caps = new Set((info.capabilities ?? []).map((c) => c.type));
    if (infoId !== undefined && cs.completed.has(infoId)) return refuse('Framework has been removed');
    let fw = infoId === undefined ? undefined : cs.frameworks.get(infoId);
    if (fw && fw.info.principal !== info.principal)
      return refuse(
        `Changing framework's principal is not allowed (from '${fw.info.principal ?? ''}' to '${info.principal ?? ''}')`,
      );
    if (fw) {
      const old = fw.connection;
      if (old?.open && old !== conn) {
        old.deliver({ type: 'ERROR', error: { message: 'Framework failed over' } });
        old.close('Framework failed over');
      }
      // Offers of the old session are discarded without RESCIND.
      for (const offerId of [...fw.offers]) removeOffer(cs, offerId);
      // A resubscription may change FrameworkInfo like UPDATE_FRAMEWORK, except user and checkpoint.
      fw.info = { ...info, user: fw.info.user, checkpoint: fw.info.checkpoint ?? false };
      fw.partitionAware = caps.has('PARTITION_AWARE');
      fw.killingState = caps.has('TASK_KILLING_STATE');
    } else {
      const id = infoId ?? `${cs.masterId}-${String(cs.frameworkSeq++).padStart(4, '0')}`;
      fw = {
        id,
        info: { ...info, id: { value: id } },
        registered: true,
        suppressed: false,
        partitionAware: caps.has('PARTITION_AWARE'),
        killingState: caps.has('TASK_KILLING_STATE'),
        filters: new Map(),
        offers: new Set(),
        removed: false,
        registeredAt: cs.sim.now(),
      };
      cs.frameworks.set(id, fw);
    }
    fw.registered = true;
    fw.suppressed = (call.subscribe.suppressed_roles ?? []).length > 0;
    delete fw.disconnectedAt;
    fw.connection = conn;
    conn.frameworkId = fw.id;
    conn.deliver({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: fw.id },
        heartbeat_interval_seconds: cs.timing.heartbeatIntervalMs / 1000,
        master_info: { id: cs.masterId, ...this.address, version: '1.11.0' },
      },
    });
    conn.deliver({ type: 'HEARTBEAT' });
    this.#heartbeats(conn, cs.epoch);
    resumeUpdates(cs, fw.id);
    markAllDirty(cs);
    return { ok: true };
  }

  #heartbeats(conn: Connection, epoch: number): void {
    const cs = this.cs;
    cs.sim.after(cs.timing.heartbeatIntervalMs, () => {
      if (!conn.open || cs.epoch !== epoch || !cs.leading) return;
      conn.deliver({ type: 'HEARTBEAT' });
      this.#heartbeats(conn, epoch);
    });
  }

  /** The scheduler closed its subscription stream: offers are rescinded, the failover timer starts. */
  disconnect(conn: Connection): void {
    const cs = this.cs;
    conn.open = false;
    const fw = conn.frameworkId === undefined ? undefined : cs.frameworks.get(conn.frameworkId);
    if (!fw || fw.connection !== conn) return;
    delete fw.connection;
    fw.disconnectedAt = cs.sim.now();
    for (const offerId of [...fw.offers]) removeOffer(cs, offerId);
    const timeoutMs = (fw.info.failover_timeout ?? 0) * 1000;
    const since = fw.disconnectedAt;
    cs.sim.after(timeoutMs, () => {
      if (fw.connection === undefined && fw.disconnectedAt === since && !fw.removed)
        this.#removeFramework(fw);
    });
  }

  /**
   * Any call other than SUBSCRIBE, checked the way the master's HTTP handler checks it.
   * `authenticated` is the HTTP principal when the master authenticates frameworks.
   */
  call(streamId: string | undefined, call: Call, authenticated?: string): CallResult {
    const cs = this.cs;
    if (!cs.leading) return { ok: false, status: 503, message: 'No leader elected' };
    if (call.type === 'SUBSCRIBE') return { ok: false, status: 400, message: 'SUBSCRIBE must open a stream' };
    const invalid = validateCall(call as Call & Record<string, unknown>);
    if (invalid !== undefined)
      return { ok: false, status: 400, message: `Failed to validate scheduler::Call: ${invalid}` };
    const id = call.framework_id?.value as string;
    const fw = cs.frameworks.get(id);
    if (!fw || fw.removed || !fw.registered)
      return { ok: false, status: 400, message: 'Framework cannot be found' };
    if (authenticated !== undefined && authenticated !== fw.info.principal)
      return {
        ok: false,
        status: 400,
        message: `Authenticated principal '${authenticated}' does not match principal '${fw.info.principal ?? ''}' of framework ${id}`,
      };
    if (!fw.connection?.open) return { ok: false, status: 403, message: 'Framework is not subscribed' };
    if (streamId === undefined)
      return {
        ok: false,
        status: 400,
        message: 'All non-subscribe calls should include the Mesos-Stream-Id header',
      };
    if (streamId !== fw.connection.streamId) {
      return {
        ok: false,
        status: 400,
        message: `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${id}`,
      };
    }
    switch (call.type) {
      case 'ACCEPT':
        accept(cs, fw, call);
        break;
      case 'DECLINE':
        decline(cs, fw, call);
        break;
      case 'REVIVE':
        // A call naming a role the framework is not subscribed to is dropped as a whole.
        if (!rolesSubscribed(fw, call.revive?.roles)) break;
        fw.suppressed = false;
        fw.filters.clear();
        markAllDirty(cs);
        break;
      case 'SUPPRESS':
        if (!rolesSubscribed(fw, call.suppress?.roles)) break;
        fw.suppressed = true;
        break;
      case 'KILL':
        kill(cs, fw, call);
        break;
      case 'ACKNOWLEDGE':
        acknowledge(
          cs,
          call.acknowledge.agent_id.value,
          call.acknowledge.task_id.value,
          call.acknowledge.uuid,
        );
        break;
      case 'RECONCILE':
        reconcile(cs, fw, call);
        break;
      case 'TEARDOWN':
        this.#removeFramework(fw);
        break;
      case 'UPDATE_FRAMEWORK':
        return this.#updateFramework(fw, call);
      default:
        break; // SHUTDOWN, MESSAGE, REQUEST: nothing to do for command and Docker tasks
    }
    return { ok: true };
  }

  /**
   * UPDATE_FRAMEWORK, applied whole or not at all: user, checkpoint and principal may not change;
   * offers made to a role the framework leaves are rescinded; leaving suppression clears filters.
   */
  #updateFramework(fw: SimFramework, call: UpdateFrameworkCall): CallResult {
    const cs = this.cs;
    const info = call.update_framework.framework_info;
    const suppressed = call.update_framework.suppressed_roles ?? [];
    const refuse = (message: string): CallResult => ({ ok: false, status: 400, message });
    const problem = frameworkInfoProblem(info, suppressed);
    if (problem !== undefined) return refuse(problem);
    if (info.user !== fw.info.user) return refuse("Updating 'FrameworkInfo.user' is unsupported");
    if ((info.checkpoint ?? false) !== (fw.info.checkpoint ?? false))
      return refuse("Updating 'FrameworkInfo.checkpoint' is unsupported");
    if (info.principal !== fw.info.principal)
      return refuse("Updating 'FrameworkInfo.principal' is unsupported");
    const offerRole = frameworkRoles(fw.info)[0] ?? '*';
    const caps = new Set((info.capabilities ?? []).map((c) => c.type));
    const wasSuppressed = fw.suppressed;
    fw.info = { ...info, id: { value: fw.id } };
    fw.partitionAware = caps.has('PARTITION_AWARE');
    fw.killingState = caps.has('TASK_KILLING_STATE');
    fw.suppressed = suppressed.length > 0;
    if (!frameworkRoles(fw.info).includes(offerRole)) {
      for (const offerId of [...fw.offers]) {
        removeOffer(cs, offerId);
        fw.connection?.deliver({ type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
      }
    }
    if (wasSuppressed && !fw.suppressed) fw.filters.clear();
    markAllDirty(cs);
    return { ok: true, status: 200 };
  }

  /** TEARDOWN or failover timeout: tasks are killed without updates, the stream closes, the id is retired. */
  #removeFramework(fw: SimFramework): void {
    const cs = this.cs;
    fw.removed = true;
    cs.completed.add(fw.id);
    for (const offerId of [...fw.offers]) removeOffer(cs, offerId);
    for (const task of [...cs.tasks.values()]) {
      if (task.frameworkId !== fw.id) continue;
      const agent = cs.agents.get(task.agentId);
      task.state = 'TASK_KILLED';
      if (agent) {
        releaseTask(cs, agent, task);
        agent.tasks.delete(task.id);
        agent.updates.delete(task.id);
        agent.retry.delete(task.id);
      }
      cs.tasks.delete(taskKey(fw.id, task.id));
    }
    const conn = fw.connection;
    delete fw.connection;
    conn?.close('framework removed');
    cs.frameworks.delete(fw.id);
  }
}

/** True when every listed role is one of the framework's (an empty or absent list means all). */
function rolesSubscribed(fw: SimFramework, roles: readonly string[] | undefined): boolean {
  if (roles === undefined || roles.length === 0) return true;
  const mine = frameworkRoles(fw.info);
  return roles.every((r) => mine.includes(r));
}
