import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { SeededRandom } from '../../src/adapters/seeded-random.ts';
import { SystemClock } from '../../src/adapters/system-clock.ts';
import { FakeMaster } from '../../src/fake-master/fake-master.ts';
import { codecFor } from '../../src/mesos-http/codec/codec.ts';
import { encodeRecord } from '../../src/mesos-http/codec/recordio.ts';
import { HttpTransport } from '../../src/mesos-http/http-transport.ts';
import { parseMasters, resolveLocation } from '../../src/mesos-http/masters.ts';
import { Recorder, subscribeCall } from '../transport/contract.ts';

const json = codecFor('json');

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function transport(masters: string[], extra: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}) {
  const log: string[] = [];
  const t = new HttpTransport({
    masters,
    clock: new SystemClock(),
    random: new SeededRandom(1),
    reconnectBaseMs: 50,
    reconnectMaxMs: 200,
    log: (l) => log.push(l),
    ...extra,
  });
  return { t, log };
}

function subscribedRecord(heartbeatSeconds: number): Uint8Array {
  return encodeRecord(
    json.encodeEvent({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: 'fw-0000' }, heartbeat_interval_seconds: heartbeatSeconds },
    }),
  );
}

test('masters › parses host:port lists with and without a scheme, default port 5050', (t) => {
  t.deepEqual(parseMasters('10.0.0.1:5050, m2, http://m3:6060'), [
    'http://10.0.0.1:5050',
    'http://m2:5050',
    'http://m3:6060',
  ]);
  t.throws(() => parseMasters(''), { message: /at least one/ });
  t.throws(() => parseMasters('m1:5050/api'), { message: /must not have a path/ });
});

test('masters › resolves the scheme-relative Location of a redirect against the request', (t) => {
  t.deepEqual(
    resolveLocation('//10.0.0.2:5050/master/api/v1/scheduler', 'http://10.0.0.1:5050/api/v1/scheduler'),
    {
      origin: 'http://10.0.0.2:5050',
      path: '/master/api/v1/scheduler',
    },
  );
  t.is(
    resolveLocation('//10.0.0.2:5050', 'http://10.0.0.1:5050/master/redirect').origin,
    'http://10.0.0.2:5050',
  );
});

test('HttpTransport › declares a silent stream dead after five missed heartbeats and resubscribes', async (t) => {
  let subscribes = 0;
  const { server, url } = await serve((req, res) => {
    if (req.url === '/master/redirect')
      return void res.writeHead(307, { location: `//${req.headers.host}` }).end();
    req.resume();
    subscribes++;
    res.writeHead(200, { 'content-type': 'application/json', 'mesos-stream-id': `s-${subscribes}` });
    res.write(subscribedRecord(0.05)); // then silence, socket left open
  });
  const { t: tr } = transport([url]);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected');
  tr.send(subscribeCall());
  await waitFor(() => r.disconnectedCount > 0, 'the watchdog');
  t.regex(r.log.find((l) => l.startsWith('disconnected')) ?? '', /missed heartbeats/);
  await waitFor(() => r.connectedCount > 1, 'looking for a leader again');
  await tr.stop();
  server.closeAllConnections();
  server.close();
});

test('HttpTransport › skips an unreachable master and finds the leader through /master/redirect', async (t) => {
  const fake = new FakeMaster({ ports: [0, 0], agents: [], speed: 10 });
  const urls = await fake.start();
  const dead = await serve(() => undefined);
  const deadUrl = dead.url;
  dead.server.close();
  const { t: tr } = transport([deadUrl, urls[1] as string]);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected');
  t.is(tr.leader, urls[0], 'the follower pointed at the leader');
  tr.send(subscribeCall());
  await waitFor(() => r.frameworkIds().length > 0, 'SUBSCRIBED');
  await tr.stop();
  await fake.stop();
});

test('HttpTransport › keeps looking while no leader is elected (503), with backoff', async (t) => {
  let asked = 0;
  const fake = new FakeMaster({ ports: [0], agents: [], speed: 10 });
  const [leader] = await fake.start();
  const { server, url } = await serve((_req, res) => {
    asked++;
    if (asked < 3) return void res.writeHead(503).end('No leader elected');
    res.writeHead(307, { location: (leader as string).replace('http:', '') }).end();
  });
  const { t: tr, log } = transport([url]);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected after the 503s');
  t.true(asked >= 3);
  t.true(log.some((l) => /no leader elected/.test(l)));
  t.is(tr.leader, leader);
  await tr.stop();
  server.close();
  await fake.stop();
});

