import { UsageError } from '../errors.ts';
import { type ClientOptions, outputFormat, print, printJson, withClient } from './options.ts';
import { formatTable, usedOf } from './table.ts';
import { listTasks, type TaskItem } from './task-commands.ts';

interface Scalars3 {
  cpus: number;
  mem: number;
  disk: number;
}

/** A worker node as Dynamic Cluster's `GET /workernode` answers it (the fields the client uses). */
export interface WorkerNode {
  hostname: string;
  /** 0 Inexistent, 1 Starting, 2 Idle, 3 Busy, 4 Error, 5 Deleting, 6 Holding, 7 Held. */
  state: number;
  jobs: string | null;
  extra_attributes?: {
    agent_id?: string;
    hold_reason?: string | null;
    total?: Scalars3;
    scheduled?: Scalars3;
  } | null;
}

/** Dynamic Cluster's worker-node states, by code. */
export const NODE_STATES = ['Inexistent', 'Starting', 'Idle', 'Busy', 'Error', 'Deleting', 'Holding', 'Held'];
const HELD_STATES = new Set([6, 7]);

export type NodeAction = 'hold' | 'unhold' | 'vacate';

/** `offerlab node get [HOSTNAME]`: agents with their tasks and resources. */
export async function nodeGet(hostname: string | undefined, opts: ClientOptions): Promise<void> {
  const json = outputFormat(opts) === 'json';
  const { nodes, tasks } = await withClient(opts, async (client) => {
    const path = hostname === undefined ? '/workernode' : `/workernode/${encodeURIComponent(hostname)}`;
    // The task list gives exact counts per agent (task ids may contain the commas `jobs` joins on).
    const [answer, tasks] = await Promise.all([
      client.json<WorkerNode | WorkerNode[]>('GET', path),
      json ? Promise.resolve([]) : listTasks(client),
    ]);
    return { nodes: answer, tasks };
  });
  if (json) return printJson(nodes);
  const list = Array.isArray(nodes) ? nodes : [nodes];
  if (list.length === 0) {
    process.stderr.write('No nodes (no agent has offered yet).\n');
    return;
  }
  print(nodeTable(list, tasks));
}

/** `offerlab node hold|unhold|vacate HOSTNAME`. */
export async function nodeAction(action: NodeAction, hostname: string, opts: ClientOptions): Promise<void> {
  if (hostname === '') throw new UsageError(`node ${action} needs a hostname`);
  const answer = await withClient(opts, (client) =>
    client.json<{ success?: boolean }>('PUT', `/workernode/${encodeURIComponent(hostname)}/${action}`),
  );
  if (outputFormat(opts) === 'json') return printJson(answer);
  const said = {
    hold: `node ${hostname} held: no new tasks are placed on it (its running tasks stay)`,
    unhold: `node ${hostname} unheld: tasks may be placed on it again`,
    vacate: `node ${hostname} vacated: its tasks are being killed`,
  };
  print(said[action]);
}

export function nodeTable(nodes: readonly WorkerNode[], tasks: readonly TaskItem[]): string {
  const perAgent = new Map<string, number>();
  for (const t of tasks) {
    const key = t.agent_id ?? t.agent;
    if (key != null) perAgent.set(key, (perAgent.get(key) ?? 0) + 1);
  }
  return formatTable(
    ['hostname', 'state', 'tasks', 'cpus', 'mem', 'held'],
    nodes.map((n) => {
      const extra = n.extra_attributes ?? {};
      const id = extra.agent_id;
      const count =
        (id !== undefined ? perAgent.get(id) : undefined) ??
        perAgent.get(n.hostname) ??
        (n.jobs ? n.jobs.split(',').length : 0);
      const held = HELD_STATES.has(n.state);
      return [
        n.hostname,
        NODE_STATES[n.state] ?? String(n.state),
        String(count),
        usedOf(extra.scheduled?.cpus, extra.total?.cpus),
        usedOf(extra.scheduled?.mem, extra.total?.mem),
        held ? heldCell(extra.hold_reason) : 'no',
      ];
    }),
  );
}

/** `yes`, with the reason when one was given (the core's default reason is just "held"). */
function heldCell(reason: string | null | undefined): string {
  return reason && reason !== 'held' ? `yes (${reason})` : 'yes';
}
