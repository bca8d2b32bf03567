import test from 'ava';
import { buildApp } from '../../src/api/app.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { type Served, serveDaemon } from '../helpers/daemon.ts';

let served: Served;
test.before(async () => {
  served = await serveDaemon();
});
test.after.always(async () => {
  await served?.close();
});

test('ops › /healthz is 200 while the scheduler runs', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/healthz' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { status: 'ok' });
});

test('ops › /readyz is 200 once subscribed and reconciled, naming the framework', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/readyz' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), {
    ready: true,
    subscribed: true,
    reconciled: true,
    framework_id: served.daemon.state.framework.id,
  });
});

test('ops › /readyz is 503 while no master could be reached, and /healthz stays 200', async (t) => {
  // Port 1 on loopback: nothing listens, so the daemon never subscribes.
  const daemon = await Daemon.start({ masters: ['http://127.0.0.1:1'] });
  const app = buildApp(daemon);
  t.teardown(async () => {
    await app.close();
    await daemon.stop();
  });
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.is(res.statusCode, 503);
  t.deepEqual(res.json(), { ready: false, subscribed: false, reconciled: false, framework_id: null });
  t.is((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('ops › HEAD works on the probes', async (t) => {
  for (const url of ['/healthz', '/readyz', '/metrics']) {
    const res = await served.app.inject({ method: 'HEAD', url });
    t.is(res.statusCode, 200, url);
  }
});

test('ops › a method a route does not take is 404 with our shape', async (t) => {
  const res = await served.app.inject({ method: 'POST', url: '/healthz' });
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), { code: 404, message: 'no such resource: POST /healthz' });
});
