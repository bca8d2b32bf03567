import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { LightMyRequestResponse } from 'fastify';
import type { WorkerNodeView } from '../../../src/api/routes/dynamic-cluster.ts';
import type { PoolNodeView, PoolView } from '../../../src/api/routes/pools.ts';
import type { ScenarioPool } from '../../../src/scenario/types.ts';
import { request, type Served, serveDaemon } from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

/**
 * Elastic pools (Dynamic Cluster's resources) through the REST API, against a daemon whose fake
 * master boots the pool's machines as simulated agents. One daemon for the file, a pool `burst`
 * of 1–3 nodes that boot in about a second of simulated time; the tests run serially and put back
 * what they change, draining comes last. A slow-booting pool gets a daemon of its own.
 */

const SECOND = 1000;

function pool(overrides: Partial<ScenarioPool> = {}): ScenarioPool {
  return {
    name: 'burst',
    min: 1,
    max: 3,
    template: {
      cpus: 2,
      mem: 1024,
      disk: 10_000,
      ports: '31000-32000',
      attributes: { nodetype: 'burst' },
    },
    bootDelayMs: 0.5 * SECOND,
    readyDelayMs: 0.5 * SECOND,
    maxLaunchTimeMs: 120 * SECOND,
    maxIdleTimeMs: 10 * SECOND,
    commandTimeoutMs: 60 * SECOND,
    ...overrides,
  };
}

/** Pools are checked every simulated second (20 ms of wall clock). */
const DAEMON = { config: { poolCheckMs: SECOND } };

let lab: Served;
test.before(async () => {
  lab = await serveDaemon({ pools: [pool()], daemon: DAEMON });
});
test.after.always(async () => {
  await lab?.close();
});

const call = (
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  served: Served = lab,
) => request(served, method, url, payload);

type WorkerNode = WorkerNodeView;

async function burst(served: Served = lab): Promise<PoolView> {
  const res = await call('GET', '/resource/burst', undefined, served);
  if (res.statusCode !== 200) throw new Error(`GET /resource/burst: ${res.statusCode} ${res.body}`);
  return res.json() as PoolView;
}

async function workerNodes(served: Served = lab): Promise<WorkerNode[]> {
  return (await call('GET', '/workernode', undefined, served)).json() as WorkerNode[];
}

function message(res: LightMyRequestResponse): string {
  return (res.json() as { message: string }).message;
}

/** Waits until the pool has `n` nodes, every one of them Idle (its agent registered, no tasks). */
function settled(n: number, served: Served = lab): Promise<PoolView> {
  return eventually(async () => {
    const view = await burst(served);
    return view.current_num === n && view.worker_nodes.every((w) => w.state === IDLE) ? view : undefined;
  }, `burst to settle at ${n} idle node(s)`);
}

const STARTING = 1;
const IDLE = 2;
const ERROR = 4;

test.serial('pools › GET /resource lists the pool with its mode, bounds, size and nodes', async (t) => {
  const res = await call('GET', '/resource');
  t.is(res.statusCode, 200);
  const list = res.json() as PoolView[];
  t.is(list.length, 1);
  const view = list[0] as PoolView;
  t.deepEqual(Object.keys(view).sort(), [
    'attributes',
    'auto_mode',
    'configured',
    'current_num',
    'max',
    'max_idle_time',
    'max_launch_time',
    'min',
    'mode',
    'name',
    'resources',
    'worker_nodes',
  ]);
  t.like(view, {
    name: 'burst',
    mode: 'normal',
    min: 1,
    max: 3,
    auto_mode: true,
    configured: { min: 1, max: 3 },
    resources: { cpus: 2, mem: 1024, disk: 10_000, ports: '31000-32000' },
    attributes: { nodetype: 'burst' },
    max_launch_time: 120,
    max_idle_time: 10,
  });
  t.true(view.current_num <= 1, 'nothing beyond the floor');
  t.is(view.worker_nodes.length, view.current_num);
  for (const node of view.worker_nodes) {
    t.regex(node.hostname, /^burst-\d+$/);
    t.true(Number.isInteger(node.state) && node.state >= 1 && node.state <= 7, `${node.state}`);
  }
  t.deepEqual(
    (await call('GET', '/resource/burst')).json(),
    (await call('GET', '/resource')).json<unknown[]>()[0],
  );
});

