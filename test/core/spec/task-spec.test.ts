import test from 'ava';
import { parseTaskSpec } from '../../../src/core/spec/task-spec.ts';

const stress60 = {
  id: 'stress60',
  dockerimage: 'stress',
  mem: '100',
  reshuffleable: true,
  nodetype: 'lab',
  arguments: ['--vm-bytes', '60M', '--vm', '1'],
};

function errors(raw: unknown): string[] {
  const r = parseTaskSpec(raw);
  return r.ok ? [] : r.errors.map((e) => `${e.path} ${e.message}`);
}

test('task spec › accepts the seed document stress60 configuration with numbers as strings', (t) => {
  const r = parseTaskSpec(stress60);
  t.true(r.ok);
  if (!r.ok) return;
  t.is(r.spec.mem, 100);
  t.is(r.spec.cpus, 0.1);
  t.deepEqual(r.spec.arguments, ['--vm-bytes', '60M', '--vm', '1']);
});

test('task spec › accepts the seed cAdvisor configuration with string ports and volumes', (t) => {
  const r = parseTaskSpec({
    id: 'cadvisor',
    dockerimage: 'google/cadvisor:0.6.2',
    mem: '50',
    sla: 'one-per-node',
    notmetered: true,
    volumes: [
      { host_path: '/', container_path: '/rootfs', mode: 'ro' },
      { host_path: '/var/run', container_path: '/var/run', mode: 'rw' },
    ],
    ports: [{ host_port: '31500', container_port: '8080' }],
  });
  t.true(r.ok);
  if (!r.ok) return;
  t.deepEqual(r.spec.ports, [{ host_port: 31500, container_port: 8080 }]);
  t.is(r.spec.sla, 'one-per-node');
});

test('task spec › normalises numbers and keeps a fixed key order', (t) => {
  const r = parseTaskSpec({ nodetype: 'lab', mem: 64, cpus: '0.5', dockerimage: 'x', id: 'a' });
  t.true(r.ok);
  if (!r.ok) return;
  t.is(JSON.stringify(r.spec), '{"id":"a","dockerimage":"x","mem":64,"cpus":0.5,"nodetype":"lab"}');
});

test('task spec › names every missing required field', (t) => {
  t.deepEqual(errors({}), [
    '/id id is required',
    '/dockerimage dockerimage is required',
    '/mem mem is required (MB, greater than 0)',
  ]);
});

test('task spec › rejects non-numeric, zero and negative memory naming the field', (t) => {
  for (const mem of ['abc', 0, '-5', '', null, true, [1]]) {
    const e = errors({ id: 'a', dockerimage: 'x', mem });
    t.is(e.length, 1, `mem=${JSON.stringify(mem)}`);
    t.true(e[0]?.startsWith('/mem mem must be a number greater than 0'), e[0]);
  }
});

test('task spec › rejects unknown fields, bad enums and wrong types', (t) => {
  const e = errors({
    id: 'a',
    dockerimage: 'x',
    mem: 1,
    memory: 2,
    sla: 'pair',
    networkmode: 'overlay',
    notmetered: 'yes',
  });
  t.true(e.some((m) => m.startsWith('/memory unknown field "memory"')));
  t.true(e.some((m) => m.startsWith('/sla sla must be "one-per-node" or "singleton"')));
  t.true(e.some((m) => m.startsWith('/networkmode networkmode must be "bridge", "host" or "none"')));
  t.true(e.some((m) => m.startsWith('/notmetered notmetered must be true or false')));
});

test('task spec › rejects port mappings outside host networking rules and out of range', (t) => {
  t.true(
    errors({
      id: 'a',
      dockerimage: 'x',
      mem: 1,
      networkmode: 'host',
      ports: [{ host_port: 80, container_port: 80 }],
    }).some((m) => m.startsWith('/networkmode ports map container ports and need networkmode "bridge"')),
  );
  t.true(
    errors({
      id: 'a',
      dockerimage: 'x',
      mem: 1,
      ports: [{ host_port: 70000, container_port: 80 }],
    })[0]?.startsWith('/ports/0/host_port'),
  );
  t.true(
    errors({
      id: 'a',
      dockerimage: 'x',
      mem: 1,
      ports: [
        { host_port: 8080, container_port: 1 },
        { host_port: '8080', container_port: 2 },
      ],
    }).some((m) => m.includes('is listed twice')),
  );
});

test('task spec › rejects ids that cannot be Mesos task ids', (t) => {
  for (const id of ['', '.', '..', 'a/b', 'a b', 'x'.repeat(201)]) {
    t.true(errors({ id, dockerimage: 'x', mem: 1 })[0]?.startsWith('/id'), JSON.stringify(id));
  }
});

test('task spec › rejects anything that is not an object', (t) => {
  for (const raw of [null, 3, 'task', [], undefined]) t.is(errors(raw).length, 1);
});
