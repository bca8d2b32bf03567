import test from 'ava';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { TASK_SPEC_FIELDS } from '../../src/core/spec/task-spec.ts';

type Method = NonNullable<InjectOptions['method']>;

import { type Served, serveDaemon } from '../helpers/daemon.ts';
import { fcParams, SEED } from '../helpers/property.ts';

/**
 * Every mutating route the app has, found in its OpenAPI document (so routes added later are
 * fuzzed too), hit with arbitrary JSON, wrong types, prototype-polluting, huge and malformed
 * bodies and wrong content types: the answer is never a 5xx, and every 4xx is our JSON error
 * naming the problem.
 */

interface Route {
  readonly method: Method;
  /** OpenAPI path, `{param}` placeholders included. */
  readonly path: string;
}

const MUTATING = new Set(['post', 'put', 'patch', 'delete']);

let served: Served;
let routes: Route[] = [];
test.before(async () => {
  served = await serveDaemon();
  const spec = (await served.app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, Record<string, unknown>>;
  }>();
  routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => MUTATING.has(m))
      .map((m) => ({ method: m.toUpperCase() as Method, path })),
  );
});
test.after.always(async () => {
  await served?.close();
});

/** Field names the routes know, so wrong-typed values reach the validators, not just "unknown field". */
const FIELDS = [
  ...TASK_SPEC_FIELDS,
  'count',
  'is_paused',
  'pause_reason',
  'action',
  'hostname',
  'reason',
  'enabled',
];

const POLLUTING = [
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"id":"p","dockerimage":"busybox","mem":16,"__proto__":{"mem":1}}',
  '[{"__proto__":null}]',
  '{"a":{"b":{"constructor":{"prototype":{"polluted":true}}}}}',
  '{"__proto__":{"is_paused":true},"is_paused":"yes"}',
];

interface Body {
  readonly payload?: string;
  readonly contentType?: string;
}

const json = (payload: string): Body => ({ payload, contentType: 'application/json' });

const bodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue().map((v) => json(JSON.stringify(v) ?? 'null')) },
  {
    weight: 4,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(...FIELDS),
        fc.oneof(fc.jsonValue(), fc.string(), fc.double(), fc.constant(null)),
        {
          maxKeys: 6,
        },
      )
      .map((o) => json(JSON.stringify(o))),
  },
  { weight: 2, arbitrary: fc.constantFrom(...POLLUTING).map(json) },
  {
    weight: 2,
    arbitrary: fc
      .string({ maxLength: 40 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map(json),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      payload: fc.string({ maxLength: 40 }),
      contentType: fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json-patch+json',
        'application/octet-stream',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Body>({}) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      json(`{"id":"${'h'.repeat(1_100_000)}"}`),
      json(`${'['.repeat(5000)}${']'.repeat(5000)}`),
      json(`{"id":"x","dockerimage":"busybox","mem":1e308,"cpus":-0,"count":1e21}`),
    ),
  },
);

/** A value for a path parameter: arbitrary text, or something that looks like a real id. */
const param = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom('lab-1', 'analytics-1', 'm', 'x', 'hold', 'drain', 'release', '..', '%', '0'),
);

const request = fc
  .integer({ min: 0, max: 1_000_000 })
  .chain((i) => {
    const route = routes[i % routes.length] as Route;
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    return fc.record({
      route: fc.constant(route),
      params: fc.array(param, { minLength: names.length, maxLength: names.length }),
      body: bodies,
    });
  })
  .map(({ route, params, body }) => {
    let n = 0;
    const url = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[n++] ?? 'x'));
    return { route, url, body };
  });

test(`fuzz › every mutating route answers arbitrary bodies with < 500, and 4xx with a JSON message (seed=${SEED})`, async (t) => {
  t.true(routes.length >= 6, `found ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  t.true(routes.some((r) => r.method === 'POST' && r.path === '/client/task'));
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async ({ route, url, body }) => {
      const opts: InjectOptions = { method: route.method, url };
      if (body.payload !== undefined) opts.payload = body.payload;
      if (body.contentType !== undefined) opts.headers = { 'content-type': body.contentType };
      const res = await served.app.inject(opts);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const where = `${route.method} ${url} ${body.contentType ?? ''} ${(body.payload ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      if (res.statusCode >= 500) throw new Error(`a 5xx: ${where}`);
      if (res.statusCode >= 400) {
        if (!/^application\/json/.test(String(res.headers['content-type'])))
          throw new Error(`a non-JSON error: ${where}`);
        const parsed = res.json<{ code?: unknown; message?: unknown }>();
        if (parsed.code !== res.statusCode) throw new Error(`code does not match the status: ${where}`);
        if (typeof parsed.message !== 'string' || parsed.message.trim() === '')
          throw new Error(`an error without a message: ${where}`);
      }
    }),
    fcParams(200),
  );
  t.log(
    `statuses: ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  t.is(({} as Record<string, unknown>).x, undefined, 'Object.prototype was not polluted');
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test(`fuzz › the task submission route never answers a malformed spec with a 5xx (seed=${SEED})`, async (t) => {
  const spec = fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue()),
      dockerimage: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue()),
      mem: fc.oneof(fc.double(), fc.string({ maxLength: 8 }), fc.integer(), fc.jsonValue()),
      cpus: fc.oneof(fc.double(), fc.string({ maxLength: 8 }), fc.jsonValue()),
      sla: fc.oneof(fc.constantFrom('one-per-node', 'singleton', 'bogus'), fc.jsonValue()),
      nodename: fc.constant('fuzz-nowhere'),
    },
    { requiredKeys: ['nodename'] },
  );
  await fc.assert(
    fc.asyncProperty(spec, async (body) => {
      const res = await served.app.inject({
        method: 'POST',
        url: '/client/task',
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      if (res.statusCode >= 500) throw new Error(`${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
      if (res.statusCode >= 400 && !(typeof res.json().message === 'string' && res.json().message !== ''))
        throw new Error(`no message: ${res.body}`);
    }),
    fcParams(200),
  );
  t.pass();
});