test.serial('pools › the floor brings current_num to 1, and the node is an Idle worker node', async (t) => {
  const view = await settled(1);
  const node = view.worker_nodes[0] as PoolNodeView;
  t.like(node, { hostname: 'burst-1', state: IDLE, state_name: 'Idle', message: null });
  t.is(node.agent_id, lab.daemon.state.agentsByHostname.get('burst-1') ?? 'no agent');
  t.regex(String(node.since), /^\d{4}-\d\d-\d\dT/);
  const listed = (await workerNodes()).find((w) => w.hostname === 'burst-1');
  t.like(listed, {
    state: IDLE,
    num_proc: 2,
    jobs: null,
    extra_attributes: { agent_id: node.agent_id, attributes: { nodename: 'burst-1', nodetype: 'burst' } },
  });
});

test.serial(
  'pools › PUT /resource/<name>?num=2 launches two nodes; one more is a 400 naming the max',
  async (t) => {
    // Auto mode off while the extra nodes are counted: it would destroy them once idle.
    t.is((await call('DELETE', '/server/auto')).statusCode, 200);
    try {
      await settled(1);
      const res = await call('PUT', '/resource/burst?num=2');
      t.is(res.statusCode, 200);
      const body = res.json() as { success: boolean; launched: string[]; resource: PoolView };
      t.true(body.success);
      t.deepEqual(body.launched, ['burst-2', 'burst-3']);
      t.like(body.resource, { name: 'burst', current_num: 3, min: 1, max: 3 });
      t.deepEqual(
        body.resource.worker_nodes.map((n) => n.hostname),
        ['burst-1', 'burst-2', 'burst-3'],
      );
      t.like(body.resource.worker_nodes[1], { state: STARTING, state_name: 'Starting', agent_id: null });

      const beyond = await call('PUT', '/resource/burst?num=1');
      t.is(beyond.statusCode, 400);
      t.is(message(beyond), 'cannot launch 1: pool burst has 3 of at most 3 nodes');
      t.is((await burst()).current_num, 3, 'nothing was launched');

      await settled(3);
      t.deepEqual(
        (await workerNodes())
          .filter((w) => w.hostname.startsWith('burst-'))
          .map((w) => [w.hostname, w.state]),
        [
          ['burst-1', IDLE],
          ['burst-2', IDLE],
          ['burst-3', IDLE],
        ],
      );
    } finally {
      await call('PUT', '/server/auto');
    }
    // Back in auto mode, nodes idle longer than max_idle_time go, down to the floor.
    const after = await settled(1);
    t.is(after.worker_nodes.length, 1);
  },
);

test.serial('pools › num must be a whole number of 1 or more, given once', async (t) => {
  for (const query of ['?num=0', '?num=x', '?num=-1', '?num=1.5', '?num=', '?num=01']) {
    const res = await call('PUT', `/resource/burst${query}`);
    t.is(res.statusCode, 400, query);
    t.regex(message(res), /^num must be a whole number, 1 or more, got "/, query);
  }
  const missing = await call('PUT', '/resource/burst');
  t.is(missing.statusCode, 400);
  t.is(message(missing), 'num is required: PUT /resource/<name>?num=N launches N nodes');
  const twice = await call('PUT', '/resource/burst?num=1&num=1');
  t.is(twice.statusCode, 400);
  t.is(message(twice), 'query parameter num is given more than once');
  const unknown = await call('PUT', '/resource/burst?count=1');
  t.is(unknown.statusCode, 400);
  t.is(message(unknown), 'unexpected query parameters: count (allowed: num)');
  const body = await call('PUT', '/resource/burst?num=1', { num: 1 });
  t.is(body.statusCode, 400);
  t.is(message(body), 'unexpected fields: num (this request takes no body)');
  t.is((await burst()).current_num, 1, 'nothing was launched');
});

test.serial('pools › an unknown pool is a 404 on every pool route', async (t) => {
  for (const [method, url] of [
    ['GET', '/resource/nope'],
    ['PUT', '/resource/nope?num=1'],
    ['PUT', '/resource/nope/freeze'],
    ['PUT', '/resource/nope/restore'],
    ['PUT', '/resource/nope/drain'],
  ] as const) {
    const res = await call(method, url);
    t.is(res.statusCode, 404, `${method} ${url}`);
    t.deepEqual(res.json(), { code: 404, message: 'pool nope not found' }, `${method} ${url}`);
  }
});

test.serial('pools › an unsupported action is a 404 naming the supported ones', async (t) => {
  const res = await call('PUT', '/resource/burst/reboot');
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), {
    code: 404,
    message: 'action reboot is not supported; use freeze, restore, drain',
  });
  t.is((await call('PUT', '/resource/burst/freeze?now=1')).statusCode, 400);
  t.is((await call('PUT', '/resource/burst/freeze', { reason: 'x' })).statusCode, 400);
  t.is((await burst()).mode, 'normal', 'nothing changed');
});

