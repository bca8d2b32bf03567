import test from 'ava';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../src/api/app.ts';
import { makeTokens } from '../../../src/api/auth.ts';
import type { IntelligenceView } from '../../../src/core/intelligence/view.ts';
import type { Plan } from '../../../src/core/reshuffle/planner.ts';
import type { TaskRecord } from '../../../src/core/scheduler/state.ts';
import { killAndWait, runningTask, type Served, serveDaemon } from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

/**
 * `GET|POST /client/task/reshuffle[?dry_run=true][&strategy=…]` against a real daemon on a fake
 * master, sizing on (Charmander's estimator) so right-sizing has something to gain. One daemon
 * for the file; the tests run serially and kill whatever they start.
 */

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const STRATEGIES = 'charmander, right-size, consolidate, rebalance, planned';

let lab: Served;
let guarded: FastifyInstance;
test.before(async () => {
  lab = await serveDaemon({ daemon: { config: { sizing: 'charmander' } } });
  guarded = buildApp(lab.daemon, { tokens: makeTokens({ admin: [ADMIN], read: [READ] }) });
  await guarded.ready();
});
test.after.always(async () => {
  await guarded?.close();
  await lab?.close();
});

interface PlanAnswer {
  code: number;
  message: string;
  plan: Plan;
}

function call(method: 'GET' | 'POST', url: string): Promise<LightMyRequestResponse> {
  return lab.app.inject({ method, url });
}

const live = () => [...lab.daemon.state.tasks.values()].filter((t) => t.phase !== 'done');

/** Submits reshuffleable copies on the lab nodes and waits until they run. */
async function start(ids: readonly string[], mem = 512): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  for (const id of ids) {
    const res = await lab.app.inject({
      method: 'POST',
      url: '/client/task',
      payload: { id, dockerimage: 'busybox', mem, nodetype: 'lab', reshuffleable: true },
    });
    if (res.statusCode !== 202) throw new Error(res.body);
    tasks.push(await runningTask(lab, id));
  }
  return tasks;
}

async function stop(ids: readonly string[]): Promise<void> {
  for (const id of ids) await killAndWait(lab, id);
}

/** What the scheduler holds now, to show a request changed nothing. */
function snapshot() {
  return {
    tasks: [...lab.daemon.state.tasks.values()].map((t) => [t.id, t.phase, t.killRequested ?? null]),
    pending: lab.daemon.state.pending.size,
    reshuffling: lab.daemon.state.reshuffleRun !== undefined,
  };
}

