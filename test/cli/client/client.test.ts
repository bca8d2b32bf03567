import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { listenOnLoopback, type Served, serveDaemon } from '../../helpers/daemon.ts';
import { eventually } from '../../helpers/wait.ts';

const BIN = join(process.cwd(), 'bin', 'offerlab.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a child process. Asynchronously: the daemon it talks to runs in this process,
 * so a synchronous spawn would stop it from answering.
 */
function offerlab(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const name of ['OFFERLAB_SERVER', 'OFFERLAB_TOKEN'])
    if (opts.env?.[name] === undefined) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A served daemon (see `serveDaemon()`) listening on a free loopback port, and its URL. */
async function serveLab(): Promise<{ served: Served; url: string }> {
  const served = await serveDaemon();
  return { served, url: await listenOnLoopback(served) };
}

/** A daemon of its own, for tests that change the whole cluster (pause, hold, vacate). */
async function ownDaemon(t: {
  teardown(fn: () => Promise<void>): void;
}): Promise<{ served: Served; url: string }> {
  const lab = await serveLab();
  t.teardown(() => lab.served.close());
  return lab;
}

const running = (served: Served, specId: string, count: number) =>
  eventually(() => {
    const tasks = [...served.daemon.state.tasks.values()].filter(
      (task) => task.specId === specId && task.phase === 'running',
    );
    return tasks.length >= count ? tasks : undefined;
  }, `${count} ${specId} task(s) to run`);

let served: Served;
let url = '';
let dir = '';

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'offerlab-client-'));
  ({ served, url } = await serveLab());
});
test.after.always(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('client › task submit then task get shows the tasks running, in a kubectl-style table', async (t) => {
  const file = join(dir, 'web.yaml');
  writeFileSync(
    file,
    'id: web\ndockerimage: nginx\nmem: 256\ncpus: 0.5\nports:\n  - { host_port: 31500, container_port: 80 }\n',
  );
  const submitted = await offerlab(['task', 'submit', file, '--count', '2', '--server', url]);
  t.is(submitted.code, 0, submitted.stderr);
  t.is(submitted.stdout, 'Run task: web\nRun task: web\n');
  const tasks = await running(served, 'web', 2);

  const r = await offerlab(['task', 'get', 'web-', '--server', url]);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^TASK {3,}ID {3,}STATE {3,}AGENT {3,}CPUS {3}MEM {3}PORTS$/);
  t.is(lines.length, 3);
  for (const task of tasks) {
    t.true(
      lines.some((line) =>
        new RegExp(`^${task.id} {3,}web {3,}RUNNING {3}${task.hostname} {3,}0\\.5 {3,}256 {3}31500$`).test(
          line,
        ),
      ),
      r.stdout,
    );
  }
});

