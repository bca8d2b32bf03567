import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.ts';

/**
 * Bearer tokens for the REST API (`offerlab serve --token-file FILE`).
 *
 * The token file: one token per line, `<role> <token>`, where role is
 *
 *     admin   may do anything: submit, kill, reshuffle, hold/drain nodes, scale…
 *     read    may only look: every GET/HEAD (task lists, /v1/events, /metrics, /docs), and
 *             plan a reshuffle without carrying it out (GET /client/task/reshuffle?dry_run=true)
 *
 * Blank lines and lines starting with `#` are ignored. Several tokens per role are allowed (to
 * rotate: add the new one, move clients over, remove the old one). At least one admin token is
 * needed. A token is 16 or more characters of `A-Z a-z 0-9 - . _ ~ + /` with optional trailing
 * `=` (RFC 6750's b64token, so it fits an Authorization header as is); `openssl rand -hex 32`
 * makes a good one. The same token may not have both roles. Example:
 *
 *     # offerlab API tokens
 *     admin 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *     read  60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
 *
 * Clients send `Authorization: Bearer <token>`. Only SHA-256 digests of the tokens are kept, and
 * a presented token is compared, digest against digest, with `crypto.timingSafeEqual` against
 * every configured token (no early exit), so neither a token's bytes nor its length leak through
 * response timing.
 *
 * Open without a token: `/healthz`, `/readyz` and `/admin/ping`. Orchestrators, load balancers
 * and Charmander's own tooling probe them without credentials, and they reveal nothing but
 * whether the daemon is up and subscribed.
 */
export interface Tokens {
  /** SHA-256 digests of the admin tokens. */
  readonly admin: readonly Buffer[];
  /** SHA-256 digests of the read-only tokens. */
  readonly read: readonly Buffer[];
}

/** What a request may do: `read` (GET/HEAD) or `admin` (anything), or `open` (no token needed). */
export type Access = 'open' | 'read' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route when tokens are configured; by default GET/HEAD need read, the rest admin. */
    access?: Access;
  }
}

/** A token file that cannot be used; the message names the file and line. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
}

export const MIN_TOKEN_LENGTH = 16;
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Reads and checks a token file (format above). Throws TokenFileError naming the file and line. */
export function readTokenFile(path: string): Tokens {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TokenFileError(
      `cannot read token file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseTokens(text, path);
}

/** Parses the text of a token file; `source` names it in error messages. */
export function parseTokens(text: string, source: string): Tokens {
  const roles = new Map<string, { role: 'admin' | 'read'; line: number }>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const at = `${source}:${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [role, token, ...rest] = line.split(/\s+/);
    if (role !== 'admin' && role !== 'read')
      throw new TokenFileError(
        `${at}: expected "admin <token>" or "read <token>", got a line starting "${role}"`,
      );
    if (token === undefined) throw new TokenFileError(`${at}: "${role}" needs a token after it`);
    if (rest.length > 0)
      throw new TokenFileError(`${at}: expected "${role} <token>", but the line has more after the token`);
    if (!TOKEN.test(token))
      throw new TokenFileError(
        `${at}: the ${role} token may only hold letters, digits and - . _ ~ + / (then optional =)`,
      );
    if (token.length < MIN_TOKEN_LENGTH)
      throw new TokenFileError(
        `${at}: the ${role} token is ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (try: openssl rand -hex 32)`,
      );
    const seen = roles.get(token);
    if (seen !== undefined && seen.role !== role)
      throw new TokenFileError(`${at}: this token is already the ${seen.role} token on line ${seen.line}`);
    if (seen === undefined) roles.set(token, { role, line: i + 1 });
  });
  const admin = [...roles].filter(([, r]) => r.role === 'admin').map(([t]) => digest(t));
  const read = [...roles].filter(([, r]) => r.role === 'read').map(([t]) => digest(t));
  if (admin.length === 0)
    throw new TokenFileError(
      `${source}: no admin token (a line "admin <token>"); without one nothing could be changed`,
    );
  return { admin, read };
}

/** Tokens given directly (tests, embedding); checked like a token file's. */
export function makeTokens(tokens: { admin: readonly string[]; read?: readonly string[] }): Tokens {
  const lines = [...tokens.admin.map((t) => `admin ${t}`), ...(tokens.read ?? []).map((t) => `read ${t}`)];
  return parseTokens(lines.join('\n'), 'tokens');
}

/** The role a presented token has, comparing against every configured digest in constant time. */
export function roleOf(tokens: Tokens, presented: string): 'admin' | 'read' | undefined {
  const given = digest(presented);
  let admin = false;
  let read = false;
  for (const d of tokens.admin) admin = timingSafeEqual(d, given) || admin;
  for (const d of tokens.read) read = timingSafeEqual(d, given) || read;
  return admin ? 'admin' : read ? 'read' : undefined;
}

/** Routes open without a token: probes that reveal only whether the daemon is up. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz', '/admin/ping']);
/**
 * GET routes that change things (Charmander's `GET /client/task/reshuffle`) — except when asked
 * with `?dry_run=true`: a dry run only plans and changes nothing, so a read token may ask for one.
 */
const CHANGING_GETS = new Set(['/client/task/reshuffle']);

/** A `?dry_run=true` request: exactly one `dry_run`, exactly `true` (anything else needs admin). */
function isDryRun(req: FastifyRequest): boolean {
  const query = req.query as Record<string, unknown> | undefined;
  return query?.dry_run === 'true';
}

/** What a request needs: its route's `config.access`, else by route and method. */
export function accessFor(req: FastifyRequest): Access {
  const declared = req.routeOptions.config?.access;
  if (declared !== undefined) return declared;
  const route = req.routeOptions.url;
  if (route !== undefined && OPEN_ROUTES.has(route)) return 'open';
  if (req.method === 'GET' || req.method === 'HEAD')
    return route !== undefined && CHANGING_GETS.has(route) && !isDryRun(req) ? 'admin' : 'read';
  return 'admin';
}

/** Adds the token check to every route of `app` (call on the root instance, before the routes). */
export function installAuth(app: FastifyInstance, tokens: Tokens): void {
  const deny = (reply: FastifyReply, code: 401 | 403, message: string, challenge: string) =>
    reply.code(code).header('www-authenticate', challenge).send(errorBody(code, message));

  app.addHook('onRequest', async (req, reply) => {
    const access = accessFor(req);
    if (access === 'open') return;
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '')
      return deny(reply, 401, 'missing bearer token', 'Bearer realm="offerlab"');
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null || match[1] === undefined)
      return deny(
        reply,
        401,
        'the Authorization header must be "Bearer <token>"',
        'Bearer realm="offerlab", error="invalid_request"',
      );
    const role = roleOf(tokens, match[1]);
    if (role === undefined)
      return deny(reply, 401, 'invalid bearer token', 'Bearer realm="offerlab", error="invalid_token"');
    if (access === 'admin' && role !== 'admin')
      return deny(
        reply,
        403,
        `this is a read-only token; ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]} needs the admin token`,
        'Bearer realm="offerlab", error="insufficient_scope"',
      );
  });
}

/** The start-up line about who may use the API (for `offerlab serve`). */
export function describeAccess(tokens: Tokens | undefined, host: string): string {
  if (tokens !== undefined)
    return `bearer tokens: ${tokens.admin.length} admin, ${tokens.read.length} read-only (/healthz, /readyz, /admin/ping are open)`;
  const local = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  return local
    ? `no tokens: only this machine (${host}) can reach the API; use --token-file to serve others`
    : `no tokens: anyone who can reach ${host} can change the cluster (use --token-file)`;
}
