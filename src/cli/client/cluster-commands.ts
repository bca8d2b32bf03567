import type { ApiClient } from './http.ts';
import { type ClientOptions, outputFormat, print, printJson, withClient } from './options.ts';
import { num } from './table.ts';

interface Scalars3 {
  cpus?: number;
  mem?: number;
  disk?: number;
}

/** Scale's `GET /status/` (the fields the summary uses). */
export interface StatusAnswer {
  master?: { hostname?: string | null; port?: number | null; is_online?: boolean };
  scheduler?: { hostname?: string | null; is_online?: boolean; is_paused?: boolean };
  queue_depth?: number;
  resources?: { total?: Scalars3; scheduled?: Scalars3; used?: Scalars3 } | null;
}

interface SchedulerAnswer {
  is_paused: boolean;
}

/** `offerlab status`: master, scheduler, queue depth and resources, in a few lines. */
export async function status(opts: ClientOptions): Promise<void> {
  const answer = await withClient(opts, (client) => client.json<StatusAnswer>('GET', '/status/'));
  if (outputFormat(opts) === 'json') return printJson(answer);
  print(statusText(answer));
}

/** `offerlab pause` / `offerlab resume`: PATCH /scheduler/ and say what it is now. */
export async function setPaused(paused: boolean, opts: ClientOptions): Promise<void> {
  const answer = await withClient(opts, (client: ApiClient) =>
    client.json<SchedulerAnswer>('PATCH', '/scheduler/', { is_paused: paused }),
  );
  if (outputFormat(opts) === 'json') return printJson(answer);
  print(
    answer.is_paused
      ? 'scheduler paused: no new tasks are launched (offerlab resume to go on)'
      : 'scheduler resumed: queued tasks are placed again',
  );
}

export function statusText(s: StatusAnswer): string {
  const online = (v: boolean | undefined) => (v === undefined ? 'unknown' : v ? 'online' : 'offline');
  const master = s.master
    ? `${s.master.hostname ?? '?'}${s.master.port != null ? `:${s.master.port}` : ''}   ${online(s.master.is_online)}`
    : 'unknown';
  const sched = s.scheduler
    ? `${s.scheduler.hostname ?? '?'}   ${online(s.scheduler.is_online)}, ${
        s.scheduler.is_paused ? 'paused' : 'not paused'
      }`
    : 'unknown';
  const depth = s.queue_depth;
  const rows: [string, string][] = [
    ['master', master],
    ['scheduler', sched],
    ['queue', depth === undefined ? 'unknown' : `${depth} task${depth === 1 ? '' : 's'} waiting`],
  ];
  const total = s.resources?.total;
  const scheduled = s.resources?.scheduled;
  if (total) {
    const part = (k: keyof Scalars3, unit: string) =>
      `${k} ${num(scheduled?.[k] ?? 0)}/${num(total[k])}${unit}`;
    rows.push(['scheduled', `${part('cpus', '')}   ${part('mem', ' MiB')}   ${part('disk', ' MiB')}`]);
  } else {
    rows.push(['resources', 'not known yet (no agent has offered)']);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}   ${v}`).join('\n');
}
