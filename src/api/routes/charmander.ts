import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type Plan, STRATEGIES } from '../../core/reshuffle/planner.ts';
import { explainTask } from '../../core/scheduler/queries.ts';
import type { SchedulerRecord } from '../../core/scheduler/records.ts';
import { formatFieldErrors, parseTaskSpec } from '../../core/spec/task-spec.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, ClientError, notFound } from '../errors.ts';
import { checkNoBody, checkQuery } from '../node-views.ts';
import { activeTasks, taskView } from '../views.ts';

/** The reshuffle strategies `?strategy=` takes (`planned` is offerlab's consolidate + right-size). */
export const RESHUFFLE_STRATEGIES: readonly string[] = STRATEGIES;
const RESHUFFLE_QUERY = ['dry_run', 'strategy'] as const;

const RESHUFFLE_DESCRIPTION =
  "Charmander's reshuffle: kills every running `reshuffleable` task and resubmits it, answering " +
  '`202 {"code":202,"message":"Reshuffle tasks"}`. `?strategy=` picks the strategy ' +
  `(${RESHUFFLE_STRATEGIES.join(', ')}; default: the daemon's configured one); a planned one ` +
  '(anything but charmander) answers the same and adds the plan it carries out under `plan`: ' +
  'moves, waves, skipped tasks and the expected gain. `?dry_run=true` only plans: `200 ' +
  '{"code":200,"message":"Reshuffle plan (dry run): N moves, M waves, frees X MB","plan":{…}}` ' +
  'and nothing changes — so a dry-run GET needs only a read token.';

type ReshufflePlanRecord = Extract<SchedulerRecord, { type: 'reshuffle-plan' }>;

function planRecord(records: readonly SchedulerRecord[]): ReshufflePlanRecord | undefined {
  return records.find((r): r is ReshufflePlanRecord => r.type === 'reshuffle-plan');
}

/** `?dry_run=`: `true` or `false`; absent is false. */
export function dryRunOf(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw badRequest(`dry_run must be true or false, got "${value}"`);
}

/** "N moves, M waves, frees X MB" — what a dry run answers. */
export function planSummary(plan: Plan): string {
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  const gain = Math.round(plan.expected.freeMemAfter - plan.expected.freeMemBefore);
  const frees = gain >= 0 ? `frees ${gain} MB` : `takes ${-gain} MB more`;
  const emptied = plan.expected.agentsEmptied.length;
  const empties = emptied > 0 ? `, empties ${n(emptied, 'agent')}` : '';
  return `Reshuffle plan (dry run): ${n(plan.moves.length, 'move')}, ${n(plan.waves.length, 'wave')}, ${frees}${empties}`;
}

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

    /*
     * Reshuffle, Charmander's way or planned. Without `dry_run` the answer is Charmander's
     * `202 {"code":202,"message":"Reshuffle tasks"}`, those two fields first and unchanged; when
     * the strategy run is a planned one (named, or the daemon's configured default) the plan it
     * carries out follows under `plan`. Charmander's own reshuffle has no plan to show, so its
     * answer stays byte for byte what Charmander answered. `dry_run=true` only plans (200), and
     * nothing changes.
     */
    const reshuffle = async (req: FastifyRequest, reply: FastifyReply) => {
      checkNoBody(req.body);
      const q = checkQuery(req.query, RESHUFFLE_QUERY);
      const dryRun = dryRunOf(q.dry_run);
      const strategy = q.strategy;
      if (strategy !== undefined && !RESHUFFLE_STRATEGIES.includes(strategy))
        throw badRequest(`unknown strategy "${strategy}" (valid: ${RESHUFFLE_STRATEGIES.join(', ')})`);
      const planned = planRecord(
        await daemon.change({
          type: 'reshuffle',
          ...(strategy !== undefined ? { strategy } : {}),
          ...(dryRun ? { dryRun } : {}),
        }),
      );
      if (dryRun) {
        if (!planned) throw new Error('the scheduler answered a dry-run reshuffle without a plan');
        return reply.code(200).send({ code: 200, message: planSummary(planned.plan), plan: planned.plan });
      }
      const body: { code: number; message: string; plan?: Plan } = { code: 202, message: 'Reshuffle tasks' };
      if (planned && planned.strategy !== 'charmander') body.plan = planned.plan;
      return reply.code(202).send(body);
    };
    const reshuffleOptions = {
      // A HEAD of this GET must not reshuffle.
      exposeHeadRoute: false,
      schema: {
        summary: 'Reshuffle tasks (Charmander), with another strategy, or only plan one (?dry_run=true)',
        description: RESHUFFLE_DESCRIPTION,
        tags: ['charmander'],
      },
    };
    app.get('/client/task/reshuffle', reshuffleOptions, reshuffle);
    app.post('/client/task/reshuffle', reshuffleOptions, reshuffle);

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
      const { prefix } = req.params;
      // Every live task the prefix names, including those already being killed (a repeated
      // DELETE answers the same), and one-per-node/singleton ids it retires with no copy left.
      const matched = activeTasks(daemon.state)
        .filter((t) => t.id.startsWith(prefix))
        .map((t) => t.id);
      const retiring = [...daemon.state.families.values()]
        .filter(
          (f) =>
            !f.retired &&
            `${f.specId}-`.startsWith(prefix) &&
            !matched.some((id) => id.startsWith(`${f.specId}-`)),
        )
        .map((f) => f.specId);
      await daemon.change({ type: 'kill', prefix });
      const killed = [...matched, ...retiring];
      if (killed.length === 0) throw badRequest(`incorrect request: no live task id starts with "${prefix}"`);
      // Charmander answers one JSON line per task it kills.
      const body = killed.map((id) => JSON.stringify({ code: 200, message: `Kill task: ${id}` })).join('\n');
      return reply.code(200).type('application/json; charset=utf-8').send(`${body}\n`);
    });
  };
}
