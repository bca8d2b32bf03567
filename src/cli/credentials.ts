import { readFileSync } from 'node:fs';
import type { Credentials } from '../mesos-http/http-transport.ts';
import { UsageError } from './errors.ts';

/**
 * HTTP Basic credentials for the Mesos master: the principal from `--principal` or
 * OFFERLAB_MESOS_PRINCIPAL, the secret from `--secret-file` or OFFERLAB_MESOS_SECRET — never from
 * the command line, where other users could read it.
 */
export function readCredentials(opts: { principal?: string; secretFile?: string }): Credentials | undefined {
  const principal = opts.principal ?? process.env.OFFERLAB_MESOS_PRINCIPAL;
  let secret = process.env.OFFERLAB_MESOS_SECRET;
  if (opts.secretFile !== undefined) {
    try {
      secret = readFileSync(opts.secretFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(
        `cannot read --secret-file ${opts.secretFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  if (principal === undefined && secret === undefined) return undefined;
  if (principal === undefined)
    throw new UsageError('a secret was given but no principal (--principal or OFFERLAB_MESOS_PRINCIPAL)');
  if (secret === undefined || secret === '') {
    throw new UsageError('--principal needs a secret: --secret-file FILE or OFFERLAB_MESOS_SECRET');
  }
  return { principal, secret };
}

/** Parses a credentials file: one `principal secret` per line (Mesos' text format); # comments. */
export function readCredentialsFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read --credentials ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const out = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [principal, secret, ...rest] = trimmed.split(/\s+/);
    if (principal === undefined || secret === undefined || rest.length > 0) {
      throw new UsageError(`${path}:${i + 1} expected "principal secret"`);
    }
    out.set(principal, secret);
  });
  if (out.size === 0) throw new UsageError(`${path} has no credentials`);
  return out;
}
