import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import {
  describeAccess,
  makeTokens,
  parseTokens,
  readTokenFile,
  roleOf,
  TokenFileError,
} from '../../src/api/auth.ts';
import { type Served, serveDaemon } from '../helpers/daemon.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let served: Served;
let app: FastifyInstance;
test.before(async () => {
  served = await serveDaemon();
  app = buildApp(served.daemon, { tokens: makeTokens({ admin: [ADMIN], read: [READ] }) });
  await app.ready();
});
test.after.always(async () => {
  await app?.close();
  await served?.close();
});

// ---- the token file ------------------------------------------------------------------------

test('auth › a token file gives admin and read tokens, skipping blank and # lines', (t) => {
  const tokens = parseTokens(
    `# offerlab API tokens\n\nadmin ${ADMIN}\n  read   ${READ}  \r\n# old:\nread ${READ}x\n`,
    'tokens.txt',
  );
  t.is(tokens.admin.length, 1);
  t.is(tokens.read.length, 2);
  t.is(roleOf(tokens, ADMIN), 'admin');
  t.is(roleOf(tokens, READ), 'read');
  t.is(roleOf(tokens, `${READ}x`), 'read');
  t.is(roleOf(tokens, 'nope'), undefined);
  t.is(roleOf(tokens, ''), undefined);
});

test('auth › readTokenFile reads a file and names it when it cannot', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-tokens-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tokens');
  await writeFile(path, `admin ${ADMIN}\n`);
  t.is(roleOf(readTokenFile(path), ADMIN), 'admin');
  const missing = join(dir, 'missing');
  t.throws(() => readTokenFile(missing), {
    instanceOf: TokenFileError,
    message: `cannot read token file ${missing}: ENOENT`,
  });
});

const BAD_FILES: [string, string, string][] = [
  [
    'an unknown role',
    `admin ${ADMIN}\n\nwrite ${READ}\n`,
    `t:3: expected "admin <token>" or "read <token>", got a line starting "write"`,
  ],
  ['a role without a token', `admin ${ADMIN}\nread\n`, 't:2: "read" needs a token after it'],
  [
    'more than role and token',
    `admin ${ADMIN} extra\n`,
    't:1: expected "admin <token>", but the line has more after the token',
  ],
  [
    'a short token',
    `# c\nadmin short-token\n`,
    't:2: the admin token is 11 characters; at least 16 are needed (try: openssl rand -hex 32)',
  ],
  [
    'characters a header cannot carry',
    `admin ${ADMIN}\nread ${READ}"é\n`,
    't:2: the read token may only hold letters, digits and - . _ ~ + / (then optional =)',
  ],
  [
    'one token with both roles',
    `admin ${ADMIN}\nread ${ADMIN}\n`,
    't:2: this token is already the admin token on line 1',
  ],
  [
    'no admin token',
    `read ${READ}\n`,
    't: no admin token (a line "admin <token>"); without one nothing could be changed',
  ],
  [
    'an empty file',
    '# nothing\n',
    't: no admin token (a line "admin <token>"); without one nothing could be changed',
  ],
];
for (const [what, text, message] of BAD_FILES) {
  test(`auth › a token file with ${what} is refused, naming file and line`, (t) => {
    t.throws(() => parseTokens(text, 't'), { instanceOf: TokenFileError, message });
  });
}

test('auth › describeAccess says who can reach the API', (t) => {
  t.regex(describeAccess(undefined, '127.0.0.1'), /^no tokens: only this machine/);
  t.regex(
    describeAccess(undefined, '0.0.0.0'),
    /^no tokens: anyone who can reach 0\.0\.0\.0 can change the cluster/,
  );
  t.is(
    describeAccess(makeTokens({ admin: [ADMIN], read: [READ] }), '0.0.0.0'),
    'bearer tokens: 1 admin, 1 read-only (/healthz, /readyz, /admin/ping are open)',
  );
});

// ---- requests --------------------------------------------------------------------------------

test('auth › a request without a token is 401 with a Bearer challenge', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/client/task' });
  t.is(res.statusCode, 401);
  t.deepEqual(res.json(), { code: 401, message: 'missing bearer token' });
  t.regex(res.headers['www-authenticate'] as string, /^Bearer realm="offerlab"$/);
});

