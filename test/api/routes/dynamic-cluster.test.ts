import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { LightMyRequestResponse } from 'fastify';
import type { TaskRecord } from '../../../src/core/scheduler/state.ts';
import {
  killAndWait,
  liveTask,
  request,
  runningTask,
  type Served,
  serveDaemon,
} from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

/**
 * Dynamic Cluster's REST API against a real daemon on a fake master. One daemon for the file;
 * the tests run serially and put back whatever they change. Deleting a node and a daemon without
 * cluster control get daemons of their own.
 */

let lab: Served;
test.before(async () => {
  lab = await serveDaemon();
});
test.after.always(async () => {
  await lab?.close();
});

/** A daemon of the test's own, closed when the test ends. */
async function ownLab(
  t: { teardown(fn: () => Promise<void>): void },
  opts: Parameters<typeof serveDaemon>[0] = {},
): Promise<Served> {
  const served = await serveDaemon(opts);
  t.teardown(() => served.close());
  return served;
}

const call = (
  method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  served: Served = lab,
) => request(served, method, url, payload);

interface WorkerNode {
  hostname: string;
  type: string;
  state: number;
  num_proc: number;
  jobs: string | null;
  state_start_time: number;
  time_in_current_state: number;
  extra_attributes: { agent_id: string; hold_reason: string | null; attributes: Record<string, string> };
  instance: null;
}

async function nodes(query = ''): Promise<WorkerNode[]> {
  const res = await call('GET', `/workernode${query}`);
  if (res.statusCode !== 200) throw new Error(`GET /workernode${query}: ${res.statusCode} ${res.body}`);
  return res.json() as WorkerNode[];
}

async function node(hostname: string, served: Served = lab): Promise<WorkerNode> {
  return (await call('GET', `/workernode/${hostname}`, undefined, served)).json() as WorkerNode;
}

function message(res: LightMyRequestResponse): string {
  return (res.json() as { message: string }).message;
}

const taskOf = (specId: string, served: Served = lab) => liveTask(served, specId);
const running = (specId: string) => runningTask(lab, specId);
const kill = (prefix: string) => killAndWait(lab, prefix);

async function put(hostname: string, action: string, served: Served = lab): Promise<LightMyRequestResponse> {
  return call('PUT', `/workernode/${hostname}/${action}`, undefined, served);
}

const IDLE = 2;
const BUSY = 3;
const DELETING = 5;
const HOLDING = 6;
const HELD = 7;

// --- worker nodes --------------------------------------------------------------------------------

test.serial('workernode › GET /workernode lists every agent as an idle worker node', async (t) => {
  const list = await nodes();
  t.deepEqual(
    list.map((n) => [n.hostname, n.state]),
    [
      ['analytics-1', IDLE],
      ['lab-1', IDLE],
      ['lab-2', IDLE],
      ['lab-3', IDLE],
    ],
  );
  const lab1 = list[1] as WorkerNode;
  t.deepEqual(Object.keys(lab1).sort(), [
    'extra_attributes',
    'hostname',
    'instance',
    'jobs',
    'num_proc',
    'state',
    'state_start_time',
    'time_in_current_state',
    'type',
  ]);
  t.like(lab1, {
    type: 'mesos',
    num_proc: 4,
    jobs: null,
    instance: null,
    extra_attributes: {
      agent_id: lab.daemon.state.agentsByHostname.get('lab-1'),
      hold_reason: null,
      attributes: { nodename: 'lab-1', nodetype: 'lab' },
    },
  });
  t.true(lab1.time_in_current_state >= 0);
  t.true(lab1.state_start_time * 1000 >= lab.daemon.startedAt - 1);
});

test.serial('workernode › ?state=N lists only the worker nodes in that state', async (t) => {
  t.is((await nodes('?state=2')).length, 4);
  t.deepEqual(await nodes('?state=3'), []);
  t.deepEqual(await nodes('?state=0'), []);
  t.true((await put('lab-2', 'hold')).statusCode === 200);
  try {
    t.deepEqual(
      (await nodes('?state=7')).map((n) => n.hostname),
      ['lab-2'],
    );
    t.deepEqual(
      (await nodes('?state=2')).map((n) => n.hostname),
      ['analytics-1', 'lab-1', 'lab-3'],
    );
  } finally {
    await put('lab-2', 'unhold');
  }
});

