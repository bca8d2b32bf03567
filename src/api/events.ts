import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { EventHub, HubEvent } from '../daemon/event-hub.ts';
import { badRequest } from './errors.ts';

export interface EventStreamOptions {
  /** A comment line is sent this often so proxies and clients see the stream is alive. */
  readonly keepAliveMs?: number;
  /**
   * A client that falls this far behind (bytes queued in the socket) is disconnected; it
   * reconnects with `Last-Event-ID` and resumes from the hub's ring, so nothing is lost unless
   * the ring moved past it (then it gets a `reset`).
   */
  readonly maxBufferedBytes?: number;
  /** Reconnection delay suggested to clients (the SSE `retry:` field), in ms. */
  readonly retryMs?: number;
}

const ID = /^(0|[1-9][0-9]{0,15})$/;

/** One event in the `text/event-stream` format. */
export function sseFrame(event: HubEvent): string {
  return `id: ${event.id}\nevent: ${event.record.type}\ndata: ${JSON.stringify({ t: event.t, ...event.record })}\n\n`;
}

/**
 * `GET /v1/events`: task, node, job and pool changes as Server-Sent Events.
 *
 * Each event is `id: <n>`, `event: <record type>` (task-submitted, task-launched, task-status,
 * kill-requested, gave-up, agent-added, agent-removed, agent-held, paused, subscribed,
 * disconnected, reconciled, reshuffle, job-submitted, job-wave, job-waiting, job-ended,
 * pool-node, pool-scale, pool, auto-scale) and `data: {"t":<ms since start>,"type":…,…}`.
 *
 * A new connection gets only what happens from then on. A client that reconnects sends the last
 * id it saw (`Last-Event-ID`, as browsers' EventSource do, or `?last_event_id=`) and gets every
 * event after it. `last_event_id=0` replays everything still kept. When some of the events it
 * missed are no longer kept, or the id is from before a daemon restart, it first gets
 * `event: reset` and should list tasks and nodes again; the stream then goes on from there.
 */
export function eventsRoutes(hub: EventHub, opts: EventStreamOptions = {}): FastifyPluginAsync {
  const keepAliveMs = opts.keepAliveMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
  const retryMs = opts.retryMs ?? 2000;

  return async (app) => {
    const open = new Set<() => void>();
    // Streams never end by themselves; close them so app.close() does not wait for clients.
    app.addHook('preClose', async () => {
      for (const close of [...open]) close();
    });

    app.get<{ Querystring: { last_event_id?: string } }>(
      '/v1/events',
      {
        exposeHeadRoute: false,
        schema: {
          summary: 'Task and node changes as Server-Sent Events',
          description:
            'text/event-stream. Resume with the Last-Event-ID header (or last_event_id); `event: reset` means events were missed: list again.',
          tags: ['events'],
          querystring: {
            type: 'object',
            properties: {
              last_event_id: {
                type: 'string',
                description: 'resume after this event id (0: all kept events)',
              },
            },
            additionalProperties: false,
          },
        },
      },
      (req, reply) => {
        const header = req.headers['last-event-id'];
        const query = req.query.last_event_id;
        const given = query ?? (Array.isArray(header) ? header[0] : header)?.trim();
        if (given !== undefined && !ID.test(given)) {
          throw badRequest(
            `${query !== undefined ? 'last_event_id' : 'Last-Event-ID'} must be an event id (a whole number ≥ 0), got ${JSON.stringify(given)}`,
          );
        }
        reply.hijack();
        stream(reply.raw, given === undefined ? undefined : Number(given));
      },
    );

    function stream(res: ServerResponse, resumeAfter: number | undefined): void {
      let closed = false;
      let lastSent = 0;

      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(keepAlive);
        open.delete(close);
        if (!res.writableEnded && !res.destroyed) res.end();
      };
      const write = (chunk: string) => {
        if (closed || res.destroyed || res.writableEnded) return close();
        if (res.writableLength > maxBuffered) {
          close();
          res.destroy();
          return;
        }
        try {
          res.write(chunk);
        } catch {
          close();
        }
      };
      const send = (event: HubEvent) => {
        if (event.id <= lastSent) return;
        lastSent = event.id;
        write(sseFrame(event));
      };

      // All synchronous: nothing is published between reading the ring and subscribing.
      const unsubscribe = hub.subscribe(send);
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      open.add(close);
      res.on('close', close);
      res.on('error', close);
      res.socket?.setNoDelay(true);

      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      write(`retry: ${retryMs}\n\n`);

      const last = hub.lastId;
      if (resumeAfter === undefined) {
        lastSent = last;
      } else {
        const { events, complete } = hub.since(resumeAfter);
        if (!complete || resumeAfter > last) {
          const why =
            resumeAfter > last
              ? `event ${resumeAfter} is from before the daemon restarted`
              : `events after ${resumeAfter} are no longer kept`;
          write(
            `id: ${last}\nevent: reset\ndata: ${JSON.stringify({ type: 'reset', last_event_id: last, message: `${why}; list tasks and nodes again` })}\n\n`,
          );
          lastSent = last;
        } else {
          for (const event of events) send(event);
        }
      }
    }
  };
}