test('auth › a read token may read', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/client/task', headers: bearer(READ) });
  t.is(res.statusCode, 200);
  t.true(Array.isArray(res.json()));
  const head = await app.inject({ method: 'HEAD', url: '/client/task', headers: bearer(READ) });
  t.is(head.statusCode, 200);
});

test('auth › a read token may not change anything: 403', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/client/task',
    headers: bearer(READ),
    payload: { id: 'auth-read', dockerimage: 'busybox', mem: 16 },
  });
  t.is(res.statusCode, 403);
  t.deepEqual(res.json(), {
    code: 403,
    message: 'this is a read-only token; POST /client/task needs the admin token',
  });
  t.regex(res.headers['www-authenticate'] as string, /^Bearer .*error="insufficient_scope"/);
  t.false(
    [...served.daemon.state.tasks.values()].some((task) => task.specId === 'auth-read'),
    'nothing was submitted',
  );
});

test("auth › Charmander's GET /client/task/reshuffle changes things, so it needs the admin token", async (t) => {
  const res = await app.inject({ method: 'GET', url: '/client/task/reshuffle', headers: bearer(READ) });
  t.is(res.statusCode, 403);
});

test('auth › the admin token may change things', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/client/task',
    headers: bearer(ADMIN),
    payload: { id: 'auth-admin', dockerimage: 'busybox', mem: 16, nodename: 'nowhere' },
  });
  t.is(res.statusCode, 202);
  t.deepEqual(res.json(), { code: 202, message: 'Run task: auth-admin' });
  const kill = await app.inject({ method: 'DELETE', url: '/client/task/auth-admin', headers: bearer(ADMIN) });
  t.is(kill.statusCode, 200);
  const read = await app.inject({ method: 'GET', url: '/client/task', headers: bearer(ADMIN) });
  t.is(read.statusCode, 200, 'the admin token may read too');
});

test('auth › a wrong token, of another length or the same, is 401', async (t) => {
  for (const token of ['x'.repeat(40), `${ADMIN.slice(0, -1)}X`, 'short']) {
    const res = await app.inject({ method: 'GET', url: '/client/task', headers: bearer(token) });
    t.is(res.statusCode, 401, token);
    t.deepEqual(res.json(), { code: 401, message: 'invalid bearer token' });
    t.regex(res.headers['www-authenticate'] as string, /error="invalid_token"/);
  }
});

test('auth › an Authorization header that is not "Bearer <token>" is 401 saying so', async (t) => {
  for (const authorization of [
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    'Bearer',
    `Bearer ${ADMIN} x`,
  ]) {
    const res = await app.inject({ method: 'GET', url: '/client/task', headers: { authorization } });
    t.is(res.statusCode, 401, authorization);
    t.is(res.json().message, 'the Authorization header must be "Bearer <token>"');
  }
  const lower = await app.inject({
    method: 'GET',
    url: '/client/task',
    headers: { authorization: `bearer ${READ}` },
  });
  t.is(lower.statusCode, 200, 'the scheme is case-insensitive');
});

test('auth › /healthz, /readyz and /admin/ping stay open for probes', async (t) => {
  for (const url of ['/healthz', '/readyz', '/admin/ping', '/healthz/']) {
    const res = await app.inject({ method: 'GET', url });
    t.is(res.statusCode, 200, url);
  }
});

test('auth › /metrics, /docs and /v1/events need a read token', async (t) => {
  for (const url of ['/metrics', '/docs/json', '/docs', '/v1/events?last_event_id=x']) {
    const res = await app.inject({ method: 'GET', url });
    t.is(res.statusCode, 401, url);
  }
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(READ) });
  t.is(metrics.statusCode, 200);
  const docs = await app.inject({ method: 'GET', url: '/docs/json', headers: bearer(READ) });
  t.is(docs.statusCode, 200);
  t.deepEqual(docs.json().security, [{ bearer: [] }], 'the spec declares the bearer scheme');
});

test('auth › an unknown path without a token is 401, not 404: routes are not revealed', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/no/such/thing' });
  t.is(res.statusCode, 401);
  const known = await app.inject({ method: 'GET', url: '/no/such/thing', headers: bearer(READ) });
  t.is(known.statusCode, 404);
});

test('auth › without tokens every route is open', async (t) => {
  const res = await served.app.inject({ method: 'GET', url: '/client/task' });
  t.is(res.statusCode, 200);
});
