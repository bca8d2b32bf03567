import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import {
  CommandProvisioner,
  type CommandProvisionerOptions,
  type PoolCommands,
} from '../../src/pools/command-provisioner.ts';
import type { NodeRequest, ProvisionResult } from '../../src/ports/provisioner.ts';
import { eventually } from '../helpers/wait.ts';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-provisioner-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A node of pool `burst` whose template carries the test's temp dir as attribute `dir`. */
function node(dir: string, hostname = 'burst-3', agentId?: string): NodeRequest {
  return {
    pool: 'burst',
    hostname,
    template: { cpus: 4, mem: 8192, disk: 20480, ports: '31000-32000', attributes: { dir, rack: 'r1' } },
    ...(agentId === undefined ? {} : { agentId }),
  };
}

/** A provisioner whose pool `burst` has the given commands; stopped at teardown. */
function provisioner(
  t: ExecutionContext,
  commands: Partial<PoolCommands>,
  opts?: CommandProvisionerOptions,
): CommandProvisioner {
  const p = new CommandProvisioner(
    (pool) => (pool === 'burst' ? { timeoutMs: 10_000, ...commands } : undefined),
    opts,
  );
  t.teardown(() => p.stop());
  return p;
}

function provision(p: CommandProvisioner, request: NodeRequest): Promise<ProvisionResult> {
  return new Promise((resolve) => p.provision(request, resolve));
}

function destroy(p: CommandProvisioner, request: NodeRequest): Promise<ProvisionResult> {
  return new Promise((resolve) => p.destroy(request, resolve));
}

/** Whether process `pid` is gone (or a zombie waiting for a parent that may never reap it). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  const text = readFileSync(stat, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).startsWith('Z');
}

/**
 * Whether `pid` is gone within a second: a killed process closes its files (so the command's
 * output closes and its result arrives) a moment before it is a zombie.
 */
async function goneSoon(pid: number): Promise<boolean> {
  return eventually(() => gone(pid) || undefined, `process ${pid} to be gone`, 1_000).catch(() => false);
}

async function pids(file: string): Promise<number[]> {
  const text = await eventually(async () => {
    const t = existsSync(file) ? await readFile(file, 'utf8') : '';
    return t.split('\n').filter((l) => l !== '').length >= 2 ? t : undefined;
  }, `two pids in ${file}`);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

test('command provisioner › a command that exits 0 succeeds, logging its start and end', async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  const p = provisioner(t, { provision: 'true', destroy: 'exit 0' }, { log: (l) => lines.push(l) });
  t.deepEqual(await provision(p, node(dir)), { ok: true });
  t.deepEqual(await destroy(p, node(dir)), { ok: true });
  t.is(lines.length, 4);
  t.regex(lines[0] ?? '', /^provision_command for burst-3 started \(pid \d+\)$/);
  t.regex(lines[1] ?? '', /^provision_command for burst-3 succeeded \(\d+\.\d\d s\)$/);
  t.regex(lines[2] ?? '', /^destroy_command for burst-3 started/);
});

test('command provisioner › substitutes plain values anywhere in the command, quoted or not', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, {
    provision:
      'printf %s "{hostname}" > {attr.dir}/host; echo {pool} {cpus} {mem} {disk} \'{attr.rack}\' "[{agent_id}]" > {attr.dir}/rest',
  });
  t.deepEqual(await provision(p, node(dir, 'burst-3.lab:1')), { ok: true });
  t.is(await readFile(join(dir, 'host'), 'utf8'), 'burst-3.lab:1');
  t.is(await readFile(join(dir, 'rest'), 'utf8'), 'burst 4 8192 20480 r1 []\n');
});

test('command provisioner › refuses a value that could change the command, whatever quotes surround it', async (t) => {
  const dir = await tempDir(t);
  for (const hostname of [
    `h'; touch ${dir}/pwned; echo '`,
    `$(touch ${dir}/pwned2)`,
    `\`touch ${dir}/pwned3\``,
    'two words',
  ]) {
    const p = provisioner(t, { provision: 'echo "{hostname}" > {attr.dir}/host' });
    const result = await provision(p, node(dir, hostname));
    t.false(result.ok);
    if (!result.ok)
      t.regex(
        result.message,
        /the value of \{hostname\}, .* has characters a command cannot take safely .*\$OFFERLAB_HOSTNAME/,
      );
  }
  for (const f of ['host', 'pwned', 'pwned2', 'pwned3']) t.false(existsSync(join(dir, f)), f);
});

test('command provisioner › leaves shell parameter expansion alone and passes the values as OFFERLAB_* variables', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(
    t,
    {
      destroy: `printf "%s|" "$OFFERLAB_HOSTNAME" "$OFFERLAB_POOL" "$OFFERLAB_CPUS" "$OFFERLAB_MEM" "$OFFERLAB_DISK" "\${OFFERLAB_AGENT_ID}" "$EXTRA" > {attr.dir}/env`,
    },
    { env: { PATH: process.env.PATH, EXTRA: 'x' } },
  );
  t.deepEqual(await destroy(p, node(dir, 'burst-3', 'agent-7')), { ok: true });
  t.is(await readFile(join(dir, 'env'), 'utf8'), 'burst-3|burst|4|8192|20480|agent-7|x|');
});

