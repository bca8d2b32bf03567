import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Scalars } from '../../core/model/resources.ts';
import type { AgentRecord } from '../../core/scheduler/state.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, notFound } from '../errors.ts';
import {
  checkPatchBody,
  checkQuery,
  findAgent,
  isoTime,
  type NodeTracker,
  nodeTracker,
  scalars,
  sumScalars,
  ZERO,
} from '../node-views.ts';
import { agentsInOrder, type TaskView, tasksOn, taskView } from '../views.ts';

/** A node as Scale's `GET /nodes/` shows it. offerlab's node id is the Mesos agent id. */
export interface ScaleNode {
  id: string;
  hostname: string;
  /** The agent's port (Mesos' 5051 unless configured otherwise), when its offers named it. */
  port: number | null;
  slave_id: string;
  pause_reason: string | null;
  is_paused: boolean;
  /** Scale paused nodes with a high error rate by itself; offerlab never does. */
  is_paused_errors: boolean;
  is_active: boolean;
  archived: string | null;
  created: string | null;
  last_offer: string | null;
  last_modified: string | null;
}

export interface ScaleResources {
  total: Scalars;
  scheduled: Scalars;
  used: Scalars;
}

export interface ScaleNodeDetails extends ScaleNode {
  resources: ScaleResources;
  /** offerlab's launched tasks on the node, as `GET /client/task` shows them. */
  job_exes_running: TaskView[];
}

export interface ScaleStatus {
  master: { hostname: string; port: number; is_online: boolean };
  scheduler: { hostname: string; is_online: boolean; is_paused: boolean };
  queue_depth: number;
  resources: ScaleResources;
}

const SCALARS_SCHEMA = {
  type: 'object',
  properties: { cpus: { type: 'number' }, mem: { type: 'number' }, disk: { type: 'number' } },
  required: ['cpus', 'mem', 'disk'],
} as const;

/** `GET /status/` as a response schema: documents it, and serializes it fast. */
const STATUS_SCHEMA = {
  type: 'object',
  properties: {
    master: {
      type: 'object',
      properties: { hostname: { type: 'string' }, port: { type: 'integer' }, is_online: { type: 'boolean' } },
      required: ['hostname', 'port', 'is_online'],
    },
    scheduler: {
      type: 'object',
      properties: {
        hostname: { type: 'string' },
        is_online: { type: 'boolean' },
        is_paused: { type: 'boolean' },
      },
      required: ['hostname', 'is_online', 'is_paused'],
    },
    queue_depth: { type: 'integer' },
    resources: {
      type: 'object',
      properties: { total: SCALARS_SCHEMA, scheduled: SCALARS_SCHEMA, used: SCALARS_SCHEMA },
      required: ['total', 'scheduled', 'used'],
    },
  },
  required: ['master', 'scheduler', 'queue_depth', 'resources'],
} as const;

const SCHEDULER_FIELDS = ['is_paused'] as const;
const NODE_FIELDS = ['is_paused', 'pause_reason'] as const;
const NODE_LIST_QUERY = ['page', 'page_size', 'include_inactive'] as const;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_REASON_LENGTH = 1000;

const schedulerPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { is_paused: { type: 'boolean' } },
} as const;

const nodePatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    is_paused: { type: 'boolean' },
    pause_reason: { type: ['string', 'null'], maxLength: MAX_REASON_LENGTH },
  },
} as const;

/**
 * NGA Scale's scheduler and node services (`scale/docs/interface/rest/{scheduler,node}.rst`):
 * the scheduler-wide pause, system status, and nodes with their own pause. A node pause is an
 * offerlab hold; the scheduler pause is a separate switch in the core, so unpausing the scheduler
 * leaves every node paused or not as it was.
 */
