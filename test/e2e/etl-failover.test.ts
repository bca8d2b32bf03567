import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { TaskState } from '../../src/core/mesos/v1.ts';
import { endsLife } from '../../src/trace/invariants.ts';
import { leaderState, start, startFakeMaster } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * `offerlab etl` as a real process against a real-process fake master with three masters: a job
 * of 12 copies of `sleep 2`, 3 at a time, 1 s between waves. The leading master is cut while the
 * second wave runs. The job must carry on under the new leader with the same framework id and end
 * with exactly 12 copies finished — never more than 3 at once, no task launched twice — while
 * `/health` keeps answering 200 ("connecting" during the leader change).
 */

const MAXTASKS = 3;
const TOTAL = 12;

interface Health {
  status: string;
  subscribed: boolean;
  framework_id: string | null;
  leader?: string;
  uptime_seconds: number;
  job: { status: string; waves: number; running: number; active: number; succeeded: number; failed: number };
}

type Line = Record<string, unknown> & { t: number; type: string };

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'offerlab-etl-failover-'));
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('etl › the leader fails over mid-job: 12 copies, ≤ 3 at once, one framework, /health stays 200', async (t) => {
  const began = Date.now();
  const { proc: fake, urls } = await startFakeMaster(['--masters', '3']);
  const trace = join(dir, 'etl.jsonl');
  const etl = start([
    'etl',
    '--master',
    urls.map((u) => u.replace('http://', '')).join(','),
    '--cmd',
    'sleep 2',
    '--img',
    'busybox',
    '--maxtasks',
    String(MAXTASKS),
    '--wait',
    '1',
    '--total',
    String(TOTAL),
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--trace',
    trace,
  ]);
  let polling = true;
  try {
    const base = await eventually(
      () => /etl: health on (http:\/\/\S+)\/health/.exec(etl.stdout)?.[1],
      'the health address',
      30_000,
    );

    // Poll /health for the whole run: every answer must be a 200 with a well-formed body.
    const seen: { code: number; health?: Health }[] = [];
    const poller = (async () => {
      while (polling) {
        try {
          const res = await fetch(`${base}/health`);
          seen.push({ code: res.status, health: (await res.json()) as Health });
        } catch {
          // The server closes when the job has completed.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    // Cut the leading master while the second wave's copies run.
    const before = await eventually(
      async () => {
        const h = seen.at(-1)?.health;
        return h?.subscribed && h.job.waves === 2 && h.job.running >= 1 ? h : undefined;
      },
      'the second wave running',
      30_000,
    );
    const leader = await leaderState(urls);
    t.is(leader?.state.frameworks.length, 1);
    t.is(leader?.state.frameworks[0]?.id, before.framework_id ?? undefined);
    t.is(
      (leader?.state.frameworks[0] as { user?: string } | undefined)?.user,
      'root',
      '--user defaults to root',
    );
    t.truthy(before.leader, '/health names the leader');
    const cut = await fetch(`${before.leader}/offerlab/failover?down=2s`, { method: 'POST' });
    t.is(cut.status, 202);
    const cutAt = before.uptime_seconds;

    const code = await etl.exited;
    polling = false;
    await poller;
    t.is(code, 0, `offerlab etl failed:\n${etl.stdout}\n${etl.stderr}`);
    t.regex(etl.stdout, /etl: job etl completed: 12 of 12 copies succeeded, 0 failed, 4 waves, [\d.]+ s/);

    // /health: always 200; "connecting" (not subscribed) during the leader change, "ok" otherwise.
    t.true(seen.length > 20, `only ${seen.length} health answers`);
    t.deepEqual(
      seen.filter((s) => s.code !== 200),
      [],
    );
    const statuses = seen.map((s) => s.health?.status);
    t.true(statuses.includes('connecting'), 'health said "connecting" during the failover');
    t.true(
      seen.every((s) => (s.health?.status === 'ok') === s.health?.subscribed),
      'ok exactly when subscribed',
    );
    t.true(
      seen.every((s) => (s.health?.job.active ?? 0) <= MAXTASKS),
      'never more copies in flight than maxtasks',
    );
    const last = seen.at(-1)?.health;
    t.is(last?.job.waves, 4);
    t.true(['running', 'completed'].includes(last?.job.status ?? ''), last?.job.status);

    // The trace.
    const lines = readFileSync(trace, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    t.is(lines.at(-1)?.type, 'run-finished');

    const subscribed = lines.filter((l) => l.type === 'subscribed');
    t.true(subscribed.length >= 2, 'subscribed again after the cut');
    t.is(subscribed[0]?.resubscribed, false);
    t.true(
      subscribed.slice(1).every((l) => l.resubscribed === true),
      'every later SUBSCRIBED is a resubscription',
    );
    t.is(new Set(subscribed.map((l) => l.framework)).size, 1, 'one framework id throughout');
    t.is(subscribed[0]?.framework, before.framework_id);
    t.true(lines.some((l) => l.type === 'disconnected'));

    const waves = lines.filter((l) => l.type === 'job-wave');
    t.deepEqual(
      waves.map((l) => l.wave),
      [1, 2, 3, 4],
    );
    const waveTasks = waves.flatMap((l) => l.tasks as string[]);
    t.is(waveTasks.length, TOTAL);
    t.is(new Set(waveTasks).size, TOTAL);
    t.true(
      waves.every((l) => (l.tasks as string[]).length === MAXTASKS),
      'every wave is maxtasks copies',
    );

    const launched = lines.filter((l) => l.type === 'task-launched').map((l) => l.task as string);
    t.is(new Set(launched).size, launched.length, 'no task id launched twice');

    const finished = new Set(
      lines
        .filter((l) => l.type === 'task-status' && l.state === 'TASK_FINISHED')
        .map((l) => l.task as string),
    );
    t.is(finished.size, TOTAL, 'exactly 12 copies finished');
    t.true([...finished].every((id) => launched.includes(id)));
    // A copy whose task was lost in the failover finished under its replacement's id: as many wave
    // tasks ended otherwise as finished tasks came from no wave.
    const replaced = waveTasks.filter((id) => !finished.has(id));
    const replacements = [...finished].filter((id) => !waveTasks.includes(id));
    t.is(replacements.length, replaced.length);

    const ended = lines.filter((l) => l.type === 'job-ended');
    t.is(ended.length, 1);
    t.like(ended[0], { job: 'etl', status: 'completed', succeeded: TOTAL, failed: 0 });

    // At most maxtasks copies live (launched and not ended) at any moment.
    const live = new Set<string>();
    let maxLive = 0;
    for (const l of lines) {
      if (l.type === 'task-launched') live.add(l.task as string);
      else if (l.type === 'task-status' && endsLife(l.state as TaskState)) live.delete(l.task as string);
      maxLive = Math.max(maxLive, live.size);
    }
    t.true(maxLive <= MAXTASKS, `${maxLive} copies live at once`);
    t.is(live.size, 0, 'nothing left running');

    const resubscribedAt = subscribed[1]?.t ?? 0;
    t.log(
      `failover at ${cutAt.toFixed(1)} s (wave 2, ${before.job.running} running); resubscribed at ` +
        `${(resubscribedAt / 1000).toFixed(1)} s; job took ${((lines.at(-1)?.t ?? 0) / 1000).toFixed(1)} s, ` +
        `${waves.length} waves, max ${maxLive} live, ${replaced.length} copies replaced, ` +
        `${seen.filter((s) => s.health?.status === 'connecting').length}/${seen.length} health answers "connecting"; ` +
        `test ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
  } finally {
    polling = false;
    if (etl.child.exitCode === null) etl.child.kill('SIGTERM');
    fake.child.kill('SIGTERM');
    await Promise.all([etl.exited, fake.exited]);
  }
});
