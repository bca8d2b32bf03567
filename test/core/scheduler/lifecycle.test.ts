import test from 'ava';
import { agentId, event, Harness, launched, offer, offersEvent, records, spec } from '../../helpers/core.ts';

test('lifecycle › a task launched while its agent went away ends before the agent, and is replaced', (t) => {
  const h = new Harness().subscribe();
  const [id] = h.submit(spec({ id: 'svc' }));
  t.is(launched(h.feed(offersEvent(offer(0)), 1000)).length, 1);
  // Mesos removed the agent before the ACCEPT arrived: it reports no task of ours, only FAILURE.
  const cmds = h.feed(event({ type: 'FAILURE', failure: { agent_id: { value: agentId(0) } } }), 2000);
  const order = records(cmds).map((r) => (r.type === 'task-status' ? `${r.task} ${r.state}` : r.type));
  t.deepEqual(order.slice(0, 3), [`${id} TASK_LOST`, 'agent-removed', 'task-submitted']);
  t.is(h.state.tasks.get(id as string)?.phase, 'done');
  t.false(h.state.agents.has(agentId(0)));
});
