import test from 'ava';
import { Command } from 'commander';
import { normaliseGoFlags } from '../../src/cli/etl-command.ts';
import { leaderState, offerlab, type Proc, start, startFakeMaster } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

/** The usage-error contract: exit 1, exactly one line on stderr, no stack trace, nothing on stdout. */
function oneLine(t: import('ava').ExecutionContext, r: ReturnType<typeof offerlab>): string {
  t.is(r.code, 1, r.stderr);
  t.is(r.stdout, '');
  t.notRegex(r.stderr, /\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0] ?? '', /^offerlab: etl: /);
  return lines[0] ?? '';
}

const OPTIONS = new Command()
  .option('--master <m>')
  .option('--cmd <c>')
  .option('--maxtasks <n>')
  .option('--debug')
  .option('--content-type <f>').options;

test('etl › Go-style flags are rewritten for commander; values and what follows -- are left alone', (t) => {
  t.deepEqual(
    normaliseGoFlags(
      ['-master', '10.0.0.1:5050,10.0.0.2:5050', '-maxtasks=3', '-debug', '-content-type=protobuf'],
      OPTIONS,
    ),
    ['--master', '10.0.0.1:5050,10.0.0.2:5050', '--maxtasks=3', '--debug', '--content-type=protobuf'],
  );
  // A flag's value is copied as it is, even when it looks like a flag.
  t.deepEqual(normaliseGoFlags(['-cmd', '-debug', '--debug'], OPTIONS), ['--cmd', '-debug', '--debug']);
  t.deepEqual(normaliseGoFlags(['-cmd=echo a=b'], OPTIONS), ['--cmd=echo a=b']);
  // Go's boolean spellings.
  t.deepEqual(normaliseGoFlags(['-debug=true'], OPTIONS), ['--debug']);
  t.deepEqual(normaliseGoFlags(['-debug=false'], OPTIONS), []);
  // Unknown names, short flags, operands and everything after -- stay as they are.
  t.deepEqual(normaliseGoFlags(['-nope', '-h', 'x', '--', '-master'], OPTIONS), [
    '-nope',
    '-h',
    'x',
    '--',
    '-master',
  ]);
  t.deepEqual(normaliseGoFlags(['-help'], OPTIONS), ['--help']);
});

test('etl › --help documents the flags and the Go-style spellings', (t) => {
  const r = offerlab('etl', '--help');
  t.is(r.code, 0, r.stderr);
  for (const flag of ['--master', '--cmd', '--img', '--cpu', '--mem', '--maxtasks', '--wait', '--total'])
    t.regex(r.stdout, new RegExp(`${flag} `));
  t.regex(r.stdout, /spelt the Go way/);
  t.regex(r.stdout, /-maxtasks=3/);
});

test('etl › a missing --img is one clear line and the usage exit code', (t) => {
  const line = oneLine(t, offerlab('etl', '--master', '127.0.0.1:5050', '--cmd', 'sleep 2'));
  t.regex(line, /--img is required/);
});

test('etl › a bad --cpu (Go-style too) is one clear line naming the flag', (t) => {
  const line = oneLine(t, offerlab('etl', '-master', '127.0.0.1:5050', '-img', 'busybox', '-cpu=lots'));
  t.is(line, 'offerlab: etl: --cpu must be a number greater than 0, got "lots"');
  const zero = oneLine(t, offerlab('etl', '--master', '127.0.0.1:5050', '--img', 'busybox', '--cpu', '0'));
  t.regex(zero, /--cpu must be a number greater than 0, got "0"/);
});

test('etl › every problem is on the same line: -maxtasks=0, --wait, --total, --master, --port', (t) => {
  const line = oneLine(
    t,
    offerlab(
      'etl',
      '-img=busybox',
      '-maxtasks=0',
      '-wait=soon',
      '--total',
      '2.5',
      '--port',
      '70000',
      '--content-type',
      'xml',
    ),
  );
  t.regex(line, /--master is required/);
  t.regex(line, /--maxtasks must be a whole number from 1 to 10000, got "0"/);
  t.regex(line, /--wait must be seconds \(0 to 2147483\) or a duration like "90s", got "soon"/);
  t.regex(line, /--total must be a whole number, 1 or more, got "2\.5"/);
  t.regex(line, /--port must be a whole number from 0 to 65535, got "70000"/);
  t.regex(line, /--content-type must be json or protobuf, got "xml"/);
});

test('etl › an empty --cmd is refused', (t) => {
  const line = oneLine(t, offerlab('etl', '--master', '127.0.0.1:5050', '--img', 'busybox', '--cmd', ' '));
  t.regex(line, /--cmd must not be empty/);
});

