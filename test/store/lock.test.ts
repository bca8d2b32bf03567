import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { Journal } from '../../src/store/journal.ts';
import { acquireLock, StateDirLockedError } from '../../src/store/lock.ts';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('could not start node');
  return child.pid;
}

/** A process that stays alive until the test ends. */
async function liveProcess(t: ExecutionContext): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  t.teardown(() => {
    child.kill();
  });
  await once(child, 'spawn');
  if (child.pid === undefined) throw new Error('could not start node');
  return child.pid;
}

const lockText = (dir: string) => readFile(join(dir, 'LOCK'), 'utf8');

test('lock › a second open of the same state dir in this process fails until the first is closed', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await Journal.open(dir);
  t.teardown(() => journal.close());
  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: StateDirLockedError });
  t.is(err?.pid, process.pid);
  t.is(await lockText(dir), `${process.pid}\n`);

  await journal.close();
  t.false((await readdir(dir)).includes('LOCK'));
  const again = await Journal.open(dir);
  await again.journal.close();
  t.pass();
});

test('lock › takes over a LOCK left by a process that is gone', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'LOCK'), `${await deadPid()}\n`);
  const { journal } = await Journal.open(dir);
  t.teardown(() => journal.close());
  t.is(await lockText(dir), `${process.pid}\n`);
  await journal.close();
  t.deepEqual(await readdir(dir), ['journal-000000000001.jsonl']);
});

test('lock › takes over an empty or garbled LOCK', async (t) => {
  for (const text of ['', 'not a pid\n', '0\n', '-1\n']) {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'LOCK'), text);
    const lock = await acquireLock(dir);
    t.is(await lockText(dir), `${process.pid}\n`, JSON.stringify(text));
    await lock.release();
  }
});

test('lock › takes over a LOCK holding this process’s own pid that this process does not hold', async (t) => {
  // A previous daemon with the same pid, as happens to pid 1 in containers.
  const dir = await tempDir(t);
  await writeFile(join(dir, 'LOCK'), `${process.pid}\n`);
  const lock = await acquireLock(dir);
  await lock.release();
  t.deepEqual(await readdir(dir), []);
});

test('lock › refuses a LOCK held by a live process, naming its pid, and leaves the LOCK alone', async (t) => {
  const dir = await tempDir(t);
  const pid = await liveProcess(t);
  await writeFile(join(dir, 'LOCK'), `${pid}\n`);
  const err = await t.throwsAsync(Journal.open(dir), { instanceOf: StateDirLockedError });
  t.is(err?.pid, pid);
  t.is(err?.message, `state dir ${dir} is in use by pid ${pid}`);
  t.is(await lockText(dir), `${pid}\n`);
  t.deepEqual(await readdir(dir), ['LOCK']);
});

test('lock › fails safe, naming the file, when a stale-lock takeover was interrupted', async (t) => {
  const dir = await tempDir(t);
  const stale = `${await deadPid()}\n`;
  const claim = join(dir, `LOCK.takeover-${crc32(stale).toString(16).padStart(8, '0')}`);
  await writeFile(join(dir, 'LOCK'), stale);
  await writeFile(claim, `${await deadPid()}\n`);
  const err = await t.throwsAsync(acquireLock(dir), { instanceOf: StateDirLockedError });
  t.true(err?.message.includes(claim));
  t.is(await lockText(dir), stale);
});

test('lock › lets exactly one of several processes racing for a stale LOCK win', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'LOCK'), `${await deadPid()}\n`);
  const lockUrl = pathToFileURL(join(process.cwd(), 'src', 'store', 'lock.ts')).href;
  // A winner keeps the lock (stays alive) until its stdin closes, so losers see a live holder.
  const script = `
    import { acquireLock } from ${JSON.stringify(lockUrl)};
    try {
      await acquireLock(${JSON.stringify(dir)});
      console.log('won');
      process.stdin.resume();
    } catch (err) {
      console.log(err instanceof Error ? err.name : 'error');
    }`;
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const child of children) child.kill();
  });
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      // 'close' comes after all output, so a child that dies silently shows up as 'exited'.
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += String(chunk);
      });
      await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'close')]);
      return out.trim() || 'exited';
    }),
  );
  t.deepEqual(outcomes.sort(), [
    'StateDirLockedError',
    'StateDirLockedError',
    'StateDirLockedError',
    'StateDirLockedError',
    'StateDirLockedError',
    'won',
  ]);
  for (const child of children) child.stdin?.end();
});