test.serial(
  'pools › freeze pins min and max to the current size; restore brings back the configured bounds',
  async (t) => {
    await settled(1);
    const frozen = await call('PUT', '/resource/burst/freeze');
    t.is(frozen.statusCode, 200);
    const body = frozen.json() as { success: boolean; resource: PoolView };
    t.true(body.success);
    t.like(body.resource, { mode: 'frozen', min: 1, max: 1, current_num: 1, configured: { min: 1, max: 3 } });
    try {
      const launch = await call('PUT', '/resource/burst?num=1');
      t.is(launch.statusCode, 400);
      t.is(message(launch), 'pool burst is frozen; restore it first');
      t.like(await burst(), { mode: 'frozen', current_num: 1 });
    } finally {
      const restored = await call('PUT', '/resource/burst/restore');
      t.is(restored.statusCode, 200);
      t.like((restored.json() as { resource: PoolView }).resource, { mode: 'normal', min: 1, max: 3 });
    }
    t.like(await burst(), { mode: 'normal', min: 1, max: 3, current_num: 1 });
  },
);

test.serial(
  'pools › PUT and DELETE /server/auto switch auto mode in /resource and /server/status',
  async (t) => {
    try {
      t.deepEqual((await call('DELETE', '/server/auto')).json(), { success: true });
      t.false(lab.daemon.state.autoScale);
      t.like((await call('GET', '/resource')).json<PoolView[]>()[0], { auto_mode: false });
      t.like(await burst(), { auto_mode: false });
      t.like((await call('GET', '/server/status')).json(), { auto_mode: false });
      t.like((await call('GET', '/server/config')).json(), { 'dynamic-cluster': { auto_mode: false } });
      t.deepEqual((await call('DELETE', '/server/auto')).json(), { success: true }, 'twice is harmless');
      t.deepEqual((await call('PUT', '/server/auto')).json(), { success: true });
      t.true(lab.daemon.state.autoScale);
      t.like(await burst(), { auto_mode: true });
      t.like((await call('GET', '/server/status')).json(), { auto_mode: true });
    } finally {
      await call('PUT', '/server/auto');
    }
  },
);

test('pools › auto mode and the pool survive a restart on the same state dir', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-pools-'));
  let served = await serveDaemon({ pools: [pool()], daemon: { ...DAEMON, stateDir: dir } });
  t.teardown(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });
  await settled(1, served);
  t.is((await call('DELETE', '/server/auto', undefined, served)).statusCode, 200);
  t.is((await call('PUT', '/resource/burst/freeze', undefined, served)).statusCode, 200);
  served = await served.restart();
  t.false(served.daemon.state.autoScale, 'auto mode off was journaled');
  t.like((await call('GET', '/server/status', undefined, served)).json(), { auto_mode: false });
  const view = await burst(served);
  t.like(view, { auto_mode: false, mode: 'frozen', min: 1, max: 1, current_num: 1 });
  t.is(view.worker_nodes[0]?.hostname, 'burst-1');
  await settled(1, served);
});

