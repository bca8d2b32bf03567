import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';

export interface OverloadOptions {
  /** Shed requests while the mean event-loop delay exceeds this (ms). Default 1000. */
  readonly maxEventLoopDelay?: number;
  /** Shed requests while the V8 heap in use exceeds this (bytes). Default: no limit. */
  readonly maxHeapUsedBytes?: number;
  /** Shed requests while the resident set exceeds this (bytes). Default: no limit. */
  readonly maxRssBytes?: number;
  /** The Retry-After answered with a 503, in seconds. Default 10. */
  readonly retryAfter?: number;
  /** How often the process is sampled (ms). Default 1000. */
  readonly sampleInterval?: number;
}

/** Answered even under overload: liveness must not flap and metrics are how overload is seen. */
const EXEMPT = new Set(['/healthz', '/metrics']);

/** The daemon is overloaded: 503 with Retry-After and `{"code":503,"message":…}`. */
export class OverloadedError extends Error {
  readonly statusCode = 503;
  readonly retryAfter: number;
  constructor(what: string, retryAfter: number) {
    super(`the daemon is overloaded (${what}); retry in ${retryAfter} s`);
    this.retryAfter = retryAfter;
  }
}

const describe = (type: string, value: number | undefined): string => {
  switch (type) {
    case underPressure.TYPE_EVENT_LOOP_DELAY:
      return value === undefined || !Number.isFinite(value)
        ? 'event loop blocked'
        : `event-loop delay ${Math.round(value)} ms`;
    case underPressure.TYPE_HEAP_USED_BYTES:
      return `heap ${Math.round((value ?? 0) / 2 ** 20)} MiB`;
    case underPressure.TYPE_RSS_BYTES:
      return `resident memory ${Math.round((value ?? 0) / 2 ** 20)} MiB`;
    default:
      return type;
  }
};

/** Load shedding with @fastify/under-pressure; call on the root instance. */
export function installOverload(app: FastifyInstance, opts: OverloadOptions = {}): void {
  const retryAfter = opts.retryAfter ?? 10;
  app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelay ?? 1000,
    ...(opts.maxHeapUsedBytes !== undefined ? { maxHeapUsedBytes: opts.maxHeapUsedBytes } : {}),
    ...(opts.maxRssBytes !== undefined ? { maxRssBytes: opts.maxRssBytes } : {}),
    ...(opts.sampleInterval !== undefined ? { sampleInterval: opts.sampleInterval } : {}),
    retryAfter,
    pressureHandler: (req, reply, type, value) => {
      if (req.routeOptions.url !== undefined && EXEMPT.has(req.routeOptions.url)) return;
      reply.header('retry-after', String(retryAfter));
      return Promise.reject(new OverloadedError(describe(type, value), retryAfter));
    },
  });
}
