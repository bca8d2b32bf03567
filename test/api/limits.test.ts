import test from 'ava';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { MAX_JSON_DEPTH, parseJsonBody } from '../../src/api/plugins/json-body.ts';
import { type Served, serveDaemon } from '../helpers/daemon.ts';
import { eventually } from '../helpers/wait.ts';

let served: Served;
test.before(async () => {
  served = await serveDaemon();
});
test.after.always(async () => {
  await served?.close();
});

const post = (app: FastifyInstance, payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/client/task', payload, headers: { 'content-type': contentType } });

test('limits › a 2 MiB body is 413 with our error shape and the limit', async (t) => {
  const body = JSON.stringify({
    id: 'big',
    dockerimage: 'busybox',
    mem: 16,
    pad: 'x'.repeat(2 * 1024 * 1024),
  });
  const res = await post(served.app, body);
  t.is(res.statusCode, 413);
  t.deepEqual(res.json(), { code: 413, message: 'request body too large: the limit is 1048576 bytes' });
});

test('limits › the body limit is configurable', async (t) => {
  const app = buildApp(served.daemon, { bodyLimit: 64 });
  t.teardown(() => app.close());
  const res = await post(
    app,
    JSON.stringify({ id: 'x', dockerimage: 'busybox', mem: 16, pad: 'y'.repeat(64) }),
  );
  t.is(res.statusCode, 413);
  t.is(res.json().message, 'request body too large: the limit is 64 bytes');
});

test('limits › a "__proto__" key is 400 naming the key and where it is', async (t) => {
  const res = await post(served.app, '{"id":"p","env":{"__proto__":{"polluted":1}}}');
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), {
    code: 400,
    message: 'the request body has a "__proto__" key at /env/__proto__; such keys are refused',
  });
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('limits › constructor.prototype is 400 naming it', async (t) => {
  const res = await post(served.app, '{"constructor":{"prototype":{"polluted":1}}}');
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), {
    code: 400,
    message:
      'the request body has a "constructor" with a "prototype" key at /constructor; such keys are refused',
  });
});

test('limits › invalid JSON is 400 saying where it broke', async (t) => {
  const res = await post(served.app, '{"id": "x",');
  t.is(res.statusCode, 400);
  t.regex(res.json().message, /^the request body is not valid JSON: /);
});

test('limits › an empty JSON body is 400', async (t) => {
  const res = await post(served.app, '');
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), { code: 400, message: 'the request body is empty; send a JSON object' });
});

test('limits › a body nested deeper than the limit is 400', async (t) => {
  const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
  const res = await post(served.app, deep);
  t.is(res.statusCode, 400);
  t.is(res.json().message, `the request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  const ok = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
  t.notThrows(() => parseJsonBody(ok), `${MAX_JSON_DEPTH} levels are fine`);
});

test('limits › bodies that are not JSON are 415', async (t) => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const res = await post(served.app, 'id=x', type);
    t.is(res.statusCode, 415, type);
    t.deepEqual(res.json(), { code: 415, message: 'Content-Type must be application/json' });
  }
  const none = await served.app.inject({ method: 'POST', url: '/client/task', payload: Buffer.from('{}') });
  t.is(none.statusCode, 415, 'no Content-Type at all');
});

test('limits › application/json with a charset is JSON', async (t) => {
  const res = await post(
    served.app,
    '{"id":"charset","dockerimage":"busybox","mem":16,"nodename":"nowhere"}',
    'application/json; charset=utf-8',
  );
  t.is(res.statusCode, 202);
  await served.app.inject({ method: 'DELETE', url: '/client/task/charset' });
});

test('limits › numeric strings in task fields are still accepted (the one deliberate coercion)', async (t) => {
  const res = await post(
    served.app,
    '{"id":"numstr","dockerimage":"busybox","mem":"16","nodename":"nowhere"}',
  );
  t.is(res.statusCode, 202);
  await served.app.inject({ method: 'DELETE', url: '/client/task/numstr' });
});

test('limits › an unknown route is 404 with our shape', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/nope?x=1' });
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), { code: 404, message: 'no such resource: GET /nope' });
});

test('limits › under overload requests get 503 with Retry-After, but /healthz and /metrics still answer', async (t) => {
  // A heap limit of one byte: overloaded from the first sample on.
  const app = buildApp(served.daemon, {
    overload: { maxHeapUsedBytes: 1, sampleInterval: 10, retryAfter: 7 },
  });
  t.teardown(() => app.close());
  await app.ready();
  const res = await eventually(async () => {
    const r = await app.inject({ method: 'GET', url: '/client/task' });
    return r.statusCode === 503 ? r : undefined;
  }, 'the app to shed load');
  t.is(res.headers['retry-after'], '7');
  t.is(res.json().code, 503);
  t.regex(
    res.json().message,
    /^the daemon is overloaded \((heap \d+ MiB|event loop blocked|event-loop delay \d+ ms)\); retry in 7 s$/,
  );
  const post = await app.inject({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'shed', dockerimage: 'busybox', mem: 16 },
  });
  t.is(post.statusCode, 503);
  t.is((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.is((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
});

test('limits › with the default limits an idle daemon is not shedding load', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/client/task' });
  t.is(res.statusCode, 200);
  t.false(served.app.isUnderPressure());
});