test('command provisioner › a non-zero exit names the code and the last stderr line', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, {
    provision: 'echo progress; echo "quota exceeded" >&2; echo >&2; exit 2',
    destroy: 'echo "  not found  "; exit 3',
  });
  t.deepEqual(await provision(p, node(dir)), {
    ok: false,
    message: 'provision_command for burst-3 exited with 2: quota exceeded',
  });
  t.deepEqual(await destroy(p, node(dir)), {
    ok: false,
    message: 'destroy_command for burst-3 exited with 3: not found',
  });
});

test('command provisioner › a command that times out has its whole process group killed', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'pids');
  const p = provisioner(t, {
    provision: 'echo $$ > {attr.dir}/pids; sleep 30 & echo $! >> {attr.dir}/pids; sleep 30',
    timeoutMs: 300,
  });
  const started = Date.now();
  const result = await provision(p, node(dir));
  t.deepEqual(result, { ok: false, message: 'provision_command for burst-3 timed out after 0.3 s' });
  t.true(Date.now() - started < 5_000, 'killed by SIGTERM, not after the SIGKILL grace');
  const [shell, child] = await pids(file);
  t.true(shell !== undefined && gone(shell), `shell ${shell} is gone`);
  t.true(child !== undefined && (await goneSoon(child)), `background child ${child} is gone`);
});

test('command provisioner › an unknown placeholder fails without starting anything', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, {
    provision: 'touch {attr.dir}/ran {foo}',
    destroy: 'touch {attr.dir}/ran {attr.zone}',
  });
  let returned = false;
  const result = new Promise<ProvisionResult>((resolve) =>
    p.provision(node(dir), (r) => {
      t.true(returned, 'done is called asynchronously');
      resolve(r);
    }),
  );
  returned = true;
  t.deepEqual(await result, {
    ok: false,
    message:
      'provision_command for pool burst: unknown placeholder {foo} (known: hostname, pool, cpus, mem, disk, agent_id, attr.<name>)',
  });
  t.deepEqual(await destroy(p, node(dir)), {
    ok: false,
    message:
      "destroy_command for pool burst: unknown placeholder {attr.zone} (the template's attributes: dir, rack)",
  });
  t.false(existsSync(join(dir, 'ran')));
});

test('command provisioner › a pool without the template fails without starting anything', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, { provision: 'touch {attr.dir}/ran' });
  let returned = false;
  const result = new Promise<ProvisionResult>((resolve) =>
    p.destroy(node(dir), (r) => {
      t.true(returned, 'done is called asynchronously');
      resolve(r);
    }),
  );
  returned = true;
  t.deepEqual(await result, { ok: false, message: 'pool burst has no destroy_command' });
  t.deepEqual(await provision(p, { ...node(dir), pool: 'other' }), {
    ok: false,
    message: 'pool other has no provision_command',
  });
  t.false(existsSync(join(dir, 'ran')));
});

test('command provisioner › a shell that cannot be started is a failure naming it', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, { provision: 'true' }, { shell: join(dir, 'no-such-shell') });
  const result = await provision(p, node(dir));
  t.false(result.ok);
  t.regex(
    result.ok ? '' : result.message,
    /^provision_command for burst-3 could not be started: .*no-such-shell/,
  );
});

test('command provisioner › stop() kills running commands, waits for them and calls no done', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, {
    provision: 'echo $$ > {attr.dir}/pids; sleep 30 & echo $! >> {attr.dir}/pids; sleep 30',
    timeoutMs: 60_000,
  });
  let calls = 0;
  p.provision(node(dir), () => calls++);
  const [shell, child] = await pids(join(dir, 'pids'));
  p.destroy(node(dir), () => calls++); // no destroy_command: a failure still to be reported
  await p.stop();
  t.true(shell !== undefined && gone(shell), `shell ${shell} is gone`);
  t.true(child !== undefined && (await goneSoon(child)), `background child ${child} is gone`);
  p.provision(node(dir), () => calls++);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is(calls, 0);
});

test('command provisioner › a command that leaves something running holding its output still reports', async (t) => {
  const dir = await tempDir(t);
  const p = provisioner(t, { provision: 'sleep 30 & echo $! > {attr.dir}/pid; echo started agent' });
  t.teardown(async () => {
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
    if (pid > 0 && !gone(pid)) process.kill(pid, 'SIGKILL');
  });
  const started = Date.now();
  t.deepEqual(await provision(p, node(dir)), { ok: true });
  t.true(Date.now() - started < 5_000);
});
