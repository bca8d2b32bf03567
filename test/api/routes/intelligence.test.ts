import test from 'ava';
import type { LightMyRequestResponse } from 'fastify';
import type { IntelligenceView } from '../../../src/core/intelligence/view.ts';
import { killAndWait, request, runningTask, type Served, serveDaemon } from '../../helpers/daemon.ts';

/**
 * Task intelligence over REST (`/client/intelligence[/<id>]`), against a real daemon on a fake
 * master with sizing on (Charmander's estimator), so overrides and estimates are in effect. One
 * daemon for the file; the tests run serially and each starts from no intelligence at all.
 */

let lab: Served;
test.before(async () => {
  lab = await serveDaemon({ daemon: { config: { sizing: 'charmander' } } });
});
test.after.always(async () => {
  await lab?.close();
});
test.beforeEach(async () => {
  // Every test starts from an empty map: an import of nothing forgets everything.
  await lab.daemon.change({ type: 'intelligence-import', entries: [] });
});

const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  request(lab, method, url, payload);

const view = (res: LightMyRequestResponse) => res.json<IntelligenceView>();
const message = (res: LightMyRequestResponse) => res.json<{ code: number; message: string }>().message;

/** Runs a task of `id`, feeds it usage samples (MB) and kills it; returns nothing. */
async function meter(id: string, memMb: readonly number[], mem = 256): Promise<void> {
  const submitted = await call('POST', '/client/task', { id, dockerimage: 'busybox', mem, nodetype: 'lab' });
  if (submitted.statusCode !== 202) throw new Error(submitted.body);
  const task = await runningTask(lab, id);
  try {
    for (const m of memMb)
      await lab.daemon.change({ type: 'usage', samples: [{ task: task.id, memMb: m, cpus: 0.25 }] });
  } finally {
    await killAndWait(lab, id);
  }
}

// --- GET -----------------------------------------------------------------------------------------

test.serial('intelligence › GET /client/intelligence is an empty list when nothing is known', async (t) => {
  const res = await call('GET', '/client/intelligence');
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), []);
  t.deepEqual((await call('GET', '/client/intelligence?format=export')).json(), []);
  t.deepEqual((await call('GET', '/client/intelligence?format=view')).json(), []);
});

test.serial('intelligence › usage of a running task becomes its family’s history', async (t) => {
  await meter('intel-use', [40, 60, 50]);
  const res = await call('GET', '/client/intelligence/intel-use');
  t.is(res.statusCode, 200);
  const v = view(res);
  t.like(v, {
    id: 'intel-use',
    samples: 3,
    peak: { memMb: 60, cpus: 0.25 },
    window: { samples: 3, memMb: { p50: 50, p99: 60, max: 60 }, cpus: { p50: 0.25, p99: 0.25, max: 0.25 } },
    sizing: 'charmander',
    // Charmander's rule: 60 MB = 62,914,560 bytes → 62 × 1.1 → 69 MB.
    estimates: { charmander: 69 },
    inEffect: { mem: 69, nodename: null, sla: null },
    overrides: {},
  });
  t.is(typeof v.lastSampleAt, 'number');
  t.is(typeof v.estimates['p99-window'], 'number');
  const list = (await call('GET', '/client/intelligence')).json<IntelligenceView[]>();
  t.deepEqual(list, [v]);
});

test.serial('intelligence › GET of an unknown family is a 404', async (t) => {
  const res = await call('GET', '/client/intelligence/nobody');
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), { code: 404, message: 'intelligence for nobody not found' });
});

// --- PUT /client/intelligence/<id> ---------------------------------------------------------------

test.serial('intelligence › PUT overrides answers the new view; GET shows them in effect', async (t) => {
  const res = await call('PUT', '/client/intelligence/intel-set', {
    mem: '512',
    nodename: 'lab-2',
    sla: 'singleton',
  });
  t.is(res.statusCode, 200);
  t.like(view(res), {
    id: 'intel-set',
    samples: 0,
    overrides: { mem: 512, nodename: 'lab-2', sla: 'singleton' },
    inEffect: { mem: 512, nodename: 'lab-2', sla: 'singleton' },
  });
  t.deepEqual(view(await call('GET', '/client/intelligence/intel-set')), view(res));

  // null removes one override; absent fields are kept.
  const patched = view(await call('PUT', '/client/intelligence/intel-set', { nodename: null, mem: 300 }));
  t.deepEqual(patched.overrides, { mem: 300, sla: 'singleton' });
  t.deepEqual(patched.inEffect, { mem: 300, nodename: null, sla: 'singleton' });

  // ?replace=true: absent fields are removed too.
  const replaced = view(await call('PUT', '/client/intelligence/intel-set?replace=true', { mem: 128 }));
  t.deepEqual(replaced.overrides, { mem: 128 });
  t.is(view(await call('PUT', '/client/intelligence/intel-set?replace=false', {})).overrides.mem, 128);
});

