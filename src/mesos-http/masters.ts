/**
 * Parses `--master host:port[,host:port…]` (also with http:// or https://) into origins such as
 * `http://10.0.0.1:5050`. Throws with a message naming the bad entry.
 */
export function parseMasters(text: string): string[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new Error('--master needs at least one host:port');
  return entries.map((entry) => {
    const withScheme = /^https?:\/\//.test(entry) ? entry : `http://${entry}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new Error(`--master: "${entry}" is not host:port`);
    }
    if (url.pathname !== '/' && url.pathname !== '')
      throw new Error(`--master: "${entry}" must not have a path`);
    const port = url.port === '' ? '5050' : url.port;
    return `${url.protocol}//${url.hostname}:${port}`;
  });
}

/**
 * Resolves a redirect `Location` (the master sends it scheme-relative, `//host:port/path`) against
 * the URL that was requested; returns the new origin and path.
 */
export function resolveLocation(location: string, requested: string): { origin: string; path: string } {
  const url = new URL(location, requested);
  return { origin: `${url.protocol}//${url.host}`, path: `${url.pathname}${url.search}` };
}
