import test from 'ava';
import type { LightMyRequestResponse } from 'fastify';
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
 * NGA Scale's scheduler, status and node services, against a real daemon on a fake master.
 * One daemon for the file; the tests run serially and put back whatever they change.
 */

let lab: Served;
test.before(async () => {
  lab = await serveDaemon();
});
test.after.always(async () => {
  await lab?.close();
});

const call = (method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  request(lab, method, url, payload);

function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return res.json() as T;
}

const taskOf = (specId: string) => liveTask(lab, specId);
const running = (specId: string) => runningTask(lab, specId);
const kill = (prefix: string) => killAndWait(lab, prefix);

const NODE_FIELDS = [
  'archived',
  'created',
  'hostname',
  'id',
  'is_active',
  'is_paused',
  'is_paused_errors',
  'last_modified',
  'last_offer',
  'pause_reason',
  'port',
  'slave_id',
];

// --- /scheduler/ ---------------------------------------------------------------------------------

test.serial('scheduler › GET /scheduler/ says whether the scheduler is paused', async (t) => {
  const res = await call('GET', '/scheduler/');
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { is_paused: false });
});

test.serial(
  'scheduler › PATCH /scheduler/ answers 201 with a Location and the updated scheduler',
  async (t) => {
    const paused = await call('PATCH', '/scheduler/', { is_paused: true });
    t.is(paused.statusCode, 201);
    t.is(paused.headers.location, '/scheduler/');
    t.deepEqual(paused.json(), { is_paused: true });
    t.true(lab.daemon.state.paused);
    t.deepEqual(json(await call('GET', '/scheduler/')), { is_paused: true });

    const resumed = await call('PATCH', '/scheduler/', { is_paused: false });
    t.is(resumed.statusCode, 201);
    t.deepEqual(resumed.json(), { is_paused: false });
    t.false(lab.daemon.state.paused);
  },
);

test.serial('scheduler › PATCH /scheduler/ lists every unexpected field in a 400', async (t) => {
  const res = await call('PATCH', '/scheduler/', { is_paused: true, foo: 1, bar: 'x' });
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), { code: 400, message: 'unexpected fields: foo, bar (allowed: is_paused)' });
  t.false(lab.daemon.state.paused, 'nothing was changed');
});

test.serial('scheduler › PATCH /scheduler/ with no field is a 400', async (t) => {
  const res = await call('PATCH', '/scheduler/', {});
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), { code: 400, message: 'no fields given; send at least one of: is_paused' });
});

test.serial(
  'scheduler › PATCH /scheduler/ with a wrong type names the field, and never coerces',
  async (t) => {
    for (const value of ['true', 1, null, [true]]) {
      const res = await call('PATCH', '/scheduler/', { is_paused: value });
      t.is(res.statusCode, 400, JSON.stringify(value));
      t.regex(json<{ message: string }>(res).message, /is_paused/);
    }
    t.false(lab.daemon.state.paused);
  },
);

