import type {
  Address,
  Attribute,
  Offer,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TaskStatusSource,
  Url,
} from '../../src/core/mesos/v1.ts';
import { type Resources, resourcesToMesos } from '../../src/core/model/resources.ts';
import type { SimAgent, SimFramework, SimOffer } from './types.ts';

const NUMBER = /^-?\d+(\.\d+)?$/;
const RANGES = /^\[\s*\d+\s*-\s*\d+\s*(,\s*\d+\s*-\s*\d+\s*)*\]$/;
const SET = /^\{(.*)\}$/;

/**
 * Agent attributes the way Mesos parses `--attributes`: numbers become SCALAR, `[a-b, c-d]`
 * RANGES, `{x, y}` SET and everything else TEXT.
 */
export function attributesToMesos(attributes: Readonly<Record<string, string>>): Attribute[] {
  return Object.entries(attributes).map(([name, value]): Attribute => {
    if (NUMBER.test(value)) return { name, type: 'SCALAR', scalar: { value: Number(value) } };
    if (RANGES.test(value)) {
      const range = [...value.matchAll(/(\d+)\s*-\s*(\d+)/g)].map((m) => ({
        begin: Number(m[1]),
        end: Number(m[2]),
      }));
      return { name, type: 'RANGES', ranges: { range } };
    }
    const set = SET.exec(value);
    if (set) {
      const item = (set[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      return { name, type: 'SET', set: { item } };
    }
    return { name, type: 'TEXT', text: { value } };
  });
}

/** The 10.x address the simulation gives the n-th agent. */
export function agentIp(agent: SimAgent): string {
  const n = Number(agent.id.slice(agent.id.lastIndexOf('S') + 1)) + 1;
  return `10.0.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * The URL an agent's endpoints hang off (Offer.url): in a real cluster the agent's own
 * `http://<hostname>:5051/slave(1)`; when the master serves the agents' endpoints (the fake
 * master), `http://<master>/agents/<agent id>`. Either way `<url>/monitor/statistics` is the
 * agent's usage endpoint (mesos-v1-protocol.md §8.3).
 */
export function agentUrl(agent: SimAgent, servedAt: Address | undefined): Url {
  if (servedAt !== undefined)
    return { scheme: 'http', address: { ...servedAt }, path: `/agents/${agent.id}` };
  return {
    scheme: 'http',
    address: { hostname: agent.hostname, ip: agentIp(agent), port: 5051 },
    path: '/slave(1)',
  };
}

export function offerToMesos(
  offer: SimOffer,
  agent: SimAgent,
  framework: SimFramework,
  role: string,
  servedAt?: Address,
): Offer {
  return {
    id: { value: offer.id },
    framework_id: { value: framework.id },
    agent_id: { value: agent.id },
    hostname: agent.hostname,
    url: agentUrl(agent, servedAt),
    resources: mesosResources(offer.resources, role),
    attributes: attributesToMesos(agent.attributes),
    allocation_info: { role },
  };
}

export function mesosResources(r: Resources, role: string) {
  return resourcesToMesos(r, '*', role);
}

export function status(
  taskId: string,
  state: TaskState,
  fields: {
    source: TaskStatusSource;
    agentId?: string;
    reason?: TaskStatusReason;
    message?: string;
    uuid?: string;
    executorId?: string;
    timestamp: number;
  },
): TaskStatus {
  const s: TaskStatus = { task_id: { value: taskId }, state, source: fields.source };
  if (fields.message !== undefined) s.message = fields.message;
  if (fields.reason !== undefined) s.reason = fields.reason;
  if (fields.agentId !== undefined) s.agent_id = { value: fields.agentId };
  if (fields.executorId !== undefined) s.executor_id = { value: fields.executorId };
  s.timestamp = fields.timestamp;
  if (fields.uuid !== undefined) s.uuid = fields.uuid;
  return s;
}
