import { Client, errors } from 'undici';
import type { Call, Event, SubscribeCall } from '../core/mesos/v1.ts';
import type { Random } from '../core/random.ts';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { Transport, TransportListener } from '../ports/transport.ts';
import { backoffMs } from './backoff.ts';
import { type Codec, codecFor, type WireFormat } from './codec/codec.ts';
import { RecordIODecoder, RecordIOError } from './codec/recordio.ts';
import { resolveLocation } from './masters.ts';

export interface Credentials {
  readonly principal: string;
  readonly secret: string;
}

export interface HttpTransportOptions {
  /** Master origins (`http://host:port`), tried in order to find the leader. */
  readonly masters: readonly string[];
  readonly format?: WireFormat;
  readonly clock: Clock;
  /** For backoff jitter. */
  readonly random: Random;
  /** HTTP Basic credentials; the secret is never logged nor put in a message. */
  readonly credentials?: Credentials;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** A subscription with no event for this many heartbeat intervals is dead. */
  readonly missedHeartbeats?: number;
  /** Timeout of ordinary calls and of leader discovery requests. */
  readonly requestTimeoutMs?: number;
  /** Diagnostics (never carries the secret). */
  readonly log?: (message: string) => void;
  /** Timing hooks for benchmarks and metrics. */
  readonly observer?: TransportObserver;
}

/** Called synchronously on the transport's path, so a hook can take timestamps. */
export interface TransportObserver {
  /** An event record arrived and was decoded, before the scheduler sees it. */
  eventReceived?(event: Event): void;
  /** A call is about to be posted to the leader. */
  callSent?(call: Call): void;
  /** The master answered a call (any status), after the response body was read. */
  callAnswered?(call: Call, status: number): void;
}

const SCHEDULER_PATH = '/api/v1/scheduler';

type Lane = 'calls' | 'acks';

/** One subscription: its own connection, so no call is ever queued behind the stream. */
interface Subscription {
  readonly client: Client;
  readonly abort: AbortController;
  streamId?: string;
  lastEventAt: number;
}
const MAX_REDIRECTS = 3;

/**
 * The Transport contract over the Mesos v1 scheduler HTTP API, on undici.
 *
 * Finds the leading master through `/master/redirect` across the `--master` list, reports
 * `connected`, and on `send(SUBSCRIBE)` opens the RecordIO event stream on its own connection
 * (following 307s to the leader, backing off on 503). Every other call goes, in order, over one
 * keep-alive connection with the current `Mesos-Stream-Id`. A heartbeat watchdog declares the
 * stream dead after `missedHeartbeats` silent intervals; any end of the stream reports
 * `disconnected` and starts looking for a leader again with capped, jittered backoff.
 */
export class HttpTransport implements Transport {
  readonly #opts: HttpTransportOptions;
  readonly #codec: Codec;
  readonly #auth: string | undefined;
  #listener: TransportListener | undefined;
  #leader: string | undefined;
  #stream: Subscription | undefined;
  /**
   * Two keep-alive connections for calls: acknowledgements on their own, so a burst of them never
   * delays an ACCEPT or a KILL; each connection keeps its calls in order.
   */
  readonly #lanes = new Map<Lane, { client: Client; origin: string }>();
  #attempt = 0;
  #stopped = false;
  #retryTimer: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #heartbeatMs = 15_000;
  #discovering = false;

  constructor(opts: HttpTransportOptions) {
    if (opts.masters.length === 0) throw new Error('the HTTP transport needs at least one master');
    this.#opts = opts;
    this.#codec = codecFor(opts.format ?? 'json');
    this.#auth =
      opts.credentials === undefined
        ? undefined
        : `Basic ${Buffer.from(`${opts.credentials.principal}:${opts.credentials.secret}`).toString('base64')}`;
  }

  /** The leading master as last discovered (an origin). */
  get leader(): string | undefined {
    return this.#leader;
  }

  start(listener: TransportListener): void {
    this.#listener = listener;
    this.#stopped = false;
    void this.#discover();
  }

