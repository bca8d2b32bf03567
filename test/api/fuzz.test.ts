import test from 'ava';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { JOB_FIELDS } from '../../src/core/spec/job-spec.ts';
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
  // A pool, so that `PUT /resource/{name}…` reaches past the lookup when the name is `burst`.
  served = await serveDaemon({
    pools: [
      {
        name: 'burst',
        min: 0,
        max: 2,
        template: { cpus: 1, mem: 512, disk: 1000, ports: '', attributes: { nodetype: 'burst' } },
        bootDelayMs: 500,
        readyDelayMs: 500,
        maxLaunchTimeMs: 60_000,
        maxIdleTimeMs: 5_000,
        commandTimeoutMs: 60_000,
      },
    ],
  });
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
  ...JOB_FIELDS,
  'num',
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
  fc.constantFrom(
    'lab-1',
    'analytics-1',
    'm',
    'x',
    'hold',
    'drain',
    'release',
    'burst',
    'freeze',
    'restore',
    '..',
    '%',
    '0',
  ),
);

/** Mostly no query string; sometimes `num` (PUT /resource/{name}) right, wrong or twice, or junk. */
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '?num=1',
      '?num=0',
      '?num=x',
      '?num=-1',
      '?num=1.5',
      '?num=1&num=2',
      '?num=999999',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `?num=${encodeURIComponent(s)}`) },
  { weight: 1, arbitrary: fc.constantFrom('?x=1', '?maxtasks=2', '?num', '?&&', '?__proto__[x]=1') },
);

const request = fc
  .integer({ min: 0, max: 1_000_000 })
  .chain((i) => {
    const route = routes[i % routes.length] as Route;
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    return fc.record({
      route: fc.constant(route),
      params: fc.array(param, { minLength: names.length, maxLength: names.length }),
      query,
      body: bodies,
    });
  })
  .map(({ route, params, query, body }) => {
    let n = 0;
    const url = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[n++] ?? 'x')) + query;
    return { route, url, body };
  });

test(`fuzz › every mutating route answers arbitrary bodies with < 500, and 4xx with a JSON message (seed=${SEED})`, async (t) => {
  t.true(routes.length >= 6, `found ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  for (const [method, path] of [
    ['POST', '/client/task'],
    ['POST', '/job'],
    ['DELETE', '/job/{id}'],
    ['PUT', '/resource/{name}'],
    ['PUT', '/resource/{name}/{action}'],
    ['PUT', '/server/auto'],
    ['DELETE', '/server/auto'],
  ] as const)
    t.true(
      routes.some((r) => r.method === method && r.path === path),
      `${method} ${path} is fuzzed`,
    );
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
  t.log(statusLine(statuses));
  t.is(({} as Record<string, unknown>).x, undefined, 'Object.prototype was not polluted');
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

/** POSTs `body` as JSON; a 5xx, or an error without a message, fails the property. */
async function postJson(url: string, body: unknown) {
  const res = await served.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  if (res.statusCode >= 500) throw new Error(`${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
  if (res.statusCode >= 400 && !(typeof res.json().message === 'string' && res.json().message !== ''))
    throw new Error(`no message: ${res.body}`);
  return res;
}

/** How often each status came back, for the test log. */
function statusLine(statuses: ReadonlyMap<number, number>): string {
  return `statuses: ${[...statuses]
    .sort(([a], [b]) => a - b)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ')}`;
}

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
      await postJson('/client/task', body);
    }),
    fcParams(200),
  );
  t.pass();
});

test(`fuzz › the job submission route never answers a malformed job with a 5xx (seed=${SEED})`, async (t) => {
  const small = fc.oneof(
    fc.integer({ min: -3, max: 4 }),
    fc.double(),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('2', '1.5', ' 3 ', '0x2', '1e1', '90s', '2m', '500ms', '-1s', 'Infinity', 'NaN'),
    fc.jsonValue({ maxDepth: 1 }),
  );
  // A job that would start, with up to three fields replaced by something arbitrary (or dropped).
  const base = { id: 'fz-1', dockerimage: 'busybox', mem: 16, cmd: 'sleep 1', maxtasks: 1, wait: 0 };
  const value = (field: string): fc.Arbitrary<unknown> => {
    switch (field) {
      case 'id':
        return fc.oneof(fc.constantFrom('fz-1', 'fz-2', 'fz-3', '', 'a/b', 'x'.repeat(300)), fc.jsonValue());
      case 'maxtasks':
      case 'wait':
      case 'total':
        return small;
      case 'arguments':
        return fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), fc.jsonValue());
      case 'sla':
        return fc.constantFrom('singleton', 'one-per-node', 'bogus');
      default:
        return fc.oneof(fc.string({ maxLength: 12 }), fc.double(), fc.jsonValue({ maxDepth: 1 }));
    }
  };
  const overridable = [
    'id',
    'dockerimage',
    'mem',
    'cpus',
    'cmd',
    'arguments',
    'sla',
    'maxtasks',
    'wait',
    'total',
    'colour',
  ];
  const job = fc
    .uniqueArray(fc.constantFrom(...overridable), { maxLength: 3 })
    .chain((fields) =>
      fc.tuple(
        fc.constant(fields),
        fc.tuple(...fields.map((f) => fc.option(value(f), { nil: undefined, freq: 5 }))),
        fc.constantFrom('fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5', 'fz-6'),
      ),
    )
    .map(([fields, values, id]) => {
      const body: Record<string, unknown> = { ...base, id };
      fields.forEach((f, i) => {
        if (values[i] === undefined) delete body[f];
        else body[f] = values[i];
      });
      // Copies never run: nothing in the lab is called that, and no pool grows for a node name.
      body.nodename = 'fuzz-nowhere';
      return body;
    });
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(job, async (body) => {
      const res = await postJson('/job', body);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      // fz-1 keeps running once started (its copies never run), so later ones meet a 409.
      if (res.statusCode === 202 && body.id !== 'fz-1') {
        const id = (res.json() as { job: { id: string } }).job.id;
        const del = await served.app.inject({ method: 'DELETE', url: `/job/${encodeURIComponent(id)}` });
        if (del.statusCode !== 200) throw new Error(`DELETE /job/${id} → ${del.statusCode} ${del.body}`);
      }
    }),
    fcParams(200),
  );
  t.log(statusLine(statuses));
  t.pass();
});
