import type { FastifyPluginAsync } from 'fastify';
import { explainTask } from '../../core/scheduler/queries.ts';
import { formatFieldErrors, parseTaskSpec } from '../../core/spec/task-spec.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, ClientError, notFound } from '../errors.ts';
import { activeTasks, taskView } from '../views.ts';

/**
 * Charmander's API, byte-compatible with its documentation: ping, submit, list, kill by prefix,
 * reshuffle — plus `GET /client/task/<id>/why`.
 */
export function charmanderRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/ping', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('pong'));

    app.post('/client/task', async (req, reply) => {
      const parsed = parseTaskSpec(req.body);
      if (!parsed.ok) throw badRequest(formatFieldErrors(parsed.errors));
      const outcome = await daemon.submit(parsed.spec);
      if (!outcome.ok) throw new ClientError(409, outcome.message);
      return reply.code(202).send({ code: 202, message: `Run task: ${parsed.spec.id}` });
    });

    app.get('/client/task', async () => activeTasks(daemon.state).map(taskView));

    const reshuffle = async (_req: unknown, reply: import('fastify').FastifyReply) => {
      await daemon.change({ type: 'reshuffle' });
      return reply.code(202).send({ code: 202, message: 'Reshuffle tasks' });
    };
    app.get('/client/task/reshuffle', reshuffle);
    app.post('/client/task/reshuffle', reshuffle);

    app.get<{ Params: { id: string } }>('/client/task/:id/why', async (req) => {
      const { id } = req.params;
      const task = daemon.state.tasks.get(id) ?? activeTasks(daemon.state).find((t) => t.specId === id);
      if (!task) throw notFound(`task ${id}`);
      const view = taskView(task);
      if (task.phase === 'pending') {
        const why = explainTask(daemon.state, task.id, daemon.clock.now());
        return { ...view, why: why?.text ?? 'waiting to be placed', reasons: why?.reasons ?? [] };
      }
      const where = task.hostname ?? task.agentId ?? 'an agent not seen since the restart';
      const text =
        task.phase === 'done'
          ? `ended ${task.state ?? ''}${task.reason ? ` (${task.reason})` : ''}`.trim()
          : `${task.phase} on ${where}, placed by ${daemon.state.config.placement}`;
      return { ...view, why: text, reasons: [] };
    });

    app.delete<{ Params: { prefix: string } }>('/client/task/:prefix', async (req, reply) => {
      const records = await daemon.change({ type: 'kill', prefix: req.params.prefix });
      const killed = records.flatMap((r) =>
        r.type === 'kill-requested' && r.cause === 'user' ? [r.task] : [],
      );
      if (killed.length === 0)
        throw badRequest(`incorrect request: no live task id starts with "${req.params.prefix}"`);
      // Charmander answers one JSON line per task it kills.
      const body = killed.map((id) => JSON.stringify({ code: 200, message: `Kill task: ${id}` })).join('\n');
      return reply.code(200).type('application/json; charset=utf-8').send(`${body}\n`);
    });
  };
}
