import type { FastifyInstance } from 'fastify';
import { ClientError } from '../errors.ts';

/** Deeper bodies are refused: nothing the API takes nests this far, and deep nesting is a DoS lever. */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing what fastify's secure-json-parse refuses — `__proto__`
 * keys and `constructor.prototype` — but with messages that say which key and where, and
 * refusing bodies nested deeper than MAX_JSON_DEPTH. Throws ClientError 400.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new ClientError(400, 'the request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ClientError(400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
  checkShape(value);
  return value;
}

function checkShape(root: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path, depth } = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      throw new ClientError(400, `the request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        stack.push({ value: value[i], path: `${path}/${i}`, depth: depth + 1 });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const at = `${path}/${pointer(key)}`;
      if (key === '__proto__')
        throw new ClientError(400, `the request body has a "__proto__" key at ${at}; such keys are refused`);
      if (key === 'constructor' && v !== null && typeof v === 'object' && Object.hasOwn(v, 'prototype'))
        throw new ClientError(
          400,
          `the request body has a "constructor" with a "prototype" key at ${at}; such keys are refused`,
        );
      stack.push({ value: v, path: at, depth: depth + 1 });
    }
  }
}

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Makes `app` take JSON bodies only (any `application/json` Content-Type, charset ignored), parsed
 * by `parseJsonBody`. Other content types, fastify's text/plain included, get 415.
 */
export function installJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
