import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { ApiClient } from './http.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:7075';

/** The flags every client command takes. */
export interface ClientOptions {
  server?: string;
  tokenFile?: string;
  output: string;
}

export type Output = 'table' | 'json';

/** Adds `--server`, `--token-file` and `-o/--output` to a client command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `the offerlab server (default: OFFERLAB_SERVER, else ${DEFAULT_SERVER})`)
    .option(
      '--token-file <file>',
      'file holding the API token (default: the token in OFFERLAB_TOKEN; never on the command line)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    );
}

/** The server's origin: `--server`, else OFFERLAB_SERVER, else the default; `host:port` gets http://. */
export function resolveServer(flag: string | undefined): string {
  const raw = (flag ?? process.env.OFFERLAB_SERVER ?? '').trim() || DEFAULT_SERVER;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--server must be a URL like ${DEFAULT_SERVER}, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server must be an http:// or https:// URL, got "${raw}"`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new UsageError(`--server must be a plain URL (no credentials, query or fragment), got "${raw}"`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The API token: from `--token-file`, else OFFERLAB_TOKEN; undefined when neither is set. */
export function resolveToken(tokenFile: string | undefined): string | undefined {
  let token: string | undefined;
  let source: string;
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new UsageError(
        `cannot read --token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    source = `--token-file ${tokenFile}`;
    if (token === '') throw new UsageError(`${source} is empty`);
  } else {
    token = process.env.OFFERLAB_TOKEN;
    source = 'OFFERLAB_TOKEN';
    if (token === undefined || token === '') return undefined;
    token = token.trim();
  }
  // A header value: printable ASCII, no spaces (RFC 6750 b64token and then some).
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(`the token in ${source} must be one word of printable ASCII characters`);
  return token;
}

export function outputFormat(opts: ClientOptions): Output {
  return opts.output === 'json' ? 'json' : 'table';
}

/** Runs `fn` with a client for the command's `--server` and token; closes it afterwards. */
export async function withClient<T>(opts: ClientOptions, fn: (client: ApiClient) => Promise<T>): Promise<T> {
  const client = new ApiClient(resolveServer(opts.server), resolveToken(opts.tokenFile));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Writes one chunk of output, with a final newline. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
