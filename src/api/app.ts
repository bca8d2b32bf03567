import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { Daemon } from '../daemon/daemon.ts';
import type { Tokens } from './auth.ts';
import { installAuth } from './auth.ts';
import { ClientError, errorBody } from './errors.ts';
import { type EventStreamOptions, eventsRoutes } from './events.ts';
import { DaemonMetrics } from './metrics.ts';
import { installDocs } from './plugins/docs.ts';
import { installJsonBody } from './plugins/json-body.ts';
import { installOverload, OverloadedError, type OverloadOptions } from './plugins/overload.ts';
import { charmanderRoutes } from './routes/charmander.ts';
import { dynamicClusterRoutes } from './routes/dynamic-cluster.ts';
import { intelligenceRoutes } from './routes/intelligence.ts';
import { jobsRoutes } from './routes/jobs.ts';
import { opsRoutes } from './routes/ops.ts';
import { poolsRoutes } from './routes/pools.ts';
import { scaleRoutes } from './routes/scale.ts';

export interface AppOptions {
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  readonly bodyLimit?: number;
  /** pino logger options, or false for none. Authorization headers are always redacted. */
  readonly logger?: boolean | { level: string };
  /**
   * Bearer tokens (from `readTokenFile`). With them every route but /healthz, /readyz and
   * /admin/ping needs a token: GET/HEAD a read or admin one, everything else the admin one.
   * Without them the API is open to whoever can reach it.
   */
  readonly tokens?: Tokens;
  /**
   * The metrics `/metrics` serves; bound to the daemon here. Pass the instance whose
   * `observeFsync` was given to `Daemon.start` as `onSync`, so journal fsyncs are counted.
   * Without it the app makes its own (no fsync figures).
   */
  readonly metrics?: DaemonMetrics;
  /** Load shedding (503 + Retry-After); false turns it off. */
  readonly overload?: OverloadOptions | false;
  /** `GET /v1/events` tuning. */
  readonly events?: EventStreamOptions;
}

/**
 * The daemon's REST API. Validation is strict: fastify's defaults would silently drop unknown
 * fields and turn "5" into 5, so both are switched off; the one deliberate exception, numeric
 * strings in task specs, is handled by the task-spec parser. Bodies are JSON only, without
 * `__proto__`/`constructor.prototype` keys. Every client mistake is a 4xx with
 * `{"code":…,"message":…}` naming the problem; nothing a client sends gives a 500.
 *
 * Around the routes: OpenAPI at /docs, Prometheus at /metrics, /healthz and /readyz, the
 * Server-Sent Events stream /v1/events, optional bearer tokens, 503 + Retry-After under overload.
 */
export function buildApp(daemon: Daemon, opts: AppOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Errors raised before routing (a malformed percent-encoding in the path) get our shape too.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode ?? 400;
      const message =
        err.code === 'FST_ERR_BAD_URL'
          ? 'the URL is not valid (bad percent-encoding)'
          : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'the URL is too long'
            : err.message;
      (reply as FastifyReply).code(status).send(errorBody(status, message));
    },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  });
  const metrics = (opts.metrics ?? new DaemonMetrics()).bind(daemon);

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ClientError)
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message));
    if (err instanceof OverloadedError)
      return reply.code(503).header('retry-after', String(err.retryAfter)).send(errorBody(503, err.message));
    if (err.validation) return reply.code(400).send(errorBody(400, validationMessage(err)));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send(errorBody(status, clientMessage(err, bodyLimit)));
    reply.log.error(err);
    return reply.code(500).send(errorBody(500, 'internal error'));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(404, `no such resource: ${req.method} ${req.url.split('?')[0]}`)),
  );
  installJsonBody(app);

  app.addHook('onResponse', (req, reply, done) => {
    metrics.observeRequest(
      req.method,
      req.routeOptions.url ?? '<unmatched>',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (opts.tokens !== undefined) installAuth(app, opts.tokens);
  if (opts.overload !== false) installOverload(app, opts.overload);
  installDocs(app, { bearer: opts.tokens !== undefined });

  app.register(opsRoutes(daemon, metrics));
  app.register(eventsRoutes(daemon.hub, opts.events));
  app.register(charmanderRoutes(daemon));
  app.register(intelligenceRoutes(daemon));
  app.register(scaleRoutes(daemon));
  app.register(dynamicClusterRoutes(daemon));
  app.register(jobsRoutes(daemon));
  app.register(poolsRoutes(daemon));
  return app;
}

function loggerOptions(logger: AppOptions['logger']): NonNullable<FastifyServerOptions['logger']> {
  if (logger === undefined || logger === false) return false;
  return {
    level: logger === true ? 'info' : logger.level,
    // Tokens must never reach a log.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
}

/** ajv's message, with the part of the request it is about and the offending field named. */
function validationMessage(err: FastifyError): string {
  // fastify says e.g. "body/mem must be number" or "querystring must NOT have additional properties".
  const message = err.message.replace(/\s+/g, ' ').trim();
  const first = err.validation?.[0];
  const extra = first?.params?.additionalProperty;
  if (first?.keyword === 'additionalProperties' && typeof extra === 'string')
    return `${message.replace(/ must NOT have additional properties$/, '')} has an unknown field "${extra}"`;
  return message;
}

/** Fastify's own 4xx messages, made to read like ours. */
function clientMessage(err: FastifyError, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Content-Type must be application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body too large: the limit is ${bodyLimit} bytes`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty; send a JSON object';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the request body is not valid JSON';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'Content-Length does not match the body';
    default:
      return err.message;
  }
}
