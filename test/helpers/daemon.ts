import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { TaskRecord } from '../../src/core/scheduler/state.ts';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.ts';
import { FakeMaster } from '../../src/fake-master/fake-master.ts';
import { groupAgents } from '../../src/scenario/agents.ts';
import type { AgentGroup, ScenarioPool } from '../../src/scenario/types.ts';
import { eventually } from './wait.ts';

/** A lab like Charmander's: one analytics agent and three lab agents. */
export const LAB: readonly AgentGroup[] = [
  {
    name: 'analytics',
    count: 1,
    resources: { cpus: 4, mem: 4096, disk: 20000, ports: [{ begin: 31000, end: 32000 }] },
    attributes: { nodetype: 'analytics' },
  },
  {
    name: 'lab',
    count: 3,
    resources: { cpus: 4, mem: 2048, disk: 20000, ports: [{ begin: 31000, end: 32000 }] },
    attributes: { nodetype: 'lab' },
  },
];

/** Simulated time runs this much faster than the wall clock, on both sides of the wire. */
export const SERVED_SPEED = 20;

export interface Served {
  readonly app: FastifyInstance;
  readonly daemon: Daemon;
  readonly fake: FakeMaster;
  /**
   * Stops this daemon and its API (the fake master and its agents carry on) and starts a new one
   * with the same options — with a `stateDir`, a restart that restores what the first one kept.
   * Resolves once the new daemon is ready and has heard from every agent again; close that one
   * (it closes the fake master too), not this one.
   */
  restart(): Promise<Served>;
  close(): Promise<void>;
}

/**
 * A daemon scheduling on an in-process fake master over loopback (the real v1 protocol), with
 * its REST API ready for `app.inject()`. Resolves once subscribed, reconciled and every agent has
 * offered, so tests start from a cluster the scheduler knows.
 *
 * With `pools`, the daemon has those elastic pools (`config.pools`, merged under any
 * `daemon.config`) and the fake master provisions their machines as simulated agents, as
 * `offerlab serve --transport sim` does; pool agents are not waited for.
 */
export async function serveDaemon(
  opts: {
    groups?: readonly AgentGroup[];
    daemon?: Partial<DaemonOptions>;
    speed?: number;
    /** false: the daemon cannot remove agents, as against a real Mesos master. */
    clusterControl?: boolean;
    /** Elastic pools whose machines the fake master boots (their boot/ready delays are simulated). */
    pools?: readonly ScenarioPool[];
  } = {},
): Promise<Served> {
  const speed = opts.speed ?? SERVED_SPEED;
  const agents = (opts.groups ?? LAB).flatMap(groupAgents);
  const fake = new FakeMaster({ ports: [0], agents, speed, seed: 7 });
  const masters = await fake.start();
  const pools = opts.pools ?? [];
  const byName = new Map(pools.map((p) => [p.name, p]));
  const start = async (): Promise<Served> => {
    const daemon = await Daemon.start({
      masters,
      speed,
      ...(opts.clusterControl === false
        ? {}
        : { cluster: { removeAgent: (hostname: string) => fake.agentLoss(hostname) } }),
      ...(pools.length > 0 ? { provisioner: fake.provisioner((r) => byName.get(r.pool)) } : {}),
      ...opts.daemon,
      ...(pools.length > 0 ? { config: { ...opts.daemon?.config, pools } } : {}),
    });
    const app = buildApp(daemon);
    await app.ready();
    await eventually(
      () =>
        daemon.ready && agents.every((a) => daemon.state.agentsByHostname.has(a.hostname)) ? true : undefined,
      'the daemon to subscribe, reconcile and hear from every agent',
    );
    const stopDaemon = async () => {
      await app.close();
      await daemon.stop();
    };
    return {
      app,
      daemon,
      fake,
      restart: async () => {
        await stopDaemon();
        return start();
      },
      close: async () => {
        await stopDaemon();
        await fake.stop();
      },
    };
  };
  return start();
}

/** Makes a served daemon listen on a free loopback port too; resolves with its base URL. */
export async function listenOnLoopback(served: Served): Promise<string> {
  return served.app.listen({ port: 0, host: '127.0.0.1' });
}

/** The live (not ended) task of a spec id, if any. */
export function liveTask(served: Served, specId: string): TaskRecord | undefined {
  return [...served.daemon.state.tasks.values()].find((t) => t.specId === specId && t.phase !== 'done');
}

/** Waits until the spec id's live task runs. */
export function runningTask(served: Served, specId: string): Promise<TaskRecord> {
  return eventually(() => {
    const task = liveTask(served, specId);
    return task?.phase === 'running' ? task : undefined;
  }, `${specId} to run`);
}

/** Kills by prefix through the API and waits until the spec id has no live task. */
export async function killAndWait(served: Served, prefix: string): Promise<void> {
  await served.app.inject({ method: 'DELETE', url: `/client/task/${prefix}` });
  await eventually(() => (liveTask(served, prefix) === undefined ? true : undefined), `${prefix} to end`);
}

/** One request to a served daemon's API through `inject()`, with an optional JSON body. */
export function request(
  served: Served,
  method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return served.app.inject({
    method,
    url,
    ...(payload !== undefined ? { payload: payload as NonNullable<InjectOptions['payload']> } : {}),
  });
}
