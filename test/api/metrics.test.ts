import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { buildApp } from '../../src/api/app.ts';
import { DaemonMetrics } from '../../src/api/metrics.ts';
import { type Served, serveDaemon } from '../helpers/daemon.ts';
import { eventually } from '../helpers/wait.ts';

let served: Served;
test.before(async () => {
  served = await serveDaemon();
});
test.after.always(async () => {
  await served?.close();
});

/** The value of an unlabelled sample in Prometheus text, or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

const SCHEDULER_METRICS = [
  'offerlab_offers_received_total',
  'offerlab_offers_declined_total',
  'offerlab_launches_total',
  'offerlab_kills_total',
  'offerlab_pending_tasks',
  'offerlab_running_tasks',
  'offerlab_resubscriptions_total',
  'offerlab_reconciliation_seconds',
  'offerlab_subscribed',
  'offerlab_ready',
  'offerlab_agents',
];

test('metrics › /metrics serves every scheduler metric, fsync latency and event-loop lag as Prometheus text', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/metrics' });
  t.is(res.statusCode, 200);
  t.regex(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
  for (const name of SCHEDULER_METRICS) {
    t.true(res.body.includes(`# TYPE ${name} `), `${name} is declared`);
    t.not(sample(res.body, name), undefined, `${name} has a value`);
  }
  t.true(res.body.includes('# TYPE offerlab_journal_fsync_seconds histogram'));
  t.true(res.body.includes('# TYPE offerlab_http_request_duration_seconds histogram'));
  t.true(res.body.includes('nodejs_eventloop_lag_seconds'), 'event-loop lag (default metrics)');
});

test('metrics › the figures are read from the daemon when scraped', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/metrics' });
  const counters = served.daemon.state.counters;
  t.is(sample(res.body, 'offerlab_subscribed'), 1);
  t.is(sample(res.body, 'offerlab_ready'), 1);
  t.is(sample(res.body, 'offerlab_agents'), served.daemon.state.agents.size);
  t.true((sample(res.body, 'offerlab_offers_received_total') ?? 0) >= 1);
  t.true((sample(res.body, 'offerlab_offers_received_total') ?? 0) <= counters.offersReceived);
  t.is(sample(res.body, 'offerlab_resubscriptions_total'), Math.max(0, counters.subscriptions - 1));
  t.is(sample(res.body, 'offerlab_reconciliation_seconds'), counters.lastReconcileMs / 1000);
});

test.serial('metrics › the pending gauge rises when a task that cannot be placed is submitted', async (t) => {
  const pending = async () =>
    sample((await served.app.inject({ method: 'GET', url: '/metrics' })).body, 'offerlab_pending_tasks');
  const before = await pending();
  t.is(before, served.daemon.state.pending.size);
  const res = await served.app.inject({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'm', dockerimage: 'busybox', mem: 16, nodename: 'no-such-node' },
  });
  t.is(res.statusCode, 202);
  t.is(await pending(), (before ?? 0) + 1);
  const kill = await served.app.inject({ method: 'DELETE', url: '/client/task/m' });
  t.is(kill.statusCode, 200);
  t.is(await pending(), before);
});

test.serial('metrics › launches and running tasks count a task that runs', async (t) => {
  const scrape = async () => (await served.app.inject({ method: 'GET', url: '/metrics' })).body;
  const launched = sample(await scrape(), 'offerlab_launches_total') ?? 0;
  const res = await served.app.inject({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'runs', dockerimage: 'busybox', mem: 16 },
  });
  t.is(res.statusCode, 202);
  await eventually(async () => {
    const text = await scrape();
    return (sample(text, 'offerlab_launches_total') ?? 0) > launched &&
      (sample(text, 'offerlab_running_tasks') ?? 0) >= 1
      ? true
      : undefined;
  }, 'the launch and TASK_RUNNING to show in /metrics');
  t.pass();
  await served.app.inject({ method: 'DELETE', url: '/client/task/runs' });
});

test('metrics › request durations are labelled by route pattern, never by the raw URL', async (t) => {
  await served.app.inject({ method: 'GET', url: '/client/task/secret-id-123/why' });
  await served.app.inject({ method: 'GET', url: '/no/such/path/4711' });
  const text = (await served.app.inject({ method: 'GET', url: '/metrics' })).body;
  t.regex(
    text,
    /offerlab_http_request_duration_seconds_count\{method="GET",route="\/client\/task\/:id\/why",status_code="404"\} [1-9]/,
  );
  t.regex(text, /route="<unmatched>",status_code="404"/);
  t.false(text.includes('secret-id-123'));
  t.false(text.includes('4711'));
});

test('metrics › journal fsyncs are observed when the daemon is started with metrics.observeFsync', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-metrics-'));
  const metrics = new DaemonMetrics();
  const durable = await serveDaemon({ daemon: { stateDir: dir, onSync: metrics.observeFsync } });
  const app = buildApp(durable.daemon, { metrics });
  t.teardown(async () => {
    await app.close();
    await durable.close();
    await rm(dir, { recursive: true, force: true });
  });
  const res = await app.inject({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'synced', dockerimage: 'busybox', mem: 16 },
  });
  t.is(res.statusCode, 202);
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.true((sample(text, 'offerlab_journal_fsync_seconds_count') ?? 0) >= 1, 'the submit was fsynced');
  t.is(sample(text, 'offerlab_agents'), durable.daemon.state.agents.size, 'bound to the durable daemon');
});

test('metrics › a DaemonMetrics made before its daemon reports zeros, and refuses a second daemon', async (t) => {
  const metrics = new DaemonMetrics({ defaultMetrics: false });
  t.false(metrics.bound);
  const text = await metrics.text();
  t.is(sample(text, 'offerlab_pending_tasks'), 0);
  t.is(sample(text, 'offerlab_launches_total'), 0);
  t.false(text.includes('nodejs_'), 'no default metrics when turned off');
  metrics.observeFsync(2.5);
  t.is(sample(await metrics.text(), 'offerlab_journal_fsync_seconds_count'), 1);
  metrics.bind(served.daemon);
  t.notThrows(() => metrics.bind(served.daemon), 'binding again to the same daemon is fine');
  const other = { state: served.daemon.state } as unknown as typeof served.daemon;
  t.throws(() => metrics.bind(other), { message: /already bound/ });
});

test('metrics › two instances in one process keep separate registries', async (t) => {
  const a = new DaemonMetrics();
  const b = new DaemonMetrics();
  a.observeFsync(1);
  t.is(sample(await a.text(), 'offerlab_journal_fsync_seconds_count'), 1);
  t.is(sample(await b.text(), 'offerlab_journal_fsync_seconds_count'), 0);
});
