import { request as httpRequest, type IncomingMessage } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import Fastify, { type FastifyInstance } from 'fastify';
import { eventsRoutes, sseFrame } from '../../src/api/events.ts';
import type { SchedulerRecord } from '../../src/core/scheduler/records.ts';
import { EventHub } from '../../src/daemon/event-hub.ts';
import { type Served, serveDaemon } from '../helpers/daemon.ts';
import { eventually } from '../helpers/wait.ts';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** An event stream read over a real socket. */
interface Stream {
  readonly res: IncomingMessage;
  /** Events parsed so far. */
  readonly events: SseEvent[];
  /** Comment lines (`: …`) seen so far. */
  readonly comments: string[];
  readonly ended: () => boolean;
  close(): void;
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return address.port;
}

/** Opens `GET path` on the app's port and parses the SSE frames as they arrive. */
function openStream(
  t: ExecutionContext,
  app: FastifyInstance,
  path = '/v1/events',
  headers: Record<string, string> = {},
): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: listeningPort(app), path, headers }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data = line.slice(6);
          }
          if (event.event !== undefined || event.data !== undefined) events.push(event);
        }
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('error', () => {
        ended = true;
      });
      const stream: Stream = { res, events, comments, ended: () => ended, close: () => req.destroy() };
      t.teardown(() => stream.close());
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

const paused = (p: boolean): SchedulerRecord => ({ type: 'paused', paused: p });