test.serial('pools › /server/config shows the pool shapes', async (t) => {
  const config = (await call('GET', '/server/config')).json() as {
    'dynamic-cluster': { resources: unknown[] };
  };
  t.deepEqual(config['dynamic-cluster'].resources, [
    {
      name: 'burst',
      min: 1,
      max: 3,
      resources: { cpus: 2, mem: 1024, disk: 10_000 },
      attributes: { nodetype: 'burst' },
      max_launch_time: 120,
      max_idle_time: 10,
    },
  ]);
});

test.serial(
  'pools › drain empties the pool: current_num 0 and its agents gone from /workernode',
  async (t) => {
    await settled(1);
    try {
      const res = await call('PUT', '/resource/burst/drain');
      t.is(res.statusCode, 200);
      t.like((res.json() as { resource: PoolView }).resource, { mode: 'draining', min: 0, max: 0 });
      await eventually(async () => ((await burst()).current_num === 0 ? true : undefined), 'burst to drain');
      await eventually(
        async () => ((await workerNodes()).some((w) => w.hostname.startsWith('burst-')) ? undefined : true),
        "burst's agents to leave /workernode",
      );
      t.false([...lab.daemon.state.agentsByHostname.keys()].some((h) => h.startsWith('burst-')));
      t.deepEqual(
        (await workerNodes()).map((w) => w.hostname),
        ['analytics-1', 'lab-1', 'lab-2', 'lab-3'],
      );
      const launch = await call('PUT', '/resource/burst?num=1');
      t.is(launch.statusCode, 400, 'a drained pool has a max of 0');
      t.is(message(launch), 'pool burst is draining; restore it first');
    } finally {
      await call('PUT', '/resource/burst/restore');
    }
    // Restored, the floor brings a new node (names are never reused).
    const back = await settled(1);
    t.regex((back.worker_nodes[0] as PoolNodeView).hostname, /^burst-[4-9]\d*$/);
  },
);

test('pools › /workernode lists a booting pool node as Starting, and one whose agent never came as Error', async (t) => {
  const own = await serveDaemon({
    daemon: DAEMON,
    pools: [
      // Boots in 60 s of simulated time (3 s of wall clock): Starting meanwhile.
      pool({ bootDelayMs: 60 * SECOND }),
      // Given up on after 2 s, long before it boots: Error until it has booted and is destroyed.
      pool({ name: 'late', bootDelayMs: 60 * SECOND, maxLaunchTimeMs: 2 * SECOND }),
    ],
  });
  t.teardown(() => own.close());
  const starting = await eventually(
    async () => (await workerNodes(own)).find((w) => w.hostname === 'burst-1'),
    'burst-1 to be listed',
  );
  t.like(starting, {
    state: STARTING,
    num_proc: 2,
    jobs: null,
    extra_attributes: { agent_id: '', attributes: { nodetype: 'burst', pool: 'burst' } },
  });
  const byState = (await call('GET', '/workernode?state=1', undefined, own)).json<WorkerNode[]>();
  t.true(
    byState.some((w) => w.hostname === 'burst-1'),
    '?state=1 finds it',
  );
  t.true(byState.every((w) => w.state === STARTING));
  t.like((await burst(own)).worker_nodes[0], {
    hostname: 'burst-1',
    state: STARTING,
    state_name: 'Starting',
  });
  t.is((await call('GET', '/workernode/burst-1', undefined, own)).statusCode, 404, 'no agent yet');

  const failed = await eventually(
    async () => (await workerNodes(own)).find((w) => w.hostname === 'late-1' && w.state === ERROR),
    'late-1 to be an Error',
  );
  t.like(failed, { extra_attributes: { attributes: { pool: 'late' } } });
  const late = (await call('GET', '/resource/late', undefined, own)).json() as PoolView;
  t.like(late.worker_nodes[0], { hostname: 'late-1', state: ERROR, state_name: 'Error' });
  t.regex(String(late.worker_nodes[0]?.message), /^agent not registered \d+ s after the request$/);
});