test.serial('workernode › a state that is not an integer from 0 to 7 is a 400', async (t) => {
  for (const state of ['8', '-1', '1.5', 'idle', '', '02', '%20']) {
    const res = await call('GET', `/workernode?state=${state}`);
    t.is(res.statusCode, 400, state);
    t.regex(message(res), /^state must be an integer from 0 to 7 \(0 Inexistent, .* 7 Held\), got/, state);
  }
  const twice = await call('GET', '/workernode?state=2&state=3');
  t.is(twice.statusCode, 400);
  t.is(message(twice), 'query parameter state is given more than once');
  const unknown = await call('GET', '/workernode?status=2');
  t.is(unknown.statusCode, 400);
  t.is(message(unknown), 'unexpected query parameters: status (allowed: state)');
});

test.serial('workernode › GET /workernode/<hostname> is one worker node', async (t) => {
  const res = await call('GET', '/workernode/lab-3');
  t.is(res.statusCode, 200);
  t.like(res.json(), { hostname: 'lab-3', state: IDLE, type: 'mesos' });
});

test.serial('workernode › unknown hostnames are 404s on every worker-node route', async (t) => {
  const agentId = lab.daemon.state.agentsByHostname.get('lab-1') as string;
  for (const [method, url] of [
    ['GET', '/workernode/agent-9'],
    ['PUT', '/workernode/agent-9/hold'],
    ['PUT', '/workernode/agent-9/unhold'],
    ['PUT', '/workernode/agent-9/vacate'],
    ['DELETE', '/workernode/agent-9'],
  ] as const) {
    const res = await call(method, url);
    t.is(res.statusCode, 404, `${method} ${url}`);
    t.deepEqual(res.json(), { code: 404, message: 'worker node agent-9 not found' });
  }
  const byId = await call('GET', `/workernode/${agentId}`);
  t.is(byId.statusCode, 404, 'worker nodes are named by hostname');
});

test.serial('workernode › an unsupported action is a 404 naming the supported ones', async (t) => {
  const res = await put('lab-1', 'reboot');
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), { code: 404, message: 'action reboot is not supported; use hold, unhold, vacate' });
});

test.serial('workernode › actions take no body and no query parameters', async (t) => {
  const body = await call('PUT', '/workernode/lab-1/hold', { reason: 'x' });
  t.is(body.statusCode, 400);
  t.is(message(body), 'unexpected fields: reason (this request takes no body)');
  const query = await call('PUT', '/workernode/lab-1/hold?now=1');
  t.is(query.statusCode, 400);
  t.regex(message(query), /^unexpected query parameters: now/);
  t.false(lab.daemon.state.holds.has('lab-1'), 'nothing was held');
  const empty = await call('PUT', '/workernode/lab-1/hold', {});
  t.is(empty.statusCode, 200, 'an empty JSON object is no body');
  await put('lab-1', 'unhold');
});

test.serial('workernode › hold keeps new tasks off a node; unhold takes them again', async (t) => {
  const idleSince = (await node('lab-1')).state_start_time;
  t.deepEqual((await put('lab-1', 'hold')).json(), { success: true });
  t.true((await node('lab-1')).state_start_time >= idleSince, 'the node entered a new state');
  t.deepEqual((await put('lab-2', 'hold')).json(), { success: true });
  try {
    t.like(await node('lab-1'), { state: HELD, extra_attributes: { hold_reason: 'held' } });
    t.deepEqual((await put('lab-1', 'hold')).json(), { success: true }, 'holding a held node is harmless');
    await call('POST', '/client/task', { id: 'held1', dockerimage: 'busybox', mem: 64, nodetype: 'lab' });
    t.is((await running('held1')).hostname, 'lab-3');
  } finally {
    await kill('held1');
    t.deepEqual((await put('lab-1', 'unhold')).json(), { success: true });
    await put('lab-2', 'unhold');
  }
  t.like(await node('lab-1'), { state: IDLE, extra_attributes: { hold_reason: null } });
  t.false(lab.daemon.state.holds.has('lab-1'));
});