test('etl › Go-style flags reach the job; /health says "connecting" (200) while no master answers; SIGTERM closes cleanly', async (t) => {
  // Port 1 on loopback refuses connections: the scheduler keeps looking for a leader.
  const p = start([
    'etl',
    '-master',
    '127.0.0.1:1',
    '-img=busybox',
    '-cmd',
    'sleep 5',
    '-maxtasks=3',
    '-wait=90s',
    '-total',
    '7',
    '-cpu=0.25',
    '-mem',
    '32',
    '-id=nightly',
    '-user',
    'nobody',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
  ]);
  try {
    const base = await eventually(
      () => /etl: health on (http:\/\/\S+)\/health/.exec(p.stdout)?.[1],
      'the health address',
      30_000,
    );
    t.regex(
      p.stdout,
      /job "nightly" runs busybox `sleep 5` \(cpus 0\.25, mem 32 MB\), 3 at a time, 90 s between waves, 7 in all/,
    );
    const res = await fetch(`${base}/health`);
    t.is(res.status, 200);
    const health = (await res.json()) as Record<string, unknown>;
    t.like(health, {
      status: 'connecting',
      subscribed: false,
      framework_id: null,
      job: {
        id: 'nightly',
        status: 'running',
        waves: 1,
        started: 3,
        succeeded: 0,
        failed: 0,
        running: 0,
        maxtasks: 3,
        total: 7,
        wait_seconds: 90,
      },
    });
    t.false('leader' in health);
    const root = await fetch(`${base}/`);
    t.is(root.status, 200);
    t.regex(await root.text(), /^offerlab etl: job "nightly" runs busybox/);
    t.is((await fetch(`${base}/nope`)).status, 404);
    const post = await fetch(`${base}/health`, { method: 'POST' });
    t.is(post.status, 405);
    t.is(post.headers.get('allow'), 'GET, HEAD');
  } finally {
    p.child.kill('SIGTERM');
  }
  t.is(await p.exited, 0, p.stderr);
  t.regex(p.stdout, /etl: job nightly stopped: 0 of 7 copies succeeded, 0 failed, 1 wave, /);
  t.notRegex(p.stderr, /\n\s+at /);
});

/** Starts `offerlab etl` against the fake master at `urls` and waits until it has subscribed. */
async function subscribedEtl(urls: readonly string[], extra: string[]): Promise<{ etl: Proc; base: string }> {
  const etl = start([
    'etl',
    '--master',
    urls.map((u) => u.replace('http://', '')).join(','),
    '--img',
    'busybox',
    '--cmd',
    'sleep 60',
    '--maxtasks',
    '2',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...extra,
  ]);
  const base = await eventually(
    () => /etl: health on (http:\/\/\S+)\/health/.exec(etl.stdout)?.[1],
    'the health address',
    30_000,
  );
  await eventually(
    async () => {
      const h = (await (await fetch(`${base}/health`)).json()) as {
        status: string;
        job: { running: number };
      };
      return h.status === 'ok' && h.job.running === 2 ? h : undefined;
    },
    'two copies running',
    30_000,
  );
  return { etl, base };
}

test('etl › without --total it runs until SIGINT; --teardown then tears the framework down (protobuf)', async (t) => {
  const { proc: fake, urls } = await startFakeMaster([]);
  try {
    const { etl } = await subscribedEtl(urls, ['--teardown', '-content-type=protobuf']);
    const before = await leaderState(urls);
    const id = before?.state.frameworks[0]?.id;
    t.is(before?.state.frameworks[0]?.tasks.length, 2);
    etl.child.kill('SIGINT');
    t.is(await etl.exited, 0, etl.stderr);
    t.regex(etl.stdout, /etl: job etl stopped: 0 copies succeeded, 0 failed, 1 wave, /);
    t.regex(etl.stderr, new RegExp(`framework ${id} torn down`));
    const after = await leaderState(urls);
    t.deepEqual(after?.state.frameworks, [], 'the framework and its copies are gone');
    t.is(after?.state.completed_frameworks.length, 1);
  } finally {
    fake.child.kill('SIGTERM');
    await fake.exited;
  }
});

test('etl › a fatal error from the core (the framework was removed) ends it with exit 1 and the message', async (t) => {
  const { proc: fake, urls } = await startFakeMaster([]);
  try {
    const { etl, base } = await subscribedEtl(urls, ['-debug']);
    const leader = (await leaderState(urls))?.base ?? '';
    const id = ((await (await fetch(`${base}/health`)).json()) as { framework_id: string }).framework_id;
    // Another scheduler takes the framework over (etl sees "Framework failed over" and will come
    // back) and tears it down: etl's next SUBSCRIBE is refused with "Framework has been removed".
    const stream = new AbortController();
    const sub = await fetch(`${leader}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        framework_id: { value: id },
        type: 'SUBSCRIBE',
        subscribe: { framework_info: { user: 'root', name: 'intruder', id: { value: id } } },
      }),
      signal: stream.signal,
    });
    t.is(sub.status, 200);
    const streamId = sub.headers.get('mesos-stream-id') ?? '';
    const down = await fetch(`${leader}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mesos-stream-id': streamId },
      body: JSON.stringify({ framework_id: { value: id }, type: 'TEARDOWN' }),
    });
    t.is(down.status, 202);
    stream.abort();
    t.is(await etl.exited, 1, etl.stderr);
    t.regex(etl.stderr, /offerlab: etl: the Mesos master removed framework .*Framework has been removed/);
    t.regex(etl.stdout, /etl: job etl failed \(the Mesos master removed framework/);
    t.notRegex(etl.stderr, /\n\s+at /);
    // -debug: the transport's diagnostics and every record.
    t.regex(etl.stderr, /etl: transport: leading master: http:/);
    t.regex(etl.stderr, /etl: record \{"type":"job-wave"/);
  } finally {
    fake.child.kill('SIGTERM');
    await fake.exited;
  }
});
