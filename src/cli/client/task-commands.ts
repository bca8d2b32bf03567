import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { TaskView } from '../../api/views.ts';
import { UsageError } from '../errors.ts';
import type { ApiClient } from './http.ts';
import { type ClientOptions, outputFormat, print, printJson, withClient } from './options.ts';
import { cell, formatTable, num } from './table.ts';

/** A task as `GET /client/task` answers it (the fields the client uses). */
export type TaskItem = Pick<
  TaskView,
  'id' | 'task' | 'state' | 'phase' | 'agent' | 'agent_id' | 'resources' | 'reason' | 'message'
>;

export interface TaskWhy extends TaskItem {
  why: string;
  reasons: { code: string; count: number; agents: string[] }[];
}

interface Answer {
  code: number;
  message: string;
}

/** `offerlab task submit FILE|-`: posts the spec (or each spec of a list) `--count` times. */
export async function taskSubmit(file: string, opts: ClientOptions & { count?: string }): Promise<void> {
  const count = parseCount(opts.count);
  const specs = readSpecs(file);
  await withClient(opts, async (client) => {
    const answers: Answer[] = [];
    try {
      for (const spec of specs) {
        for (let i = 0; i < count; i++) answers.push(await client.json<Answer>('POST', '/client/task', spec));
      }
    } finally {
      // What was accepted before a refusal stays accepted: say so before the error line.
      if (outputFormat(opts) === 'json') printJson(answers);
      else if (answers.length > 0) print(answers.map((a) => a.message).join('\n'));
    }
  });
}

/** `offerlab task get [PREFIX]`: the active tasks, or those whose task id starts with PREFIX. */
export async function taskGet(prefix: string | undefined, opts: ClientOptions): Promise<void> {
  const tasks = await withClient(opts, (client) => listTasks(client));
  const shown = prefix === undefined ? tasks : tasks.filter((t) => t.task.startsWith(prefix));
  if (prefix !== undefined && shown.length === 0)
    throw new UsageError(`no active task id starts with "${prefix}"`);
  if (outputFormat(opts) === 'json') return printJson(shown);
  if (shown.length === 0) {
    process.stderr.write('No tasks.\n');
    return;
  }
  print(taskTable(shown));
}

/** `offerlab task why TASK`: where a task is, or why it is still pending. */
export async function taskWhy(id: string, opts: ClientOptions): Promise<void> {
  const why = await withClient(opts, (client) =>
    client.json<TaskWhy>('GET', `/client/task/${encodeURIComponent(id)}/why`),
  );
  if (outputFormat(opts) === 'json') return printJson(why);
  print(whyText(why));
}

/** `offerlab task kill PREFIX`: kills every live task whose id starts with PREFIX. */
export async function taskKill(prefix: string, opts: ClientOptions): Promise<void> {
  if (prefix === '') throw new UsageError('task kill needs a task id or a prefix of one');
  const answers = await withClient(opts, async (client) => {
    const { text } = await client.send('DELETE', `/client/task/${encodeURIComponent(prefix)}`);
    // Charmander answers one JSON object per line, one per task killed.
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => client.parse<Answer>(line, `DELETE /client/task/${prefix}`));
  });
  if (outputFormat(opts) === 'json') return printJson(answers);
  print(answers.map((a) => a.message).join('\n'));
}

export async function listTasks(client: ApiClient): Promise<TaskItem[]> {
  const tasks = await client.json<TaskItem[]>('GET', '/client/task');
  if (!Array.isArray(tasks))
    throw new UsageError(
      `the server at ${client.server} answered GET /client/task with something other than a list`,
    );
  return tasks;
}

export function taskTable(tasks: readonly TaskItem[]): string {
  return formatTable(
    ['task', 'id', 'state', 'agent', 'cpus', 'mem', 'ports'],
    tasks.map((t) => [
      t.task,
      t.id,
      taskState(t),
      cell(t.agent ?? t.agent_id),
      num(t.resources?.cpus),
      num(t.resources?.mem),
      t.resources?.ports?.length ? t.resources.ports.join(',') : '-',
    ]),
  );
}

/** `RUNNING`, `PENDING`…; the scheduler's own phase where it says more (a kill under way). */
function taskState(t: TaskItem): string {
  const state = (t.state ?? '').replace(/^TASK_/, '');
  if (t.phase === 'killing' || t.phase === 'unreachable') return `${state} (${t.phase})`;
  return cell(state);
}

export function whyText(w: TaskWhy): string {
  const rows: [string, string][] = [
    ['task', w.task],
    ['id', w.id],
    ['state', `${w.state}${w.phase ? ` (${w.phase})` : ''}`],
    ['agent', cell(w.agent ?? w.agent_id)],
    [
      'resources',
      `cpus ${num(w.resources?.cpus)}, mem ${num(w.resources?.mem)}, disk ${num(w.resources?.disk)}`,
    ],
  ];
  if (w.reason) rows.push(['reason', w.message ? `${w.reason}: ${w.message}` : w.reason]);
  rows.push(['why', w.why]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}   ${v}`);
  if (w.reasons?.length) {
    lines.push(
      '',
      formatTable(
        ['reason', 'agents', 'for example'],
        w.reasons.map((r) => [r.code, String(r.count), r.agents.length ? r.agents.join(', ') : '-']),
      ),
    );
  }
  return lines.join('\n');
}

function parseCount(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--count must be a whole number from 1 to 1000, got "${raw}"`);
  return n;
}

/** The spec file (JSON or YAML; `-` is stdin): one spec object, or a list of them. */
export function readSpecs(file: string): Record<string, unknown>[] {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message.split('\n')[0]?.replace(/:$/, '')}`);
  }
  const specs = Array.isArray(doc) ? doc : [doc];
  if (specs.length === 0) throw new UsageError(`${name} holds an empty list; expected a task spec`);
  specs.forEach((spec, i) => {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      const where = Array.isArray(doc) ? ` (item ${i + 1})` : '';
      throw new UsageError(
        `${name}${where}: expected a task spec object like {"id": "web", "dockerimage": "nginx", "mem": 256}`,
      );
    }
  });
  return specs as Record<string, unknown>[];
}
