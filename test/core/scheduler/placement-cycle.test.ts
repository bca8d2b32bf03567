import test from 'ava';
import type { AcceptCall } from '../../../src/core/mesos/v1.ts';
import { agentId, calls, Harness, launched, offer, offersEvent, records, spec } from '../../helpers/core.ts';

test('placement cycle › launches a queued task on the first offer with a complete Docker TaskInfo', (t) => {
  const h = new Harness().subscribe();
  const [id] = h.submit(
    spec({
      id: 'cadvisor',
      dockerimage: 'google/cadvisor:0.6.2',
      mem: '50',
      volumes: [
        { host_path: '/', container_path: '/rootfs', mode: 'ro' },
        { host_path: '/var/run', container_path: '/var/run', mode: 'rw' },
      ],
      ports: [{ host_port: '31500', container_port: '8080' }],
      arguments: ['--logtostderr'],
    }),
  );
  const cmds = h.feed(offersEvent(offer(0)));
  const [accept] = calls(cmds, 'ACCEPT') as AcceptCall[];
  t.truthy(accept);
  if (!accept) return;
  t.is(accept.framework_id.value, 'fw-0000');
  t.deepEqual(accept.accept.filters, { refuse_seconds: 0 });
  const info = accept.accept.operations[0]?.launch.task_infos[0];
  t.is(info?.task_id.value, id);
  t.is(info?.name, 'cadvisor');
  t.is(info?.agent_id.value, agentId(0));
  t.deepEqual(info?.container?.docker?.port_mappings, [
    { host_port: 31500, container_port: 8080, protocol: 'tcp' },
  ]);
  t.is(info?.container?.docker?.network, 'BRIDGE');
  t.deepEqual(
    info?.container?.volumes?.map((v) => v.mode),
    ['RO', 'RW'],
  );
  t.deepEqual(info?.command, { shell: false, arguments: ['--logtostderr'] });
  const ports = info?.resources.find((r) => r.name === 'ports');
  t.deepEqual(ports?.ranges?.range, [{ begin: 31500, end: 31500 }]);
  t.deepEqual(ports?.allocation_info, { role: '*' }, 'resources copy the offer allocation info');
  t.deepEqual(
    records(cmds, 'task-launched').map((r) => r.type === 'task-launched' && r.resources),
    [{ cpus: 0.1, mem: 50, ports: [[31500, 31500]] }],
  );
});

test('placement cycle › one ACCEPT per agent carries every task placed there and all its offers', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'w', mem: 100 }), { count: 3 });
  const cmds = h.feed(offersEvent(offer(0, { mem: 1000 }), offer(0, { mem: 50, cpus: 1 })));
  const accepts = calls(cmds, 'ACCEPT') as AcceptCall[];
  t.is(accepts.length, 1);
  t.is(accepts[0]?.accept.offer_ids.length, 2);
  t.is(accepts[0]?.accept.operations[0]?.launch.task_infos.length, 3);
});

test('placement cycle › first-fit fills agents in agent-id order', (t) => {
  const h = new Harness({ placement: 'first-fit' }).subscribe();
  h.submit(spec({ id: 'w', mem: 1000 }), { count: 5 });
  const cmds = h.feed(offersEvent(offer(10, { mem: 4000 }), offer(2, { mem: 4000 })));
  const where = launched(cmds).map((l) => l.agent);
  t.deepEqual(where, [agentId(2), agentId(2), agentId(2), agentId(2), agentId(10)]);
});

test('placement cycle › spread alternates between equal agents, bin-pack fills one', (t) => {
  const spreadH = new Harness({ placement: 'spread' }).subscribe();
  spreadH.submit(spec({ id: 'w', mem: 500 }), { count: 4 });
  const s = launched(spreadH.feed(offersEvent(offer(1), offer(2)))).map((l) => l.agent);
  t.deepEqual(s.filter((a) => a === agentId(1)).length, 2);
  t.deepEqual(s.filter((a) => a === agentId(2)).length, 2);

  const pack = new Harness({ placement: 'bin-pack' }).subscribe();
  pack.submit(spec({ id: 'w', mem: 500 }), { count: 4 });
  const b = launched(pack.feed(offersEvent(offer(1), offer(2)))).map((l) => l.agent);
  t.is(new Set(b).size, 1);
});

test('placement cycle › a task that fits nowhere stays pending and the offers are kept', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'big', mem: 10_000 }));
  const cmds = h.feed(offersEvent(offer(0), offer(1)));
  t.is(calls(cmds, 'ACCEPT').length, 0);
  t.is(calls(cmds, 'DECLINE').length, 0);
  t.is(h.state.pending.size, 1);
  t.is(h.state.offers.size, 2);
});

test('placement cycle › tasks with the same request are not retried within a cycle once one failed', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'w', mem: 3000 }), { count: 3 });
  const cmds = h.feed(offersEvent(offer(0, { mem: 4000 })));
  t.is(launched(cmds).length, 1);
  t.is(h.state.pending.size, 2);
});

test('placement cycle › never launches while the scheduler is paused, resumes when unpaused', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'pause', paused: true });
  h.submit(spec({ id: 'w' }));
  t.is(launched(h.feed(offersEvent(offer(0)))).length, 0);
  const cmds = h.feed({ type: 'pause', paused: false });
  t.is(launched(cmds).length, 1);
});

test('placement cycle › a held agent gets nothing and its offers are declined at once', (t) => {
  const h = new Harness().subscribe();
  h.feed({ type: 'hold', hostname: 'host-0', held: true, reason: 'maintenance' });
  h.submit(spec({ id: 'w' }));
  const cmds = h.feed(offersEvent(offer(0), offer(1)));
  t.deepEqual(
    launched(cmds).map((l) => l.agent),
    [agentId(1)],
  );
  const declines = calls(cmds, 'DECLINE');
  t.is(declines.length, 1);
});

test('placement cycle › nothing is placed before the framework is subscribed', (t) => {
  const h = new Harness();
  h.submit(spec({ id: 'w' }));
  t.is(launched(h.feed(offersEvent(offer(0)))).length, 0);
  t.is(h.state.pending.size, 1);
});

test('placement › a one-per-node copy for a new agent is placed before the queue that arrived earlier', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'filler', mem: 320 }), { count: 4 });
  h.submit(spec({ id: 'cadvisor', sla: 'one-per-node', mem: 50 }));
  const cmds = h.feed(offersEvent(offer(0, { mem: 1000 })), 1000);
  const placed = launched(cmds).map((l) => l.task);
  t.true(
    placed.some((id) => id.startsWith('cadvisor-')),
    `the agent's own copy gets its room (placed: ${placed.join(', ')})`,
  );
  t.is(placed.filter((id) => id.startsWith('filler-')).length, 2, 'the queue takes what is left');
});