test.serial('intelligence › overrides size and place the family’s next task', async (t) => {
  const put = await call('PUT', '/client/intelligence/intel-pin', { mem: 128, nodename: 'lab-2' });
  t.is(put.statusCode, 200);
  await call('POST', '/client/task', { id: 'intel-pin', dockerimage: 'busybox', mem: 64 });
  try {
    const task = await runningTask(lab, 'intel-pin');
    t.is(task.hostname, 'lab-2');
    t.is(task.spec.mem, 128);
    t.is(task.requested.mem, 64, 'what was asked for is kept');
  } finally {
    await killAndWait(lab, 'intel-pin');
  }
});

test.serial('intelligence › an override never sizes below the observed peak', async (t) => {
  await meter('intel-floor', [90]);
  const v = view(await call('PUT', '/client/intelligence/intel-floor', { mem: 10 }));
  t.is(v.overrides.mem, 10);
  t.is(v.inEffect.mem, 90);
});

test.serial('intelligence › removing the last override of an unknown family forgets it', async (t) => {
  await call('PUT', '/client/intelligence/intel-gone', { mem: 64 });
  const res = await call('PUT', '/client/intelligence/intel-gone', { mem: null });
  t.is(res.statusCode, 200);
  t.like(view(res), { id: 'intel-gone', samples: 0, overrides: {}, inEffect: { mem: null } });
  t.is((await call('GET', '/client/intelligence/intel-gone')).statusCode, 404);
});

