import type { FastifyPluginAsync } from 'fastify';
import type { Daemon } from '../../daemon/daemon.ts';
import type { DaemonMetrics } from '../metrics.ts';

/**
 * Operations: liveness (alive while the process serves and the scheduler has not stopped),
 * readiness (subscribed to the leading master and reconciled since) and Prometheus metrics.
 */
export function opsRoutes(daemon: Daemon, metrics: DaemonMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { summary: 'Liveness: 200 while the scheduler runs, 503 once it stopped', tags: ['ops'] } },
      async (_req, reply) => {
        if (daemon.fatal !== undefined)
          return reply.code(503).send({ status: 'failed', message: daemon.fatal });
        return { status: 'ok' };
      },
    );
    app.get(
      '/readyz',
      { schema: { summary: 'Readiness: 200 once subscribed and reconciled, else 503', tags: ['ops'] } },
      async (_req, reply) => {
        const fw = daemon.state.framework;
        const body = {
          ready: daemon.ready,
          subscribed: fw.subscribed,
          reconciled: daemon.state.reconciled,
          framework_id: fw.id ?? null,
        };
        return reply.code(daemon.ready ? 200 : 503).send(body);
      },
    );
    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics (text format 0.0.4)', tags: ['ops'] } },
      async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()),
    );
  };
}