test.serial(
  'workernode › a busy node held is Holding; vacate kills its tasks and leaves it Held',
  async (t) => {
    await put('lab-1', 'hold');
    await put('lab-2', 'hold');
    try {
      await call('POST', '/client/task', { id: 'vac', dockerimage: 'busybox', mem: 64, nodetype: 'lab' });
      const task = await running('vac');
      t.is(task.hostname, 'lab-3');
      t.like(await node('lab-3'), { state: BUSY, jobs: task.id });
      t.deepEqual((await put('lab-3', 'hold')).json(), { success: true });
      t.like(await node('lab-3'), { state: HOLDING, jobs: task.id });
      t.is(taskOf('vac')?.phase, 'running', 'holding does not stop what runs');

      const busy = await call('DELETE', '/workernode/lab-3');
      t.is(busy.statusCode, 400);
      t.is(
        message(busy),
        'worker node lab-3 still has 1 task: wait for it to end or vacate it (PUT /workernode/lab-3/vacate)',
      );

      t.deepEqual((await put('lab-3', 'vacate')).json(), { success: true });
      t.is(lab.daemon.state.tasks.get(task.id)?.killRequested, 'vacate');
      await eventually(
        () => (lab.daemon.state.tasks.get(task.id)?.phase === 'done' ? true : undefined),
        'vac to end',
      );
      t.is(taskOf('vac'), undefined, 'a vacated task is not relaunched');
      t.like(await node('lab-3'), { state: HELD, jobs: null });
    } finally {
      await kill('vac');
      for (const host of ['lab-1', 'lab-2', 'lab-3']) await put(host, 'unhold');
    }
  },
);

test.serial('workernode › vacating a node that runs nothing succeeds and changes nothing', async (t) => {
  t.deepEqual((await put('lab-2', 'vacate')).json(), { success: true });
  t.like(await node('lab-2'), { state: IDLE });
});

test.serial('workernode › DELETE of a node that is not held is a 400 saying to hold it first', async (t) => {
  const res = await call('DELETE', '/workernode/lab-2');
  t.is(res.statusCode, 400);
  t.is(
    message(res),
    'worker node lab-2 is not held: hold it first (PUT /workernode/lab-2/hold), then delete it once it has no tasks',
  );
  t.like(await node('lab-2'), { state: IDLE });
});

test('workernode › DELETE of a held, empty node removes it from the simulated cluster', async (t) => {
  const own = await ownLab(t);
  t.is((await put('lab-2', 'hold', own)).statusCode, 200);
  const res = await call('DELETE', '/workernode/lab-2', undefined, own);
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { success: true });
  const during = await call('GET', '/workernode/lab-2', undefined, own);
  t.true(
    during.statusCode === 404 || (during.json() as WorkerNode).state === DELETING,
    'Deleting until the master reports it gone',
  );
  await eventually(
    async () =>
      (await call('GET', '/workernode/lab-2', undefined, own)).statusCode === 404 ? true : undefined,
    'lab-2 to be gone',
  );
  const list = (await call('GET', '/workernode', undefined, own)).json() as WorkerNode[];
  t.deepEqual(
    list.map((n) => n.hostname),
    ['analytics-1', 'lab-1', 'lab-3'],
  );
  t.is((await call('DELETE', '/workernode/lab-2', undefined, own)).statusCode, 404);
});

test('workernode › against a real Mesos cluster DELETE is a 400 explaining offerlab cannot remove machines', async (t) => {
  const own = await ownLab(t, { clusterControl: false });
  await put('lab-1', 'hold', own);
  const res = await call('DELETE', '/workernode/lab-1', undefined, own);
  t.is(res.statusCode, 400);
  t.regex(message(res), /^offerlab cannot remove machines from a real Mesos cluster/);
  t.like(await node('lab-1', own), { state: HELD });
});

// --- queues --------------------------------------------------------------------------------------

interface Queues {
  queues: { name: string; queued: number }[];
  queued: Record<string, unknown>[];
}

test.serial('queues › GET /server/queues lists the queued tasks in the default queue', async (t) => {
  t.deepEqual((await call('GET', '/server/queues')).json(), {
    queues: [{ name: 'default', queued: 0 }],
    queued: [],
  });
  await call('PATCH', '/scheduler/', { is_paused: true });
  try {
    await call('POST', '/client/task', {
      id: 'queued',
      dockerimage: 'busybox',
      mem: 32,
      cpus: 0.5,
      nodetype: 'lab',
    });
    const task = taskOf('queued') as TaskRecord;
    const view = (await call('GET', '/server/queues')).json() as Queues;
    t.deepEqual(view.queues, [{ name: 'default', queued: 1 }]);
    t.is(view.queued.length, 1);
    t.like(view.queued[0], {
      jobid: task.id,
      name: 'queued',
      owner: 'root',
      state: 0,
      queue: 'default',
      account: null,
      property: 'lab',
      priority: 0,
      requested_cores: 0.5,
      cores_per_node: 0.5,
      requested_mem: 32,
      requested_walltime: null,
      extra_attributes: { kind: 'service', origin: 'submit', eligible_at: null, requested_disk: 0 },
    });
    t.regex(String(view.queued[0]?.creation_time), /^\d{10}$/);

    // Why one waits is the task's own question now.
    const why = await call('GET', `/client/task/${task.id}/why`);
    t.is(why.statusCode, 200);
    t.regex((why.json() as { why: string }).why, /paused/);
    // GET /job is ETL jobs: a queued task is not one.
    t.false(
      (await call('GET', '/job')).json<{ id: string }[]>().some((j) => j.id === 'queued' || j.id === task.id),
    );

    await call('PATCH', '/scheduler/', { is_paused: false });
    await running('queued');
    t.deepEqual((await call('GET', '/server/queues')).json(), {
      queues: [{ name: 'default', queued: 0 }],
      queued: [],
    });
  } finally {
    await call('PATCH', '/scheduler/', { is_paused: false });
    await kill('queued');
  }
});