/** A bare app serving only the event stream of `hub`. */
async function streamApp(t: ExecutionContext, hub: EventHub, keepAliveMs?: number): Promise<FastifyInstance> {
  const app = Fastify();
  app.register(eventsRoutes(hub, keepAliveMs === undefined ? {} : { keepAliveMs }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return app;
}

let served: Served;
test.before(async () => {
  served = await serveDaemon();
  await served.app.listen({ port: 0, host: '127.0.0.1' });
});
test.after.always(async () => {
  await served?.close();
});

test.serial(
  'events › a submitted task shows as task-submitted then task-launched, with increasing ids',
  async (t) => {
    const stream = await openStream(t, served.app);
    t.is(stream.res.statusCode, 200);
    t.regex(stream.res.headers['content-type'] ?? '', /^text\/event-stream/);
    t.is(stream.res.headers['cache-control'], 'no-cache, no-transform');
    const res = await served.app.inject({
      method: 'POST',
      url: '/client/task',
      payload: { id: 'sse', dockerimage: 'busybox', mem: 16 },
    });
    t.is(res.statusCode, 202);
    const launched = await eventually(
      () => stream.events.find((e) => e.event === 'task-launched'),
      'a task-launched event on the stream',
    );
    const submitted = stream.events.find((e) => e.event === 'task-submitted');
    if (submitted?.data === undefined || launched.data === undefined) return t.fail('no data');
    const sub = JSON.parse(submitted.data) as { t: number; type: string; task: string };
    const launch = JSON.parse(launched.data) as { t: number; type: string; task: string; hostname: string };
    t.is(sub.type, 'task-submitted');
    t.regex(sub.task, /^sse/);
    t.is(launch.type, 'task-launched');
    t.is(launch.task, sub.task);
    t.is(typeof launch.t, 'number');
    t.true(Number(launched.id) > Number(submitted.id));
    const ids = stream.events.map((e) => Number(e.id));
    t.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids only increase',
    );
  },
);

test.serial('events › reconnecting with Last-Event-ID gives only the events after that id', async (t) => {
  const all = served.daemon.hub.since(0).events;
  const submitted = all.find((e) => e.record.type === 'task-submitted');
  if (submitted === undefined) return t.fail('the previous test submitted a task');
  const stream = await openStream(t, served.app, '/v1/events', { 'Last-Event-ID': String(submitted.id) });
  const expected = served.daemon.hub.since(submitted.id).events.length;
  t.true(expected >= 1, 'at least the launch came after it');
  await eventually(() => (stream.events.length >= expected ? true : undefined), 'the missed events');
  t.is(Number(stream.events[0]?.id), submitted.id + 1);
  t.true(stream.events.every((e) => Number(e.id) > submitted.id));
  t.false(stream.events.some((e) => e.event === 'reset'));
  t.true(stream.events.some((e) => e.event === 'task-launched'));

  // New events follow the replayed ones.
  const kill = await served.app.inject({ method: 'DELETE', url: '/client/task/sse' });
  t.is(kill.statusCode, 200);
  const killed = await eventually(
    () => stream.events.find((e) => e.event === 'kill-requested'),
    'the kill on the resumed stream',
  );
  t.true(Number(killed.id) > submitted.id);
});

test('events › ?last_event_id= resumes like the header, and 0 replays every kept event', async (t) => {
  const hub = new EventHub();
  for (let i = 0; i < 3; i++) hub.publish(paused(i % 2 === 0), i);
  const app = await streamApp(t, hub);
  const fromZero = await openStream(t, app, '/v1/events?last_event_id=0');
  await eventually(() => (fromZero.events.length === 3 ? true : undefined), 'three replayed events');
  t.deepEqual(
    fromZero.events.map((e) => e.id),
    ['1', '2', '3'],
  );
  t.deepEqual(JSON.parse(fromZero.events[0]?.data ?? '{}'), { t: 0, type: 'paused', paused: true });
  const fromTwo = await openStream(t, app, '/v1/events?last_event_id=2');
  await eventually(() => (fromTwo.events.length === 1 ? true : undefined), 'one replayed event');
  t.is(fromTwo.events[0]?.id, '3');
});

test('events › a new connection gets only what happens after it connected', async (t) => {
  const hub = new EventHub();
  hub.publish(paused(true), 1);
  const app = await streamApp(t, hub);
  const stream = await openStream(t, app);
  hub.publish(paused(false), 2);
  await eventually(() => (stream.events.length === 1 ? true : undefined), 'the new event');
  t.is(stream.events[0]?.id, '2');
  t.is(stream.events[0]?.event, 'paused');
});

test('events › when events after Last-Event-ID were dropped, a reset comes first and the stream goes on from there', async (t) => {
  const hub = new EventHub(3);
  for (let i = 1; i <= 6; i++) hub.publish(paused(i % 2 === 0), i);
  const app = await streamApp(t, hub);
  const stream = await openStream(t, app, '/v1/events', { 'Last-Event-ID': '1' });
  await eventually(() => (stream.events.length === 1 ? true : undefined), 'the reset');
  const reset = stream.events[0];
  t.is(reset?.event, 'reset');
  t.is(reset?.id, '6', 'the reset carries the id to resume from');
  t.regex(JSON.parse(reset?.data ?? '{}').message, /list tasks and nodes again/);
  hub.publish(paused(true), 7);
  await eventually(() => (stream.events.length === 2 ? true : undefined), 'the next event');
  t.is(stream.events[1]?.id, '7');
});

test('events › an id from before a daemon restart (beyond the newest) also gets a reset', async (t) => {
  const hub = new EventHub();
  hub.publish(paused(true), 1);
  const app = await streamApp(t, hub);
  const stream = await openStream(t, app, '/v1/events', { 'Last-Event-ID': '500' });
  await eventually(() => (stream.events.length === 1 ? true : undefined), 'the reset');
  t.is(stream.events[0]?.event, 'reset');
  t.is(stream.events[0]?.id, '1');
  t.regex(JSON.parse(stream.events[0]?.data ?? '{}').message, /before the daemon restarted/);
});

test('events › a keep-alive comment is sent while nothing happens', async (t) => {
  const app = await streamApp(t, new EventHub(), 20);
  const stream = await openStream(t, app);
  await eventually(() => (stream.comments.includes('keep-alive') ? true : undefined), 'a keep-alive comment');
  t.is(stream.events.length, 0);
});

test('events › a client that disconnects is unsubscribed, and publishing after it goes on without error', async (t) => {
  const hub = new EventHub();
  const app = await streamApp(t, hub, 10);
  const stream = await openStream(t, app);
  hub.publish(paused(true), 1);
  await eventually(() => (stream.events.length === 1 ? true : undefined), 'the first event');
  stream.close();
  // Publish while the socket is going away: writes to a closing socket must not throw.
  for (let i = 0; i < 200; i++) t.notThrows(() => hub.publish(paused(i % 2 === 0), i));
  const second = await openStream(t, app);
  hub.publish(paused(false), 300);
  await eventually(() => (second.events.length === 1 ? true : undefined), 'an event on a new connection');
  t.is(second.events[0]?.id, String(hub.lastId));
});

test('events › closing the app ends open streams instead of waiting for clients', async (t) => {
  const hub = new EventHub();
  const app = Fastify();
  app.register(eventsRoutes(hub));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const stream = await openStream(t, app);
  await app.close();
  await eventually(() => (stream.ended() ? true : undefined), 'the stream to end');
  t.notThrows(() => hub.publish(paused(true), 1));
});

test('events › a malformed Last-Event-ID is a 400 naming the header', async (t) => {
  const res = await served.app.inject({
    method: 'GET',
    url: '/v1/events',
    headers: { 'last-event-id': 'abc' },
  });
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), {
    code: 400,
    message: 'Last-Event-ID must be an event id (a whole number ≥ 0), got "abc"',
  });
});

test('events › a malformed last_event_id is a 400 naming the parameter', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/v1/events?last_event_id=-1' });
  t.is(res.statusCode, 400);
  t.regex(res.json().message, /^last_event_id must be an event id/);
});

test('events › an unknown query parameter is a 400 naming it', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/v1/events?since=3' });
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), { code: 400, message: 'querystring has an unknown field "since"' });
});

test('events › a frame is id, event type and JSON data with t first', (t) => {
  t.is(
    sseFrame({ id: 7, t: 1500, record: { type: 'agent-held', hostname: 'lab-1', held: true } }),
    'id: 7\nevent: agent-held\ndata: {"t":1500,"type":"agent-held","hostname":"lab-1","held":true}\n\n',
  );
});