  send(call: Call): void {
    if (this.#stopped) return;
    if (call.type === 'SUBSCRIBE') {
      void this.#subscribe(call);
      return;
    }
    const stream = this.#stream;
    if (!stream?.streamId || !this.#leader) {
      this.#listener?.callFailed(call, `${call.type} not sent: not subscribed`);
      return;
    }
    this.#opts.observer?.callSent?.(call);
    void this.#post(call, stream.streamId);
  }

  /**
   * Sends TEARDOWN on the current subscription and waits for the master's answer: the framework
   * and all its tasks go away. Resolves false when there is no subscription or the master refused.
   */
  async teardown(frameworkId: string): Promise<boolean> {
    const streamId = this.#stream?.streamId;
    if (!streamId || !this.#leader) return false;
    const client = this.#callClient('calls', this.#leader);
    try {
      const res = await client.request({
        path: SCHEDULER_PATH,
        method: 'POST',
        headers: this.#headers({ 'content-type': this.#codec.contentType, 'mesos-stream-id': streamId }),
        body: this.#codec.encodeCall({ framework_id: { value: frameworkId }, type: 'TEARDOWN' }),
      });
      await res.body.text();
      return res.statusCode === 202;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimers();
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.abort.abort();
    const lanes = [...this.#lanes.values()].map((l) => l.client.close());
    this.#lanes.clear();
    await Promise.allSettled([stream?.client.destroy(), ...lanes]);
  }

  // ---- leader discovery ----------------------------------------------------------------------

  async #discover(): Promise<void> {
    if (this.#discovering || this.#stopped) return;
    this.#discovering = true;
    try {
      const candidates = this.#leader
        ? [this.#leader, ...this.#opts.masters.filter((m) => m !== this.#leader)]
        : [...this.#opts.masters];
      const problems: string[] = [];
      for (const master of candidates) {
        if (this.#stopped) return;
        const found = await this.#askRedirect(master);
        if (found.leader) {
          this.#leader = found.leader;
          this.#attempt = 0;
          this.#opts.log?.(`leading master: ${found.leader}`);
          this.#listener?.connected();
          return;
        }
        problems.push(`${master}: ${found.problem}`);
      }
      this.#retry(`no leading master found (${problems.join('; ')})`);
    } finally {
      this.#discovering = false;
    }
  }

  /** `GET /master/redirect` answers 307 to the leader (503 when there is none). */
  async #askRedirect(master: string): Promise<{ leader?: string; problem?: string }> {
    const client = new Client(master, { connectTimeout: this.#timeout(), headersTimeout: this.#timeout() });
    try {
      const res = await client.request({
        path: '/master/redirect',
        method: 'GET',
        headers: this.#headers({}),
      });
      const body = await res.body.text();
      if (res.statusCode === 307) {
        const location = headerValue(res.headers.location);
        if (!location) return { problem: '307 without a Location header' };
        return { leader: resolveLocation(location, `${master}/master/redirect`).origin };
      }
      if (res.statusCode === 503) return { problem: `no leader elected (${body.trim() || '503'})` };
      if (res.statusCode === 404) return { leader: master }; // a master without /redirect: try it directly
      if (res.statusCode === 401)
        return { problem: 'HTTP 401: the master wants credentials (--principal and a secret)' };
      return { problem: `HTTP ${res.statusCode}` };
    } catch (err) {
      return { problem: describeError(err) };
    } finally {
      void client.destroy();
    }
  }

  // ---- the subscription stream ---------------------------------------------------------------

  async #subscribe(call: SubscribeCall): Promise<void> {
    this.#closeStream();
    const body = this.#codec.encodeCall(call);
    let origin = this.#leader ?? (this.#opts.masters[0] as string);
    let path = SCHEDULER_PATH;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (this.#stopped) return;
      const abort = new AbortController();
      const client = new Client(origin, {
        connectTimeout: this.#timeout(),
        headersTimeout: this.#timeout(),
        bodyTimeout: 0,
      });
      const stream: Subscription = { client, abort, lastEventAt: this.#opts.clock.now() };
      this.#stream = stream;
      let res: Awaited<ReturnType<Client['request']>>;
      try {
        res = await client.request({
          path,
          method: 'POST',
          headers: this.#headers({
            'content-type': this.#codec.contentType,
            accept: this.#codec.contentType,
          }),
          body,
          signal: abort.signal,
        });
      } catch (err) {
        if (this.#stream === stream) this.#lost(`SUBSCRIBE to ${origin} failed: ${describeError(err)}`);
        return;
      }
      if (res.statusCode === 307) {
        const location = headerValue(res.headers.location);
        await res.body.text().catch(() => '');
        void client.destroy();
        if (!location) return this.#lost(`SUBSCRIBE to ${origin}: 307 without a Location header`);
        ({ origin, path } = resolveLocation(location, `${origin}${path}`));
        this.#leader = origin;
        continue;
      }
      if (res.statusCode !== 200) {
        const text = (await res.body.text().catch(() => '')).trim();
        void client.destroy();
        if (this.#stream === stream)
          this.#lost(`SUBSCRIBE refused by ${origin} with HTTP ${res.statusCode}${text ? `: ${text}` : ''}`);
        return;
      }
      const streamId = headerValue(res.headers['mesos-stream-id']);
      if (streamId !== undefined) stream.streamId = streamId;
      this.#leader = origin;
      this.#armWatchdog(stream);
      await this.#readEvents(stream, res.body);
      return;
    }
    this.#lost(`SUBSCRIBE: more than ${MAX_REDIRECTS} redirects`);
  }

  async #readEvents(stream: Subscription, body: AsyncIterable<Uint8Array>): Promise<void> {
    const decoder = new RecordIODecoder();
    try {
      for await (const chunk of body) {
        if (this.#stream !== stream) return;
        for (const record of decoder.decode(chunk)) {
          const event = this.#codec.decodeEvent(record);
          this.#opts.observer?.eventReceived?.(event);
          stream.lastEventAt = this.#opts.clock.now();
          this.#onEvent(event);
          if (this.#stream !== stream) return;
        }
      }
      if (this.#stream === stream)
        this.#lost(
          decoder.hasPartialRecord
            ? 'the event stream ended inside a record'
            : 'the master closed the event stream',
        );
    } catch (err) {
      if (this.#stream !== stream) return;
      this.#lost(
        err instanceof RecordIOError
          ? `corrupt event stream: ${err.message}`
          : `event stream failed: ${describeError(err)}`,
      );
    }
  }

  #onEvent(event: Event): void {
    if (event.type === 'SUBSCRIBED') {
      this.#attempt = 0;
      const seconds = event.subscribed.heartbeat_interval_seconds;
      if (seconds !== undefined && seconds > 0) {
        this.#heartbeatMs = seconds * 1000;
        // the watchdog was armed before the master told the interval
        if (this.#stream) this.#armWatchdog(this.#stream);
      }
    }
    this.#listener?.received(event);
  }

  /** Checks once per heartbeat interval that something arrived within the allowed silence. */
  #armWatchdog(stream: Subscription): void {
    const clock = this.#opts.clock;
    const check = () => {
      if (this.#stream !== stream) return;
      const silence = clock.now() - stream.lastEventAt;
      const limit = (this.#opts.missedHeartbeats ?? 5) * this.#heartbeatMs;
      if (silence >= limit) {
        this.#lost(
          `no event for ${Math.round(silence / 1000)} s (${this.#opts.missedHeartbeats ?? 5} missed heartbeats)`,
        );
        return;
      }
      this.#watchdog = clock.setTimer(clock.now() + this.#heartbeatMs, check);
    };
    if (this.#watchdog !== undefined) clock.cancelTimer(this.#watchdog);
    this.#watchdog = clock.setTimer(clock.now() + this.#heartbeatMs, check);
  }

  /** The subscription is over: report it once and look for a leader again after a backoff. */
  #lost(reason: string): void {
    this.#closeStream();
    if (this.#stopped) return;
    this.#opts.log?.(`disconnected: ${reason}`);
    this.#listener?.disconnected(reason);
    this.#retry(reason);
  }

  #closeStream(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    if (this.#watchdog !== undefined) this.#opts.clock.cancelTimer(this.#watchdog);
    this.#watchdog = undefined;
    if (stream) {
      stream.abort.abort();
      void stream.client.destroy();
    }
  }

  #retry(reason: string): void {
    if (this.#stopped) return;
    const wait = backoffMs(
      this.#attempt++,
      this.#opts.reconnectBaseMs ?? 1000,
      this.#opts.reconnectMaxMs ?? 15_000,
      this.#opts.random,
    );
    this.#opts.log?.(`retrying in ${wait} ms: ${reason}`);
    if (this.#retryTimer !== undefined) this.#opts.clock.cancelTimer(this.#retryTimer);
    const clock = this.#opts.clock;
    this.#retryTimer = clock.setTimer(clock.now() + wait, () => {
      this.#retryTimer = undefined;
      void this.#discover();
    });
  }

  // ---- ordinary calls ------------------------------------------------------------------------

  /** One call, in order with the others of its lane, over a keep-alive connection to the leader. */
  async #post(call: Call, streamId: string): Promise<void> {
    const origin = this.#leader as string;
    const client = this.#callClient(call.type === 'ACKNOWLEDGE' ? 'acks' : 'calls', origin);
    try {
      const res = await client.request({
        path: SCHEDULER_PATH,
        method: 'POST',
        headers: this.#headers({ 'content-type': this.#codec.contentType, 'mesos-stream-id': streamId }),
        body: this.#codec.encodeCall(call),
      });
      const text = (await res.body.text()).trim();
      this.#opts.observer?.callAnswered?.(call, res.statusCode);
      if (res.statusCode === 202 || res.statusCode === 200) return;
      const message = `${call.type} refused by ${origin} with HTTP ${res.statusCode}${text ? `: ${text}` : ''}`;
      this.#listener?.callFailed(call, message);
      // A redirect, an unknown framework, a stale stream id or a disconnected framework: this
      // subscription is no longer valid.
      if (res.statusCode === 307 || res.statusCode === 400 || res.statusCode === 403) {
        if (this.#stream?.streamId === streamId) this.#lost(message);
      }
    } catch (err) {
      this.#listener?.callFailed(call, `${call.type} to ${origin} failed: ${describeError(err)}`);
    }
  }

  #callClient(lane: Lane, origin: string): Client {
    const open = this.#lanes.get(lane);
    if (open?.origin === origin) return open.client;
    void open?.client.close();
    // Pipelined: the master answers a connection's requests in order (libprocess' HttpProxy),
    // so up to 16 calls are on the wire at once without reordering.
    const client = new Client(origin, {
      pipelining: 16,
      connectTimeout: this.#timeout(),
      headersTimeout: this.#timeout(),
      bodyTimeout: this.#timeout(),
      keepAliveTimeout: 60_000,
    });
    this.#lanes.set(lane, { client, origin });
    return client;
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return this.#auth === undefined ? extra : { ...extra, authorization: this.#auth };
  }

  #timeout(): number {
    return this.#opts.requestTimeoutMs ?? 75_000;
  }

  #clearTimers(): void {
    if (this.#retryTimer !== undefined) this.#opts.clock.cancelTimer(this.#retryTimer);
    if (this.#watchdog !== undefined) this.#opts.clock.cancelTimer(this.#watchdog);
    this.#retryTimer = undefined;
    this.#watchdog = undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** One line for a network error (no stack, no request details that might carry credentials). */
export function describeError(err: unknown): string {
  if (err instanceof errors.ConnectTimeoutError) return 'connection timed out';
  if (err instanceof errors.HeadersTimeoutError) return 'no answer in time';
  if (err instanceof errors.RequestAbortedError) return 'aborted';
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND') return 'host not found';
  return e.message || String(err);
}
