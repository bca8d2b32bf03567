import { readFileSync } from 'node:fs';
import test from 'ava';
import { type Served, serveDaemon } from '../helpers/daemon.ts';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  security?: unknown;
  components?: { securitySchemes?: Record<string, unknown> };
}

let served: Served;
test.before(async () => {
  served = await serveDaemon();
});
test.after.always(async () => {
  await served?.close();
});

test('docs › /docs/json is an OpenAPI 3 document for offerlab at the package version', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/docs/json' });
  t.is(res.statusCode, 200);
  const spec = res.json<OpenApi>();
  t.regex(spec.openapi, /^3\./);
  t.is(spec.info.title, 'offerlab');
  t.is(spec.info.version, VERSION);
  t.deepEqual(spec.components?.securitySchemes, { bearer: { type: 'http', scheme: 'bearer' } });
  t.is(spec.security, undefined, 'no tokens configured: no security requirement');
});

test('docs › the document lists the Charmander, Scale, Dynamic Cluster, ETL job, pool and ops routes', async (t) => {
  const spec = (await served.app.inject({ method: 'GET', url: '/docs/json' })).json<OpenApi>();
  const has = (path: string, method: string) => t.truthy(spec.paths[path]?.[method], `${method} ${path}`);
  has('/client/task', 'post');
  has('/client/task', 'get');
  has('/client/task/{prefix}', 'delete');
  has('/client/task/{id}/why', 'get');
  has('/admin/ping', 'get');
  has('/scheduler/', 'get');
  has('/status/', 'get');
  has('/nodes/', 'get');
  has('/workernode', 'get');
  has('/server/status', 'get');
  has('/server/queues', 'get');
  has('/server/auto', 'put');
  has('/server/auto', 'delete');
  has('/job', 'post');
  has('/job', 'get');
  has('/job/{id}', 'get');
  has('/job/{id}', 'delete');
  has('/resource', 'get');
  has('/resource/{name}', 'get');
  has('/resource/{name}', 'put');
  has('/resource/{name}/{action}', 'put');
  has('/healthz', 'get');
  has('/readyz', 'get');
  has('/metrics', 'get');
  has('/v1/events', 'get');
  t.false(
    Object.keys(spec.paths).some((p) => p.startsWith('/docs')),
    'the docs routes themselves are hidden',
  );
});

test('docs › /docs serves Swagger UI with its assets from this daemon', async (t) => {
  const page = await served.app.inject({ method: 'GET', url: '/docs' });
  t.is(page.statusCode, 200);
  t.regex(page.headers['content-type'] as string, /^text\/html/);
  t.regex(page.headers['content-security-policy'] as string, /default-src 'self'/);
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
  t.true(assets.length >= 4);
  t.false(
    assets.some((a) => /^(https?:)?\/\//.test(a)),
    'nothing is loaded from elsewhere',
  );
  for (const url of [
    '/docs/static/swagger-ui-bundle.js',
    '/docs/static/swagger-ui.css',
    '/docs/static/swagger-initializer.js',
  ]) {
    const res = await served.app.inject({ method: 'GET', url });
    t.is(res.statusCode, 200, url);
    t.true(res.body.length > 100, url);
  }
  const slash = await served.app.inject({ method: 'GET', url: '/docs/' });
  t.is(slash.statusCode, 200);
});

test('docs › /docs/yaml gives the same document as YAML', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/docs/yaml' });
  t.is(res.statusCode, 200);
  t.regex(res.body, /^openapi: 3\./m);
  t.regex(res.body, /\/client\/task:/);
});

test('docs › swagger adds no validation: routes without schemas still get their own messages', async (t) => {
  const res = await served.app.inject({
    method: 'POST',
    url: '/client/task',
    payload: { id: 'v', dockerimage: 'busybox', mem: 16, colour: 'blue' },
  });
  t.is(res.statusCode, 400);
  t.regex(res.json().message, /^unknown field "colour"/);
});
