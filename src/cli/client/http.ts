import { Agent, request } from 'undici';
import { UsageError } from '../errors.ts';

/** How long one request may take: to connect, for the headers, between body chunks. */
export const TIMEOUT_MS = 10_000;

export interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * The terminal client's side of the daemon's REST API. Every failure becomes one `UsageError`
 * line: the server cannot be reached (with the errno), it did not answer in time, or it answered
 * 4xx/5xx (with the message from its `{"code":…,"message":…}` body).
 */
export class ApiClient {
  readonly server: string;
  readonly #token: string | undefined;
  readonly #agent = new Agent({
    connect: { timeout: TIMEOUT_MS },
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });

  constructor(server: string, token?: string) {
    this.server = server;
    this.#token = token;
  }

  /** Sends one request; resolves with a 2xx answer, throws a `UsageError` for anything else. */
  async send(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.server}${path}`, {
        method,
        headers,
        dispatcher: this.#agent,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw this.#networkError(err);
    }
    if (status >= 200 && status < 300) return { status, text };
    throw new UsageError(`${errorMessage(text, status, this.#token !== undefined)} (HTTP ${status})`);
  }

  /** `send`, then the answer parsed as JSON. */
  async json<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await this.send(method, path, body);
    return this.parse<T>(answer.text, `${method} ${path}`);
  }

  parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UsageError(
        `the server at ${this.server} answered ${what} with something that is not JSON (is it an offerlab server?)`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #networkError(err: unknown): UsageError {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? (e.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT')
      return new UsageError(
        `cannot reach the offerlab server at ${this.server}: no connection within ${TIMEOUT_MS / 1000} s`,
      );
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      return new UsageError(
        `the offerlab server at ${this.server} did not answer within ${TIMEOUT_MS / 1000} s`,
      );
    if (code === 'ECONNREFUSED')
      return new UsageError(
        `cannot reach the offerlab server at ${this.server}: ECONNREFUSED (is "offerlab serve" running?)`,
      );
    if (code === 'UND_ERR_INVALID_ARG' || e.name === 'InvalidArgumentError')
      return new UsageError(`cannot send the request to ${this.server}: ${e.message}`);
    return new UsageError(`cannot reach the offerlab server at ${this.server}: ${code ?? e.message}`);
  }
}

/** The message of an error answer: `message` (or `error`) from a JSON body, else its first line. */
export function errorMessage(text: string, status: number, hadToken: boolean): string {
  let message: string | undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) {
      const b = body as Record<string, unknown>;
      const m = b.message ?? b.error;
      if (typeof m === 'string' && m !== '') message = m;
    } else if (typeof body === 'string' && body !== '') {
      message = body;
    }
  } catch {
    const first = text.trim().split('\n')[0]?.trim();
    if (first) message = first.length > 200 ? `${first.slice(0, 200)}…` : first;
  }
  message ??= status >= 500 ? 'the server failed' : 'the server refused the request';
  if (status === 401 && !hadToken) message += '; set OFFERLAB_TOKEN or pass --token-file FILE';
  return message;
}