test.serial(
  'intelligence › PUT with bad overrides is a 400 naming every field; nothing changes',
  async (t) => {
    await call('PUT', '/client/intelligence/intel-bad', { mem: 64 });
    const cases: [unknown, RegExp][] = [
      [{ mem: -1 }, /^mem must be a number of MB greater than 0/],
      [{ mem: 'lots' }, /^mem must be .* got "lots"$/],
      [{ mem: true }, /^mem must be/],
      [{ nodename: '' }, /^nodename must be a non-empty string/],
      [{ nodename: 7 }, /^nodename must be/],
      [{ sla: 'sometimes' }, /^sla must be one of one-per-node, singleton, or null, got "sometimes"$/],
      [{ mem: 0, sla: 1 }, /^mem must be .*; sla must be/],
      [{ cpus: 2 }, /^unknown field "cpus" \(known: mem, nodename, sla\)$/],
      [[{ mem: 64 }], /^overrides must be an object, got an array$/],
      ['64', /^overrides must be an object, got "64"$/],
    ];
    for (const [body, expected] of cases) {
      const res = await lab.app.inject({
        method: 'PUT',
        url: '/client/intelligence/intel-bad',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      t.is(res.statusCode, 400, JSON.stringify(body));
      t.is(res.json<{ code: number }>().code, 400);
      t.regex(message(res), expected, JSON.stringify(body));
    }
    const none = await call('PUT', '/client/intelligence/intel-bad');
    t.is(none.statusCode, 400);
    t.regex(message(none), /^overrides must be an object/);
    t.deepEqual(view(await call('GET', '/client/intelligence/intel-bad')).overrides, { mem: 64 });
  },
);

test.serial('intelligence › a family id the scheduler refuses is a 400 with its message', async (t) => {
  const res = await call('PUT', `/client/intelligence/${encodeURIComponent('two words')}`, { mem: 64 });
  t.is(res.statusCode, 400);
  t.deepEqual(res.json(), {
    code: 400,
    message: 'id must not contain "/", "\\", spaces or control characters',
  });
  const tab = await call('PUT', '/client/intelligence/a%09b', { mem: 64 });
  t.is(tab.statusCode, 400);
  t.regex(message(tab), /^id must not contain/);
  t.deepEqual((await call('GET', '/client/intelligence')).json(), []);
});

// --- DELETE --------------------------------------------------------------------------------------

test.serial(
  'intelligence › DELETE ?what=overrides keeps the history; ?what=history the overrides',
  async (t) => {
    await meter('intel-del', [70]);
    await call('PUT', '/client/intelligence/intel-del', { mem: 100, sla: 'singleton' });

    const overrides = await call('DELETE', '/client/intelligence/intel-del?what=overrides');
    t.is(overrides.statusCode, 200);
    t.deepEqual(overrides.json(), { code: 200, message: 'Clear intelligence overrides: intel-del' });
    t.like(view(await call('GET', '/client/intelligence/intel-del')), {
      samples: 1,
      peak: { memMb: 70 },
      overrides: {},
      // 70 MB = 73,400,320 bytes → 73 × 1.1 → 81 MB.
      inEffect: { mem: 81, sla: null },
    });

    await call('PUT', '/client/intelligence/intel-del', { nodename: 'lab-1' });
    const history = await call('DELETE', '/client/intelligence/intel-del?what=history');
    t.deepEqual(history.json(), { code: 200, message: 'Clear intelligence history: intel-del' });
    t.like(view(await call('GET', '/client/intelligence/intel-del')), {
      samples: 0,
      peak: { memMb: null, cpus: null },
      window: { samples: 0, memMb: null },
      overrides: { nodename: 'lab-1' },
      inEffect: { mem: null, nodename: 'lab-1' },
    });

    // Clearing what is left leaves nothing: the family is gone.
    await call('DELETE', '/client/intelligence/intel-del?what=overrides');
    t.is((await call('GET', '/client/intelligence/intel-del')).statusCode, 404);
  },
);

test.serial('intelligence › DELETE forgets everything by default', async (t) => {
  await meter('intel-all', [30]);
  await call('PUT', '/client/intelligence/intel-all', { mem: 64 });
  const res = await call('DELETE', '/client/intelligence/intel-all');
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { code: 200, message: 'Clear intelligence: intel-all' });
  t.is((await call('GET', '/client/intelligence/intel-all')).statusCode, 404);
  t.deepEqual((await call('GET', '/client/intelligence')).json(), []);
  await call('PUT', '/client/intelligence/intel-all2', { mem: 64 });
  t.is((await call('DELETE', '/client/intelligence/intel-all2?what=all')).statusCode, 200);
  t.is((await call('GET', '/client/intelligence/intel-all2')).statusCode, 404);
});

test.serial('intelligence › DELETE of an unknown family is a 404; a bad scope or a body a 400', async (t) => {
  const unknown = await call('DELETE', '/client/intelligence/nobody');
  t.is(unknown.statusCode, 404);
  t.deepEqual(unknown.json(), { code: 404, message: 'intelligence for nobody not found' });

  await call('PUT', '/client/intelligence/intel-keep', { mem: 64 });
  const scope = await call('DELETE', '/client/intelligence/intel-keep?what=everything');
  t.is(scope.statusCode, 400);
  t.deepEqual(scope.json(), {
    code: 400,
    message: 'what must be one of all, overrides, history, got "everything"',
  });
  const body = await call('DELETE', '/client/intelligence/intel-keep', { what: 'all' });
  t.is(body.statusCode, 400);
  t.is(message(body), 'unexpected fields: what (this request takes no body)');
  t.is((await call('GET', '/client/intelligence/intel-keep')).statusCode, 200, 'nothing was cleared');
});

// --- export / import -----------------------------------------------------------------------------

test.serial('intelligence › export → import reproduces the view', async (t) => {
  await meter('intel-rt-a', [20, 35, 25]);
  await meter('intel-rt-b', [100]);
  await call('PUT', '/client/intelligence/intel-rt-b', { mem: 256, nodename: 'lab-3' });
  await call('PUT', '/client/intelligence/intel-rt-c', { sla: 'singleton' });
  const before = (await call('GET', '/client/intelligence')).json<IntelligenceView[]>();
  t.deepEqual(
    before.map((v) => v.id),
    ['intel-rt-a', 'intel-rt-b', 'intel-rt-c'],
  );
  const exported = await call('GET', '/client/intelligence?format=export');
  t.is(exported.statusCode, 200);
  const entries = exported.json<{ id: string; samples: number; window: { memMb: number[] } }[]>();
  t.like(entries[0], { id: 'intel-rt-a', samples: 3, window: { memMb: [20, 35, 25] } });

  // The whole map replaced by nothing: everything is forgotten.
  const cleared = await call('PUT', '/client/intelligence', []);
  t.is(cleared.statusCode, 200);
  t.deepEqual(cleared.json(), []);

  const imported = await call('PUT', '/client/intelligence', entries);
  t.is(imported.statusCode, 200);
  t.deepEqual(imported.json(), before);
  t.deepEqual((await call('GET', '/client/intelligence')).json(), before);
  t.deepEqual((await call('GET', '/client/intelligence?format=export')).json(), entries);
});

test.serial('intelligence › an import replaces the whole map; ?merge=true only what it names', async (t) => {
  await call('PUT', '/client/intelligence/intel-m-a', { mem: 64 });
  await call('PUT', '/client/intelligence/intel-m-b', { mem: 128 });

  // Charmander's observed maximum, as a bare {id, peakMemMb}.
  const merged = await call('PUT', '/client/intelligence?merge=true', [
    { id: 'intel-m-b', peakMemMb: '60' },
    { id: 'intel-m-c', overrides: { sla: 'singleton' } },
  ]);
  t.is(merged.statusCode, 200);
  const list = merged.json<IntelligenceView[]>();
  t.deepEqual(
    list.map((v) => [v.id, v.overrides, v.peak.memMb, v.inEffect.mem]),
    [
      ['intel-m-a', { mem: 64 }, null, 64],
      ['intel-m-b', {}, 60, 69],
      ['intel-m-c', { sla: 'singleton' }, null, null],
    ],
  );

  const replaced = await call('PUT', '/client/intelligence?merge=false', [{ id: 'intel-m-c' }]);
  t.is(replaced.statusCode, 200);
  t.deepEqual(replaced.json(), [], 'an entry with nothing in it is not kept, and the rest is forgotten');
});

test.serial('intelligence › a bad import is a 400 naming the entry and field; nothing changes', async (t) => {
  await call('PUT', '/client/intelligence/intel-imp', { mem: 64 });
  const before = (await call('GET', '/client/intelligence')).json();
  const cases: [unknown, string | RegExp][] = [
    [{ id: 'x' }, 'an import must be an array of entries, got an object'],
    [[{ id: 'ok' }, 'nope'], '/1: an entry must be an object, got "nope"'],
    [[{ id: 'a', peakMemMb: -5 }], '/0/peakMemMb: peakMemMb must be a number at least 0, got -5'],
    [[{ id: 'a', window: { memMb: [1, 'x'] } }], /^\/0\/window\/memMb\/1: must be a number at least 0/],
    [[{ id: 'a', overrides: { mem: 0 } }], /^\/0\/overrides\/mem: mem must be a number of MB/],
    [[{ id: 'a', colour: 'red' }], /^\/0\/colour: unknown field "colour"/],
    [[{ id: 'a' }, { id: 'a' }], '/1/id: duplicate id "a"'],
    [[{ id: 'a b' }], '/0/id: id must not contain "/", "\\", spaces or control characters'],
    [[{ samples: 1 }], '/0/id: id must be a string, got undefined'],
  ];
  for (const [body, expected] of cases) {
    const res = await call('PUT', '/client/intelligence', body);
    t.is(res.statusCode, 400, JSON.stringify(body));
    if (typeof expected === 'string') t.deepEqual(res.json(), { code: 400, message: expected });
    else t.regex(message(res), expected);
  }
  t.deepEqual((await call('GET', '/client/intelligence')).json(), before);
});

// --- strict query strings ------------------------------------------------------------------------

test.serial('intelligence › unknown or repeated query parameters and bad values are a 400', async (t) => {
  await call('PUT', '/client/intelligence/intel-q', { mem: 64 });
  const cases: [method: 'GET' | 'PUT' | 'DELETE', url: string, body: unknown, expected: string][] = [
    [
      'GET',
      '/client/intelligence?verbose=1',
      undefined,
      'unexpected query parameters: verbose (allowed: format)',
    ],
    ['GET', '/client/intelligence?format=csv', undefined, 'format must be one of view, export, got "csv"'],
    [
      'GET',
      '/client/intelligence?format=export&format=view',
      undefined,
      'query parameter format is given more than once',
    ],
    ['PUT', '/client/intelligence?replace=true', [], 'unexpected query parameters: replace (allowed: merge)'],
    ['PUT', '/client/intelligence?merge=yes', [], 'merge must be true or false, got "yes"'],
    [
      'GET',
      '/client/intelligence/intel-q?format=export',
      undefined,
      'unexpected query parameters: format (this resource takes none)',
    ],
    [
      'PUT',
      '/client/intelligence/intel-q?merge=true',
      { mem: 1 },
      'unexpected query parameters: merge (allowed: replace)',
    ],
    ['PUT', '/client/intelligence/intel-q?replace=1', { mem: 1 }, 'replace must be true or false, got "1"'],
    [
      'DELETE',
      '/client/intelligence/intel-q?scope=all',
      undefined,
      'unexpected query parameters: scope (allowed: what)',
    ],
  ];
  for (const [method, url, body, expected] of cases) {
    const res = await call(method, url, body);
    t.is(res.statusCode, 400, `${method} ${url}`);
    t.deepEqual(res.json(), { code: 400, message: expected }, `${method} ${url}`);
  }
  t.deepEqual(view(await call('GET', '/client/intelligence/intel-q')).overrides, { mem: 64 });
});

test.serial(
  'intelligence › the routes are in the OpenAPI document, the export format described',
  async (t) => {
    const spec = (await call('GET', '/docs/json')).json<{
      paths: Record<string, Record<string, { description?: string }>>;
    }>();
    t.regex(spec.paths['/client/intelligence']?.get?.description ?? '', /\?format=export/);
    t.truthy(spec.paths['/client/intelligence']?.put);
    for (const method of ['get', 'put', 'delete'])
      t.truthy(spec.paths['/client/intelligence/{id}']?.[method]);
  },
);