test('client › a spec from stdin is submitted, and -o json prints the answers and the task list', async (t) => {
  const submitted = await offerlab(['task', 'submit', '-', '-o', 'json', '--server', url], {
    input: '{"id": "stdin-json", "dockerimage": "busybox", "mem": "64"}',
  });
  t.is(submitted.code, 0, submitted.stderr);
  t.deepEqual(JSON.parse(submitted.stdout), [{ code: 202, message: 'Run task: stdin-json' }]);
  await running(served, 'stdin-json', 1);

  const r = await offerlab(['task', 'get', 'stdin-json', '-o', 'json', '--server', url]);
  t.is(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as {
    id: string;
    state: string;
    agent: string;
    resources: { mem: number };
  }[];
  t.is(list.length, 1);
  t.like(list[0], { id: 'stdin-json', state: 'TASK_RUNNING', resources: { mem: 64 } });
  t.truthy(list[0]?.agent);
});

test('client › task why says why a task is still pending', async (t) => {
  const file = join(dir, 'gpu.json');
  writeFileSync(file, '{"id": "gpu", "dockerimage": "cuda", "mem": 64, "nodetype": "gpu"}');
  t.is((await offerlab(['task', 'submit', file, '--server', url])).code, 0);
  const r = await offerlab(['task', 'why', 'gpu', '--server', url]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^state: +TASK_PENDING \(pending\)$/m);
  t.regex(r.stdout, /^why: +NodetypeMismatch on 4 agents/m);
  t.regex(r.stdout, /^REASON {13}AGENTS {3}FOR EXAMPLE\nNodetypeMismatch {3}4 {8}/m);
});

test('client › task kill prints every task it killed', async (t) => {
  const outcome = await served.daemon.submit({ id: 'doomed', dockerimage: 'busybox', mem: 32, cpus: 0.1 });
  const again = await served.daemon.submit({ id: 'doomed', dockerimage: 'busybox', mem: 32, cpus: 0.1 });
  if (!outcome.ok || !again.ok) return t.fail('submit refused');
  await running(served, 'doomed', 2);
  const r = await offerlab(['task', 'kill', 'doomed', '--server', url]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    r.stdout.trimEnd().split('\n').sort(),
    [...outcome.ids, ...again.ids].map((id) => `Kill task: ${id}`).sort(),
  );
});

test('client › killing a prefix that matches nothing exits 1 with the server message', async (t) => {
  const r = await offerlab(['task', 'kill', 'nothing-here', '--server', url]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.is(r.stderr, 'offerlab: incorrect request: no live task id starts with "nothing-here" (HTTP 400)\n');
});

test('client › a server that is not listening is ECONNREFUSED, one line, exit 1', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const server = `http://127.0.0.1:${port}`;
  const r = await offerlab(['task', 'get'], { env: { OFFERLAB_SERVER: server } });
  t.is(r.code, 1);
  t.is(
    r.stderr,
    `offerlab: cannot reach the offerlab server at ${server}: ECONNREFUSED (is "offerlab serve" running?)\n`,
  );
});

test('client › status prints master, scheduler, queue depth and resources; -o json the answer', async (t) => {
  const r = await offerlab(['status', '--server', url]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^master: {6}\S+:\d+ {3}online$/m);
  t.regex(r.stdout, /^scheduler: {3}\S+ {3}online, not paused$/m);
  t.regex(r.stdout, /^queue: {7}\d+ tasks? waiting$/m);
  t.regex(r.stdout, /^scheduled: {3}cpus [\d.]+\/16 {3}mem [\d.]+\/10240 MiB {3}disk [\d.]+\/80000 MiB$/m);
  const json = await offerlab(['status', '-o', 'json', '--server', url]);
  t.like(JSON.parse(json.stdout), { scheduler: { is_paused: false }, resources: { total: { cpus: 16 } } });
});

test('client › pause and resume flip /scheduler/', async (t) => {
  const { served: own, url: server } = await ownDaemon(t);
  const paused = async () =>
    (await own.app.inject({ method: 'GET', url: '/scheduler/' })).json<{ is_paused: boolean }>().is_paused;

  const p = await offerlab(['pause', '--server', server]);
  t.is(p.code, 0, p.stderr);
  t.regex(p.stdout, /^scheduler paused/);
  t.true(await paused());
  t.regex((await offerlab(['status', '--server', server])).stdout, /online, paused$/m);

  const r = await offerlab(['resume', '-o', 'json', '--server', server]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { is_paused: false });
  t.false(await paused());
});

test('client › node hold and unhold show in node get; vacate kills the tasks on a node', async (t) => {
  const { served: own, url: server } = await ownDaemon(t);
  const get = async () => {
    const r = await offerlab(['node', 'get', '--server', server]);
    t.is(r.code, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
  const before = await get();
  t.deepEqual(before, [
    'HOSTNAME      STATE   TASKS   CPUS   MEM      HELD',
    'analytics-1   Idle    0       0/4    0/4096   no',
    'lab-1         Idle    0       0/4    0/2048   no',
    'lab-2         Idle    0       0/4    0/2048   no',
    'lab-3         Idle    0       0/4    0/2048   no',
  ]);

  const hold = await offerlab(['node', 'hold', 'lab-2', '--server', server]);
  t.is(hold.code, 0, hold.stderr);
  t.regex(hold.stdout, /^node lab-2 held/);
  t.regex((await get()).join('\n'), /^lab-2 {9}Held {4}0 {7}0\/4 {4}0\/2048 {3}yes$/m);
  const one = await offerlab(['node', 'get', 'lab-2', '-o', 'json', '--server', server]);
  t.like(JSON.parse(one.stdout), { hostname: 'lab-2', state: 7 });

  const unhold = await offerlab(['node', 'unhold', 'lab-2', '--server', server]);
  t.is(unhold.code, 0, unhold.stderr);
  t.regex((await get()).join('\n'), /^lab-2 {9}Idle {4}0 {7}0\/4 {4}0\/2048 {3}no$/m);

  const outcome = await own.daemon.submit({ id: 'tenant', dockerimage: 'busybox', mem: 512, cpus: 1 });
  if (!outcome.ok) return t.fail(outcome.message);
  const [task] = await running(own, 'tenant', 1);
  const host = task?.hostname ?? '';
  t.regex((await get()).join('\n'), new RegExp(`^${host} +Busy {4}1 {7}1/4 {4}512/\\d+ {3}no$`, 'm'));
  const vacate = await offerlab(['node', 'vacate', host, '--server', server]);
  t.is(vacate.code, 0, vacate.stderr);
  t.is(vacate.stdout, `node ${host} vacated: its tasks are being killed\n`);
  await eventually(
    () => (own.daemon.state.tasks.get(task?.id ?? '')?.phase === 'running' ? undefined : true),
    'the vacated task to stop running',
  );

  const missing = await offerlab(['node', 'hold', 'no-such-node', '--server', server]);
  t.is(missing.code, 1);
  t.is(missing.stderr, 'offerlab: worker node no-such-node not found (HTTP 404)\n');
});

/** A stand-in server that records each request's Authorization header. */
async function recorder(t: { teardown(fn: () => void): void }) {
  const seen: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = req.headers;
    seen.push(headers.authorization);
    res.setHeader('content-type', 'application/json');
    if (headers.authorization === undefined) {
      res.statusCode = 401;
      res.end(JSON.stringify({ code: 401, message: 'missing bearer token' }));
    } else {
      res.end('[]');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { seen, url: `http://127.0.0.1:${port}` };
}

test('client › the token from --token-file or OFFERLAB_TOKEN is sent as a bearer token', async (t) => {
  const { seen, url: server } = await recorder(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'from-the-file-0123456789\n');

  const fromFile = await offerlab(['task', 'get', '--server', server, '--token-file', tokenFile], {
    env: { OFFERLAB_TOKEN: 'from-the-environment-0123' },
  });
  t.is(fromFile.code, 0, fromFile.stderr);
  const fromEnv = await offerlab(['task', 'get', '--server', server], {
    env: { OFFERLAB_TOKEN: 'from-the-environment-0123' },
  });
  t.is(fromEnv.code, 0, fromEnv.stderr);
  t.deepEqual(seen, ['Bearer from-the-file-0123456789', 'Bearer from-the-environment-0123']);

  const none = await offerlab(['task', 'get', '--server', server]);
  t.is(none.code, 1);
  t.is(
    none.stderr,
    'offerlab: missing bearer token; set OFFERLAB_TOKEN or pass --token-file FILE (HTTP 401)\n',
  );
  t.is(seen[2], undefined);

  const onArgv = await offerlab(['task', 'get', '--server', server, '--token', 'secret-on-argv']);
  t.is(onArgv.code, 1);
  t.regex(onArgv.stderr, /unknown option '--token'/);
  t.is(seen.length, 3);
});

test('client › bad input is one clear line before anything is sent', async (t) => {
  const { seen, url: server } = await recorder(t);
  const cases: [string[], string, RegExp][] = [
    [['task', 'submit', join(dir, 'missing.yaml')], '', /^offerlab: cannot read .*missing\.yaml: ENOENT\n$/],
    [['task', 'submit', '-'], 'id: [', /^offerlab: stdin: .* at line 1, column 6\n$/],
    [['task', 'submit', '-'], '- 3', /^offerlab: stdin \(item 1\): expected a task spec object/],
    [
      ['task', 'submit', '-', '--count', '0'],
      '{}',
      /^offerlab: --count must be a whole number from 1 to 1000, got "0"\n$/,
    ],
    [
      ['task', 'get', '--server', 'ftp://x'],
      '',
      /^offerlab: --server must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      ['task', 'get', '--token-file', join(dir, 'nope')],
      '',
      /^offerlab: cannot read --token-file .*nope: ENOENT\n$/,
    ],
    [['task', 'get', '-o', 'yaml'], '', /argument 'yaml' is invalid\. Allowed choices are table, json\./],
  ];
  for (const [args, input, stderr] of cases) {
    const r = await offerlab([...args, ...(args.includes('--server') ? [] : ['--server', server])], {
      input,
    });
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, stderr, args.join(' '));
    t.notRegex(r.stderr, /\n\s+at /);
  }
  t.deepEqual(seen, []);
});