export function scaleRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    const tracker = nodeTracker(daemon);

    app.get('/scheduler/', async (req) => {
      checkQuery(req.query, []);
      return { is_paused: daemon.state.paused };
    });

    app.patch<{ Body: { is_paused?: boolean } }>(
      '/scheduler/',
      {
        schema: { body: schedulerPatchSchema },
        preValidation: async (req) => {
          checkQuery(req.query, []);
          checkPatchBody(req.body, SCHEDULER_FIELDS);
        },
      },
      async (req, reply) => {
        const { is_paused } = req.body;
        if (is_paused !== undefined) await daemon.change({ type: 'pause', paused: is_paused });
        return reply.code(201).header('location', '/scheduler/').send({ is_paused: daemon.state.paused });
      },
    );

    let cached: { version: number; status: ScaleStatus } | undefined;
    app.get(
      '/status/',
      { schema: { response: { 200: STATUS_SCHEMA } } },
      async (req): Promise<ScaleStatus> => {
        checkQuery(req.query, []);
        // Monitoring polls this; between two scheduler steps the answer cannot change.
        if (cached?.version !== daemon.driver.steps)
          cached = { version: daemon.driver.steps, status: scaleStatus(daemon) };
        return cached.status;
      },
    );

    app.get('/nodes/', async (req) => {
      const q = checkQuery(req.query, NODE_LIST_QUERY);
      const page = q.page === undefined ? 1 : positiveInt('page', q.page);
      const size = q.page_size === undefined ? DEFAULT_PAGE_SIZE : positiveInt('page_size', q.page_size);
      if (size > MAX_PAGE_SIZE) throw badRequest(`page_size must be from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
      if (q.include_inactive !== undefined && q.include_inactive !== 'true' && q.include_inactive !== 'false')
        throw badRequest(`include_inactive must be true or false, got "${q.include_inactive}"`);
      // offerlab forgets agents Mesos removed, so include_inactive lists the same (active) nodes.
      const nodes = agentsInOrder(daemon.state);
      const pages = Math.max(1, Math.ceil(nodes.length / size));
      if (page > pages)
        throw notFound(`page ${page} (there ${pages === 1 ? 'is 1 page' : `are ${pages} pages`})`);
      const link = (p: number) => pageUrl(req, p, size, q.include_inactive);
      return {
        count: nodes.length,
        next: page < pages ? link(page + 1) : null,
        previous: page > 1 ? link(page - 1) : null,
        results: nodes.slice((page - 1) * size, page * size).map((a) => scaleNode(daemon, tracker, a)),
      };
    });

    app.get<{ Params: { id: string } }>('/nodes/:id/', async (req): Promise<ScaleNodeDetails> => {
      checkQuery(req.query, []);
      return nodeDetails(daemon, tracker, lookup(daemon, req.params.id));
    });

    app.patch<{ Params: { id: string }; Body: { is_paused?: boolean; pause_reason?: string | null } }>(
      '/nodes/:id/',
      {
        schema: { body: nodePatchSchema },
        preValidation: async (req) => {
          checkQuery(req.query, []);
          lookup(daemon, req.params.id);
          checkPatchBody(req.body, NODE_FIELDS);
        },
      },
      async (req, reply) => {
        const agent = lookup(daemon, req.params.id);
        const { is_paused, pause_reason } = req.body;
        const paused = is_paused ?? agent.held;
        if (!paused && typeof pause_reason === 'string')
          throw badRequest('pause_reason applies only to a paused node; send it with is_paused: true');
        if (paused) {
          // A reason given replaces the old one, none keeps it, null goes back to the default.
          let reason: string | undefined;
          if (typeof pause_reason === 'string') reason = pause_reason;
          else if (pause_reason === undefined && agent.held) reason = agent.holdReason;
          if (!agent.held || pause_reason !== undefined)
            await daemon.change({
              type: 'hold',
              hostname: agent.hostname,
              held: true,
              ...(reason !== undefined ? { reason } : {}),
            });
        } else if (agent.held) {
          await daemon.change({ type: 'hold', hostname: agent.hostname, held: false });
        }
        const now = lookup(daemon, agent.id);
        return reply
          .code(201)
          .header('location', `/nodes/${encodeURIComponent(now.id)}/`)
          .send(nodeDetails(daemon, tracker, now));
      },
    );
  };
}

function lookup(daemon: Daemon, id: string): AgentRecord {
  const agent = findAgent(daemon.state, id);
  if (!agent) throw notFound(`node ${id}`);
  return agent;
}

export function scaleNode(daemon: Daemon, tracker: NodeTracker, agent: AgentRecord): ScaleNode {
  return {
    id: agent.id,
    hostname: agent.hostname,
    port: agent.url?.port ?? null,
    slave_id: agent.id,
    pause_reason: agent.held ? (agent.holdReason ?? null) : null,
    is_paused: agent.held,
    is_paused_errors: false,
    is_active: true,
    archived: null,
    created: isoTime(daemon, agent.firstSeenAt),
    last_offer: isoTime(daemon, agent.lastOfferAt),
    last_modified: isoTime(daemon, tracker.lastModified(agent)),
  };
}

function nodeDetails(daemon: Daemon, tracker: NodeTracker, agent: AgentRecord): ScaleNodeDetails {
  return {
    ...scaleNode(daemon, tracker, agent),
    resources: {
      total: scalars(agent.capacity),
      scheduled: scalars(agent.used),
      // Measured usage comes with metering (a later issue).
      used: { ...ZERO },
    },
    job_exes_running: tasksOn(daemon.state, agent).map(taskView),
  };
}

/**
 * The leading master as Mesos named it when offerlab subscribed, else the first master offerlab
 * was given.
 */
/** Scale's `/status/` document for the daemon's current state. */
function scaleStatus(daemon: Daemon): ScaleStatus {
  const state = daemon.state;
  const agents = [...state.agents.values()];
  const subscribed = state.framework.subscribed;
  return {
    master: { ...masterAddress(daemon), is_online: subscribed },
    scheduler: {
      hostname: state.config.hostname ?? '',
      is_online: subscribed && daemon.fatal === undefined,
      is_paused: state.paused,
    },
    queue_depth: state.pending.size,
    resources: {
      total: sumScalars(agents.map((a) => a.capacity)),
      scheduled: sumScalars(agents.map((a) => a.used)),
      // Measured usage comes with metering (a later issue); like Scale's own 2015 API, zeros.
      used: { ...ZERO },
    },
  };
}

function masterAddress(daemon: Daemon): { hostname: string; port: number } {
  const info = daemon.state.framework.masterInfo;
  if (info) {
    const hostname = info.hostname ?? info.address?.hostname ?? info.address?.ip ?? ipv4(info.ip);
    return { hostname, port: info.port };
  }
  const first = daemon.masters[0];
  if (first === undefined) return { hostname: '', port: 5050 };
  try {
    const url = new URL(first.includes('://') ? first : `http://${first}`);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { hostname: url.hostname, port };
  } catch {
    return { hostname: first, port: 5050 };
  }
}

/** MasterInfo.ip: an IPv4 address in network byte order, as a little-endian uint32. */
function ipv4(ip: number): string {
  return [ip & 255, (ip >>> 8) & 255, (ip >>> 16) & 255, (ip >>> 24) & 255].join('.');
}

function positiveInt(name: string, value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw badRequest(`${name} must be a positive integer, got "${value}"`);
  return Number(value);
}

/** An absolute link to another page of the node list, as Django REST framework gives them. */
function pageUrl(
  req: FastifyRequest,
  page: number,
  size: number,
  includeInactive: string | undefined,
): string {
  const params = new URLSearchParams({ page: String(page), page_size: String(size) });
  if (includeInactive !== undefined) params.set('include_inactive', includeInactive);
  return `${req.protocol}://${req.host}/nodes/?${params}`;
}