test('HttpTransport › follows a 307 on SUBSCRIBE to the leader and remembers it', async (t) => {
  const fake = new FakeMaster({ ports: [0], agents: [], speed: 10 });
  const [leader] = await fake.start();
  const { server, url } = await serve((req, res) => {
    req.resume();
    if (req.url === '/master/redirect') return void res.writeHead(404).end();
    res
      .writeHead(307, { location: `${(leader as string).replace('http:', '')}/master/api/v1/scheduler` })
      .end();
  });
  const { t: tr } = transport([url]);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected');
  t.is(tr.leader, url, 'a master without /master/redirect is tried directly');
  tr.send(subscribeCall());
  await waitFor(() => r.frameworkIds().length > 0, 'SUBSCRIBED through the redirect');
  t.is(tr.leader, leader);
  await tr.stop();
  server.close();
  await fake.stop();
});

test('HttpTransport › a corrupt stream ends the subscription with a clear reason', async (t) => {
  const { server, url } = await serve((req, res) => {
    if (req.url === '/master/redirect')
      return void res.writeHead(307, { location: `//${req.headers.host}` }).end();
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'mesos-stream-id': 's' });
    res.end('12x\n{"type":"HEARTBEAT"}');
  });
  const { t: tr } = transport([url]);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected');
  tr.send(subscribeCall());
  await waitFor(() => r.disconnectedCount > 0, 'disconnected');
  t.regex(
    r.log.find((l) => l.startsWith('disconnected')) ?? '',
    /corrupt event stream: corrupt RecordIO length prefix/,
  );
  await tr.stop();
  server.close();
});

test('HttpTransport › sends HTTP Basic credentials and never puts the secret in a message', async (t) => {
  const secret = 's3cr3t-value';
  const fake = new FakeMaster({ ports: [0], agents: [], speed: 10, credentials: new Map([['lab', secret]]) });
  const urls = await fake.start();
  const good = transport(urls, { credentials: { principal: 'lab', secret } });
  const ok = new Recorder();
  good.t.start(ok);
  await waitFor(() => ok.connectedCount > 0, 'connected');
  good.t.send(subscribeCall());
  await waitFor(() => ok.frameworkIds().length > 0, 'SUBSCRIBED with credentials');
  await good.t.stop();

  const bad = transport(urls, { credentials: { principal: 'lab', secret: 'wrong-secret' } });
  const refused = new Recorder();
  bad.t.start(refused);
  await waitFor(() => refused.connectedCount > 0, 'connected (the redirect endpoint is open)');
  bad.t.send(subscribeCall());
  await waitFor(() => refused.disconnectedCount > 0, 'refused');
  t.regex(refused.log.join('\n'), /HTTP 401/);
  const everything = [...refused.log, ...refused.failures, ...bad.log, ...good.log, ...ok.log].join('\n');
  t.false(everything.includes(secret));
  t.false(everything.includes('wrong-secret'));
  await bad.t.stop();
  await fake.stop();
});

test('HttpTransport › a refused call becomes one clear message through callFailed', async (t) => {
  const fake = new FakeMaster({ ports: [0], agents: [], speed: 10 });
  const urls = await fake.start();
  const { t: tr } = transport(urls);
  const r = new Recorder();
  tr.start(r);
  await waitFor(() => r.connectedCount > 0, 'connected');
  tr.send(subscribeCall());
  await waitFor(() => r.frameworkIds().length > 0, 'SUBSCRIBED');
  tr.send({
    framework_id: { value: r.frameworkIds()[0] as string },
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'c2hvcnQ=' },
  });
  await waitFor(() => r.failures.length > 0, 'callFailed');
  t.regex(
    r.failures[0] as string,
    /^ACKNOWLEDGE: ACKNOWLEDGE refused by http:\/\/127\.0\.0\.1:\d+ with HTTP 400: Failed to validate scheduler::Call: Not a valid UUID$/,
  );
  await tr.stop();
  await fake.stop();
});