test.serial('scheduler › PATCH /scheduler/ needs a JSON object body', async (t) => {
  for (const payload of [[{ is_paused: true }], 'true']) {
    const res = await lab.app.inject({
      method: 'PATCH',
      url: '/scheduler/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    t.is(res.statusCode, 400);
    t.regex(json<{ message: string }>(res).message, /JSON object/);
  }
  const none = await call('PATCH', '/scheduler/');
  t.is(none.statusCode, 400);
});

test.serial('scheduler › unknown query parameters are a 400 naming them', async (t) => {
  for (const url of ['/scheduler/?verbose=1', '/status/?x=1&y=2']) {
    const res = await call('GET', url);
    t.is(res.statusCode, 400, url);
    t.regex(json<{ message: string }>(res).message, /^unexpected query parameters: /);
  }
});

// --- /status/ ------------------------------------------------------------------------------------

test.serial(
  'status › GET /status/ reports the master, the scheduler, the queue and the resources',
  async (t) => {
    const res = await call('GET', '/status/');
    t.is(res.statusCode, 200);
    t.deepEqual(res.json(), {
      // The fake master names its real address in SUBSCRIBED's master_info.
      master: {
        hostname: '127.0.0.1',
        port: Number(new URL(lab.daemon.masters[0] ?? '').port),
        is_online: true,
      },
      scheduler: { hostname: lab.daemon.state.config.hostname, is_online: true, is_paused: false },
      queue_depth: 0,
      resources: {
        total: { cpus: 16, mem: 4096 + 3 * 2048, disk: 80000 },
        scheduled: { cpus: 0, mem: 0, disk: 0 },
        used: { cpus: 0, mem: 0, disk: 0 },
      },
    });
  },
);

test.serial('status › scheduled resources are what offerlab launched', async (t) => {
  await call('POST', '/client/task', { id: 'sched', dockerimage: 'busybox', mem: 100, cpus: 0.5 });
  try {
    await running('sched');
    const status = json<{ resources: { scheduled: unknown; used: unknown } }>(await call('GET', '/status/'));
    t.deepEqual(status.resources.scheduled, { cpus: 0.5, mem: 100, disk: 0 });
    t.deepEqual(status.resources.used, { cpus: 0, mem: 0, disk: 0 }, 'no metering yet');
  } finally {
    await kill('sched');
  }
});

// --- /nodes/ -------------------------------------------------------------------------------------

test.serial('nodes › GET /nodes/ is a page of every node with Scale’s fields', async (t) => {
  const res = await call('GET', '/nodes/');
  t.is(res.statusCode, 200);
  const body = json<{ count: number; next: unknown; previous: unknown; results: Record<string, unknown>[] }>(
    res,
  );
  t.is(body.count, 4);
  t.is(body.next, null);
  t.is(body.previous, null);
  t.deepEqual(
    body.results.map((n) => n.hostname),
    ['analytics-1', 'lab-1', 'lab-2', 'lab-3'],
  );
  const lab1 = body.results[1] as Record<string, unknown>;
  t.deepEqual(Object.keys(lab1).sort(), NODE_FIELDS);
  const agentId = lab.daemon.state.agentsByHostname.get('lab-1');
  t.like(lab1, {
    id: agentId,
    slave_id: agentId,
    // The port the agent's offers name: a fake master's agents are served on its own port.
    port: lab.daemon.state.agents.get(agentId ?? '')?.url?.port,
    is_paused: false,
    pause_reason: null,
    is_paused_errors: false,
    is_active: true,
    archived: null,
  });
  for (const field of ['created', 'last_offer', 'last_modified'])
    t.false(Number.isNaN(Date.parse(String(lab1[field]))), `${field} is an ISO-8601 time`);
});

test.serial('nodes › GET /nodes/ pages with page and page_size, linking the neighbours', async (t) => {
  const first = json<{ count: number; next: string; previous: null; results: { hostname: string }[] }>(
    await call('GET', '/nodes/?page_size=3'),
  );
  t.is(first.count, 4);
  t.is(first.results.length, 3);
  t.is(first.previous, null);
  const next = new URL(first.next);
  t.is(next.pathname, '/nodes/');
  t.is(next.searchParams.get('page'), '2');
  t.is(next.searchParams.get('page_size'), '3');

  const second = json<{ next: null; previous: string; results: { hostname: string }[] }>(
    await call('GET', `${next.pathname}${next.search}`),
  );
  t.deepEqual(
    second.results.map((n) => n.hostname),
    ['lab-3'],
  );
  t.is(second.next, null);
  t.is(new URL(second.previous).searchParams.get('page'), '1');

  const beyond = await call('GET', '/nodes/?page=3&page_size=3');
  t.is(beyond.statusCode, 404);
  t.deepEqual(beyond.json(), { code: 404, message: 'page 3 (there are 2 pages) not found' });
});

test.serial('nodes › GET /nodes/ rejects bad paging and unknown parameters', async (t) => {
  const cases: [string, RegExp][] = [
    ['/nodes/?page=0', /^page must be a positive integer/],
    ['/nodes/?page=two', /^page must be a positive integer/],
    ['/nodes/?page_size=0', /^page_size must be a positive integer/],
    ['/nodes/?page_size=1001', /^page_size must be from 1 to 1000/],
    ['/nodes/?page=1&page=2', /^query parameter page is given more than once/],
    ['/nodes/?include_inactive=maybe', /^include_inactive must be true or false/],
    ['/nodes/?order=-created&started=x', /^unexpected query parameters: order, started/],
  ];
  for (const [url, message] of cases) {
    const res = await call('GET', url);
    t.is(res.statusCode, 400, url);
    t.regex(json<{ message: string }>(res).message, message, url);
  }
  t.is((await call('GET', '/nodes/?include_inactive=true')).statusCode, 200);
});

test.serial(
  'nodes › GET /nodes/<id>/ finds a node by agent id or by hostname, with its resources',
  async (t) => {
    const agentId = lab.daemon.state.agentsByHostname.get('analytics-1') as string;
    const byId = await call('GET', `/nodes/${agentId}/`);
    t.is(byId.statusCode, 200);
    const byName = await call('GET', '/nodes/analytics-1/');
    t.is(byName.statusCode, 200);
    // Timestamps aside (in the daemon's first second the clock speed behind them is still settling).
    const untimed = (res: LightMyRequestResponse) => ({
      ...json(res),
      created: null,
      last_offer: null,
      last_modified: null,
    });
    t.deepEqual(untimed(byName), untimed(byId));
    t.like(byId.json(), {
      id: agentId,
      hostname: 'analytics-1',
      resources: {
        total: { cpus: 4, mem: 4096, disk: 20000 },
        scheduled: { cpus: 0, mem: 0, disk: 0 },
        used: { cpus: 0, mem: 0, disk: 0 },
      },
      job_exes_running: [],
    });
    t.is((await call('GET', '/nodes/analytics-1')).statusCode, 200, 'the trailing slash is optional');
  },
);

test.serial('nodes › a node’s running tasks are listed in its details', async (t) => {
  await call('PATCH', '/nodes/analytics-1/', { is_paused: true });
  await call('PATCH', '/nodes/lab-1/', { is_paused: true });
  await call('PATCH', '/nodes/lab-2/', { is_paused: true });
  try {
    await call('POST', '/client/task', { id: 'detail', dockerimage: 'busybox', mem: 64 });
    const task = await running('detail');
    const details = json<{ job_exes_running: { task: string }[]; resources: { scheduled: unknown } }>(
      await call('GET', '/nodes/lab-3/'),
    );
    t.deepEqual(
      details.job_exes_running.map((x) => x.task),
      [task.id],
    );
    t.deepEqual(details.resources.scheduled, { cpus: 0.1, mem: 64, disk: 0 });
  } finally {
    await kill('detail');
    for (const host of ['analytics-1', 'lab-1', 'lab-2'])
      await call('PATCH', `/nodes/${host}/`, { is_paused: false });
  }
});

test.serial('nodes › an unknown node is a 404 naming it', async (t) => {
  for (const [method, payload] of [['GET'], ['PATCH', { is_paused: true }]] as const) {
    const res = await call(method, '/nodes/agent-9/', payload);
    t.is(res.statusCode, 404);
    t.deepEqual(res.json(), { code: 404, message: 'node agent-9 not found' });
  }
});

test.serial(
  'nodes › PATCH /nodes/<id>/ pauses a node with a reason and answers 201 with its Location',
  async (t) => {
    const agentId = lab.daemon.state.agentsByHostname.get('lab-2') as string;
    try {
      const res = await call('PATCH', '/nodes/lab-2/', { is_paused: true, pause_reason: 'disk swap' });
      t.is(res.statusCode, 201);
      t.is(res.headers.location, `/nodes/${agentId}/`);
      t.like(res.json(), { id: agentId, hostname: 'lab-2', is_paused: true, pause_reason: 'disk swap' });
      t.true(lab.daemon.state.agents.get(agentId)?.held);
      t.is(lab.daemon.state.holds.get('lab-2'), 'disk swap');

      const reason = await call('PATCH', `/nodes/${agentId}/`, { pause_reason: 'new disk' });
      t.is(reason.statusCode, 201);
      t.like(reason.json(), { is_paused: true, pause_reason: 'new disk' });

      const same = await call('PATCH', '/nodes/lab-2/', { is_paused: true });
      t.like(same.json(), { is_paused: true, pause_reason: 'new disk' }, 'a pause without a reason keeps it');

      const cleared = await call('PATCH', '/nodes/lab-2/', { pause_reason: null });
      t.like(
        cleared.json(),
        { is_paused: true, pause_reason: 'held' },
        'null goes back to the default reason',
      );
    } finally {
      const res = await call('PATCH', '/nodes/lab-2/', { is_paused: false });
      t.is(res.statusCode, 201);
      t.like(res.json(), { is_paused: false, pause_reason: null });
    }
    t.false(lab.daemon.state.agents.get(agentId)?.held);
    t.false(lab.daemon.state.holds.has('lab-2'));
  },
);

test.serial('nodes › PATCH /nodes/<id>/ lists unexpected fields and refuses an empty body', async (t) => {
  const extra = await call('PATCH', '/nodes/lab-1/', { is_paused: true, hostname: 'x', port: 1 });
  t.is(extra.statusCode, 400);
  t.deepEqual(extra.json(), {
    code: 400,
    message: 'unexpected fields: hostname, port (allowed: is_paused, pause_reason)',
  });
  const empty = await call('PATCH', '/nodes/lab-1/', {});
  t.is(empty.statusCode, 400);
  t.deepEqual(empty.json(), {
    code: 400,
    message: 'no fields given; send at least one of: is_paused, pause_reason',
  });
  t.false(lab.daemon.state.agents.get(lab.daemon.state.agentsByHostname.get('lab-1') as string)?.held);
});

test.serial('nodes › PATCH /nodes/<id>/ with a wrong type names the field', async (t) => {
  const cases: [unknown, string][] = [
    [{ is_paused: 'yes' }, 'is_paused'],
    [{ is_paused: true, pause_reason: 5 }, 'pause_reason'],
    [{ is_paused: true, pause_reason: 'x'.repeat(1001) }, 'pause_reason'],
  ];
  for (const [payload, field] of cases) {
    const res = await call('PATCH', '/nodes/lab-1/', payload);
    t.is(res.statusCode, 400, JSON.stringify(payload).slice(0, 60));
    t.true(json<{ message: string }>(res).message.includes(field));
  }
  t.false(lab.daemon.state.holds.has('lab-1'));
});

test.serial('nodes › a pause reason for a node that is not paused is a 400', async (t) => {
  for (const payload of [{ pause_reason: 'why' }, { is_paused: false, pause_reason: 'why' }]) {
    const res = await call('PATCH', '/nodes/lab-1/', payload);
    t.is(res.statusCode, 400);
    t.regex(json<{ message: string }>(res).message, /pause_reason applies only to a paused node/);
  }
  t.false(lab.daemon.state.holds.has('lab-1'));
});

test.serial('nodes › a paused node takes no new task; its running tasks go on', async (t) => {
  // lab-1 runs a task, then is paused; a new task asking for a lab node avoids it.
  for (const host of ['analytics-1', 'lab-2', 'lab-3'])
    await call('PATCH', `/nodes/${host}/`, { is_paused: true });
  try {
    await call('POST', '/client/task', { id: 'before', dockerimage: 'busybox', mem: 64 });
    t.is((await running('before')).hostname, 'lab-1');
    await call('PATCH', '/nodes/lab-1/', { is_paused: true, pause_reason: 'draining' });
    for (const host of ['lab-2', 'lab-3']) await call('PATCH', `/nodes/${host}/`, { is_paused: false });
    await call('POST', '/client/task', { id: 'after', dockerimage: 'busybox', mem: 64, nodetype: 'lab' });
    const after = await running('after');
    t.not(after.hostname, 'lab-1');
    t.is(taskOf('before')?.phase, 'running', 'the task on the paused node keeps running');
  } finally {
    await kill('before');
    await kill('after');
    for (const host of ['analytics-1', 'lab-1', 'lab-2', 'lab-3'])
      await call('PATCH', `/nodes/${host}/`, { is_paused: false });
  }
});

// --- the scheduler pause and node pauses together ------------------------------------------------

test.serial(
  'pause › a paused scheduler launches nothing new, running tasks go on, and unpausing restores node pauses',
  async (t) => {
    await call('POST', '/client/task', { id: 'r', dockerimage: 'busybox', mem: 16 });
    const r = await running('r');
    // lab-3 is paused on its own before the scheduler is.
    await call('PATCH', '/nodes/lab-3/', { is_paused: true, pause_reason: 'bad fan' });
    try {
      t.is((await call('PATCH', '/scheduler/', { is_paused: true })).statusCode, 201);
      await call('POST', '/client/task', { id: 'p', dockerimage: 'busybox', mem: 16 });
      const status = json<{ queue_depth: number; scheduler: { is_paused: boolean } }>(
        await call('GET', '/status/'),
      );
      t.is(status.queue_depth, 1);
      t.true(status.scheduler.is_paused);
      // Offers arrive (the submission revives), yet nothing is placed while paused.
      await eventually(
        () =>
          [...lab.daemon.state.offers.values()].some((o) => !lab.daemon.state.agents.get(o.agentId)?.held)
            ? true
            : undefined,
        'an offer while paused',
      );
      t.is(taskOf('p')?.phase, 'pending');
      const why = json<{ why: string }>(await call('GET', `/client/task/${taskOf('p')?.id}/why`));
      t.regex(why.why, /paused/);
      t.is(taskOf('r')?.phase, 'running', 'the task running before the pause keeps running');

      t.is((await call('PATCH', '/scheduler/', { is_paused: false })).statusCode, 201);
      const p = await running('p');
      t.not(p.hostname, 'lab-3', 'the node paused on its own stays paused');
      t.like(json(await call('GET', '/nodes/lab-3/')), { is_paused: true, pause_reason: 'bad fan' });
      t.deepEqual(json(await call('GET', '/scheduler/')), { is_paused: false });
      t.is(taskOf('r')?.id, r.id);
    } finally {
      await call('PATCH', '/scheduler/', { is_paused: false });
      await call('PATCH', '/nodes/lab-3/', { is_paused: false });
      await kill('r');
      await kill('p');
    }
  },
);

test.serial(
  'pause › a node paused while the scheduler is paused is still paused after unpausing',
  async (t) => {
    await call('PATCH', '/scheduler/', { is_paused: true });
    try {
      await call('PATCH', '/nodes/lab-2/', { is_paused: true });
      await call('PATCH', '/scheduler/', { is_paused: false });
      t.like(json(await call('GET', '/nodes/lab-2/')), { is_paused: true });
      t.like(json(await call('GET', '/nodes/lab-1/')), { is_paused: false });
    } finally {
      await call('PATCH', '/scheduler/', { is_paused: false });
      await call('PATCH', '/nodes/lab-2/', { is_paused: false });
    }
  },
);