test.serial(
  'queues › GET /server/queues takes no query parameters; the old /job/<id> view is gone',
  async (t) => {
    const res = await call('GET', '/server/queues?queue=default');
    t.is(res.statusCode, 400);
    t.is(message(res), 'unexpected query parameters: queue (this resource takes none)');
    const job = await call('GET', '/job/job-9');
    t.is(job.statusCode, 404);
    t.deepEqual(job.json(), { code: 404, message: 'job job-9 not found' });
  },
);

// --- server --------------------------------------------------------------------------------------

test.serial(
  'server › GET /server/status reports auto mode (on by default) and the Mesos connection',
  async (t) => {
    const res = await call('GET', '/server/status');
    t.is(res.statusCode, 200);
    t.deepEqual(res.json(), {
      auto_mode: true,
      cluster: { mesos: true },
      scheduler: { ready: true, paused: false, framework_id: lab.daemon.state.framework.id },
    });
  },
);

test.serial("server › DELETE and PUT /server/auto switch the core's auto mode off and on", async (t) => {
  try {
    t.deepEqual((await call('DELETE', '/server/auto')).json(), { success: true });
    t.false(lab.daemon.state.autoScale, "the core's switch, not the route's");
    t.like((await call('GET', '/server/status')).json(), { auto_mode: false });
    t.like((await call('GET', '/server/config')).json(), { 'dynamic-cluster': { auto_mode: false } });
    t.deepEqual((await call('DELETE', '/server/auto')).json(), { success: true }, 'twice is harmless');
    t.deepEqual((await call('PUT', '/server/auto')).json(), { success: true });
    t.true(lab.daemon.state.autoScale);
    t.like((await call('GET', '/server/status')).json(), { auto_mode: true });
    t.like((await call('GET', '/server/config')).json(), { 'dynamic-cluster': { auto_mode: true } });
    t.deepEqual((await call('PUT', '/server/auto')).json(), { success: true }, 'twice is harmless');
  } finally {
    await call('PUT', '/server/auto');
  }
  const body = await call('DELETE', '/server/auto', { off: true });
  t.is(body.statusCode, 400);
  t.is(message(body), 'unexpected fields: off (this request takes no body)');
  t.like((await call('GET', '/server/status')).json(), { auto_mode: true });
  t.is((await call('PUT', '/server/auto?on=1')).statusCode, 400);
});

test('server › auto mode off is journaled: a daemon restarted on its state dir keeps it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-auto-'));
  let own = await serveDaemon({ daemon: { stateDir: dir } });
  t.teardown(async () => {
    await own.close();
    await rm(dir, { recursive: true, force: true });
  });
  t.is((await call('DELETE', '/server/auto', undefined, own)).statusCode, 200);
  own = await own.restart();
  t.like((await call('GET', '/server/status', undefined, own)).json(), { auto_mode: false });
});

test.serial('server › GET /server/config is the effective configuration', async (t) => {
  const res = await call('GET', '/server/config');
  t.is(res.statusCode, 200);
  const config = res.json() as {
    scheduler: Record<string, unknown>;
    mesos: { masters: string[] };
    'dynamic-cluster': unknown;
  };
  t.like(config.scheduler, { placement: 'first-fit', frameworkName: 'offerlab', role: '*' });
  t.deepEqual(config.mesos.masters, [...lab.daemon.masters]);
  t.deepEqual(config['dynamic-cluster'], { auto_mode: true, resources: [] }, 'no pools configured');
});

test('server › GET /server/config leaves the principal and anything secret out', async (t) => {
  const own = await ownLab(t, {
    clusterControl: false,
    daemon: { config: { principal: 'offerlab-principal' } },
  });
  const res = await call('GET', '/server/config', undefined, own);
  t.is(res.statusCode, 200);
  t.false(res.body.includes('offerlab-principal'));
  t.false('principal' in (res.json() as { scheduler: object }).scheduler);
  t.is((await call('GET', '/server/config?secrets=1', undefined, own)).statusCode, 400);
});