/** Lets the daemon run a while (simulated seconds), so anything a request set off would show. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

// --- Charmander compatibility --------------------------------------------------------------------

test.serial("reshuffle › GET and POST answer Charmander's 202, byte for byte", async (t) => {
  for (const method of ['GET', 'POST'] as const) {
    const res = await call(method, '/client/task/reshuffle');
    t.is(res.statusCode, 202, method);
    t.is(res.body, '{"code":202,"message":"Reshuffle tasks"}', method);
    const named = await call(method, '/client/task/reshuffle?strategy=charmander&dry_run=false');
    t.is(named.body, '{"code":202,"message":"Reshuffle tasks"}', method);
  }
});

test.serial(
  "reshuffle › Charmander's reshuffle still kills and resubmits every reshuffleable task",
  async (t) => {
    const ids = ['rs-ch-a', 'rs-ch-b'];
    const before = await start(ids, 64);
    try {
      const res = await call('POST', '/client/task/reshuffle');
      t.is(res.body, '{"code":202,"message":"Reshuffle tasks"}');
      for (const old of before) {
        const copy = await eventually(
          () => live().find((x) => x.specId === old.specId && x.id !== old.id && x.phase === 'running'),
          `a new copy of ${old.specId}`,
        );
        t.is(copy.origin, 'reshuffle');
      }
    } finally {
      await stop(ids);
    }
  },
);

// --- dry runs ------------------------------------------------------------------------------------

test.serial('reshuffle › a dry run answers the plan and kills nothing', async (t) => {
  const ids = ['rs-dry-a', 'rs-dry-b'];
  const tasks = await start(ids, 64);
  try {
    const before = snapshot();
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, '/client/task/reshuffle?dry_run=true');
      t.is(res.statusCode, 200, method);
      const body = res.json<PlanAnswer>();
      t.deepEqual(Object.keys(body), ['code', 'message', 'plan']);
      t.is(body.code, 200);
      t.is(body.message, 'Reshuffle plan (dry run): 2 moves, 1 wave, frees 0 MB');
      t.is(body.plan.strategy, 'charmander', 'the configured strategy');
      t.deepEqual(
        body.plan.moves.map((m) => m.task),
        tasks.map((x) => x.id),
      );
      t.is(body.plan.expected.kills, 2);
    }
    await settle();
    t.deepEqual(snapshot(), before, 'no task was killed or resubmitted');
    for (const task of tasks) t.is(lab.daemon.state.tasks.get(task.id)?.phase, 'running');
  } finally {
    await stop(ids);
  }
});

test.serial(
  'reshuffle › a right-size dry run shows the expected gain; applying it right-sizes',
  async (t) => {
    const [task] = await start(['rs-fat'], 512);
    if (!task) throw new Error('no task');
    try {
      for (const memMb of [40, 50, 45])
        await lab.daemon.change({ type: 'usage', samples: [{ task: task.id, memMb, cpus: 0.1 }] });
      const sized = (
        await lab.app.inject({ method: 'GET', url: '/client/intelligence/rs-fat' })
      ).json<IntelligenceView>().inEffect.mem;
      t.is(sized, 58, 'Charmander: 50 MB = 52,428,800 bytes → 52 × 1.1 → 58 MB');

      const before = snapshot();
      const dry = await call('GET', '/client/task/reshuffle?dry_run=true&strategy=right-size');
      t.is(dry.statusCode, 200);
      const { message, plan } = dry.json<PlanAnswer>();
      t.is(plan.strategy, 'right-size');
      t.like(plan.moves[0], { task: task.id, specId: 'rs-fat', mem: 58 });
      t.is(plan.moves.length, 1);
      t.is(plan.expected.freeMemAfter - plan.expected.freeMemBefore, 512 - 58);
      t.is(message, 'Reshuffle plan (dry run): 1 move, 1 wave, frees 454 MB');
      await settle();
      t.deepEqual(snapshot(), before, 'a dry run changes nothing');

      // Applied: Charmander's two fields first and unchanged, then the plan being carried out.
      const applied = await call('POST', '/client/task/reshuffle?strategy=right-size');
      t.is(applied.statusCode, 202);
      const body = applied.json<PlanAnswer>();
      t.deepEqual(Object.keys(body), ['code', 'message', 'plan']);
      t.like(body, { code: 202, message: 'Reshuffle tasks' });
      t.true(applied.body.startsWith('{"code":202,"message":"Reshuffle tasks","plan":{'));
      t.deepEqual(body.plan, plan);
      const copy = await eventually(
        () => live().find((x) => x.specId === 'rs-fat' && x.id !== task.id && x.phase === 'running'),
        'the right-sized copy to run',
      );
      t.is(copy.spec.mem, 58);
      t.is(copy.agentId, task.agentId, 'right-sized in place');
      await eventually(
        () => (lab.daemon.state.tasks.get(task.id)?.phase === 'done' ? true : undefined),
        'the old copy to end',
      );
    } finally {
      await stop(['rs-fat']);
      await lab.daemon.change({ type: 'intelligence-clear', id: 'rs-fat' });
    }
  },
);

test.serial('reshuffle › every strategy can be dry-run', async (t) => {
  const ids = ['rs-any-a'];
  await start(ids, 64);
  try {
    const before = snapshot();
    for (const strategy of STRATEGIES.split(', ')) {
      const res = await call('POST', `/client/task/reshuffle?strategy=${strategy}&dry_run=true`);
      t.is(res.statusCode, 200, strategy);
      const body = res.json<PlanAnswer>();
      t.is(body.plan.strategy as string, strategy);
      t.regex(
        body.message,
        /^Reshuffle plan \(dry run\): \d+ moves?, \d+ waves?, (frees \d+ MB|takes \d+ MB more)/,
      );
    }
    await settle();
    t.deepEqual(snapshot(), before);
  } finally {
    await stop(ids);
  }
});

// --- bad requests --------------------------------------------------------------------------------

test.serial('reshuffle › bad dry_run values, unknown strategies and parameters are a 400', async (t) => {
  const ids = ['rs-bad'];
  await start(ids, 64);
  try {
    const before = snapshot();
    const cases: [string, string][] = [
      ['dry_run=yes', 'dry_run must be true or false, got "yes"'],
      ['dry_run=', 'dry_run must be true or false, got ""'],
      ['dry_run=TRUE', 'dry_run must be true or false, got "TRUE"'],
      ['strategy=shuffle', `unknown strategy "shuffle" (valid: ${STRATEGIES})`],
      ['strategy=shuffle&dry_run=true', `unknown strategy "shuffle" (valid: ${STRATEGIES})`],
      ['dry_run=true&dry_run=true', 'query parameter dry_run is given more than once'],
      ['dryrun=true', 'unexpected query parameters: dryrun (allowed: dry_run, strategy)'],
    ];
    for (const method of ['GET', 'POST'] as const) {
      for (const [query, message] of cases) {
        const res = await call(method, `/client/task/reshuffle?${query}`);
        t.is(res.statusCode, 400, `${method} ${query}`);
        t.deepEqual(res.json(), { code: 400, message }, `${method} ${query}`);
      }
    }
    await settle();
    t.deepEqual(snapshot(), before, 'nothing was reshuffled');
  } finally {
    await stop(ids);
  }
});

// --- tokens --------------------------------------------------------------------------------------

test.serial('reshuffle › a read token may ask for a dry-run GET, and nothing more', async (t) => {
  const as = (token: string, method: 'GET' | 'POST', url: string) =>
    guarded.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
  const before = snapshot();
  const dry = await as(READ, 'GET', '/client/task/reshuffle?dry_run=true');
  t.is(dry.statusCode, 200);
  t.regex(dry.json<PlanAnswer>().message, /^Reshuffle plan \(dry run\)/);
  t.is((await as(READ, 'GET', '/client/task/reshuffle?strategy=planned&dry_run=true')).statusCode, 200);
  // Past the token check, the strict query checks still apply.
  t.is((await as(READ, 'GET', '/client/task/reshuffle?dry_run=true&strategy=shuffle')).statusCode, 400);

  for (const url of [
    '/client/task/reshuffle',
    '/client/task/reshuffle?dry_run=false',
    '/client/task/reshuffle?dry_run=yes',
    '/client/task/reshuffle?dry_run=true&dry_run=true',
  ]) {
    const res = await as(READ, 'GET', url);
    t.is(res.statusCode, 403, url);
    t.deepEqual(res.json(), {
      code: 403,
      message: 'this is a read-only token; GET /client/task/reshuffle needs the admin token',
    });
  }
  t.is((await as(READ, 'POST', '/client/task/reshuffle?dry_run=true')).statusCode, 403, 'a POST needs admin');
  t.is((await as(ADMIN, 'GET', '/client/task/reshuffle?dry_run=true')).statusCode, 200);
  const none = await guarded.inject({ method: 'GET', url: '/client/task/reshuffle?dry_run=true' });
  t.is(none.statusCode, 401, 'a dry run still needs a token');
  await settle();
  t.deepEqual(snapshot(), before);
});

test.serial('reshuffle › the OpenAPI document describes the dry run and the strategies', async (t) => {
  const spec = (await lab.app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, Record<string, { description?: string }>>;
  }>();
  for (const method of ['get', 'post']) {
    const description = spec.paths['/client/task/reshuffle']?.[method]?.description ?? '';
    t.regex(description, /dry_run=true/);
    t.true(description.includes(STRATEGIES));
  }
});
