import test from 'ava';
import type { InjectOptions } from 'fastify';
import { liveTask, runningTask, type Served, serveDaemon } from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

/** Charmander's routes at their edges: repeated kills, retiring families, odd URLs and methods. */

let lab: Served;
test.before(async () => {
  lab = await serveDaemon();
});
test.after.always(async () => {
  await lab?.close();
});

const call = (opts: InjectOptions) => lab.app.inject(opts);

test.serial('charmander › a repeated DELETE answers the tasks still being killed, not a 400', async (t) => {
  await call({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'twice', dockerimage: 'busybox', mem: 16 },
  });
  const task = await runningTask(lab, 'twice');
  const first = await call({ method: 'DELETE', url: '/client/task/twice' });
  const again = await call({ method: 'DELETE', url: '/client/task/twice' });
  t.is(first.statusCode, 200);
  t.is(again.statusCode, 200);
  t.is(again.body, `{"code":200,"message":"Kill task: ${task.id}"}\n`);
  await eventually(() => (liveTask(lab, 'twice') === undefined ? true : undefined), 'twice to end');
});

test.serial(
  'charmander › DELETE of a one-per-node id with no copy left retires it and says so',
  async (t) => {
    const res = await call({
      method: 'POST',
      url: '/client/task',
      payload: { id: 'nowhere', dockerimage: 'x', mem: 16, sla: 'one-per-node', nodetype: 'none-such' },
    });
    t.is(res.statusCode, 202);
    t.false(lab.daemon.state.families.get('nowhere')?.retired);
    const del = await call({ method: 'DELETE', url: '/client/task/nowhere' });
    t.is(del.statusCode, 200);
    t.is(del.body, '{"code":200,"message":"Kill task: nowhere"}\n');
    t.true(lab.daemon.state.families.get('nowhere')?.retired);
  },
);

test('charmander › a malformed or overlong URL is a 4xx in our error shape', async (t) => {
  const bad = await call({ method: 'DELETE', url: '/client/task/%E0%A4%A' });
  t.is(bad.statusCode, 400);
  t.deepEqual(bad.json(), { code: 400, message: 'the URL is not valid (bad percent-encoding)' });
  const long = await call({ method: 'DELETE', url: `/client/task/${'x'.repeat(5000)}` });
  t.is(long.statusCode, 414);
  t.deepEqual(long.json(), { code: 414, message: 'the URL is too long' });
});

test.serial('charmander › HEAD does not reshuffle, and a reshuffle takes no body', async (t) => {
  const before = lab.daemon.hub.lastId;
  const head = await call({ method: 'HEAD', url: '/client/task/reshuffle' });
  t.is(head.statusCode, 404);
  const body = await call({
    method: 'POST',
    url: '/client/task/reshuffle',
    payload: { strategy: 'planned' },
  });
  t.is(body.statusCode, 400);
  t.deepEqual(body.json(), {
    code: 400,
    message: 'unexpected fields: strategy (this request takes no body)',
  });
  t.false(
    lab.daemon.hub.since(before).events.some((e) => e.record.type === 'reshuffle'),
    'nothing was reshuffled',
  );
});
