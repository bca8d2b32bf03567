/**
 * An exclusive lock on a state directory, so two daemons never append to one journal.
 *
 * The lock is the file `DIR/LOCK` holding the owner's pid. It is only ever created whole: each
 * contender first writes its pid to a private temp file and then `link()`s that file to `LOCK`,
 * which fails with EEXIST if anyone else holds it (unlike `open('wx')` + write, a reader never
 * sees an empty half-made lock).
 *
 * A `LOCK` naming a dead process (a `kill -9`ed daemon) or holding garbage is stale and may be
 * taken over. Deleting it and creating a new one is racy: two starters can both judge it stale,
 * A deletes it and links its own, then B deletes A's fresh lock and links its own, and both run.
 * So a takeover is serialised per stale lock: only the contender that manages to `link()` the
 * claim file `LOCK.takeover-<crc of the stale content>` may replace that content, and it checks
 * again, while holding the claim, that `LOCK` is still the same file with the same content before
 * renaming its temp file over it. Everyone else backs off and looks again. A claim left behind by
 * a starter killed mid-takeover makes later starts fail safe with a message naming the file.
 *
 * Within one process pid checks cannot tell two holders apart, so held directories are also kept
 * in a process-wide set. (A LOCK holding this process's own pid but not in the set is stale: a
 * previous daemon that happened to have the same pid, as in containers where the daemon is pid 1.)
 */
import { type FileHandle, link, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { crc32 } from 'node:zlib';

export class StateDirLockedError extends Error {
  override readonly name = 'StateDirLockedError';
  /** The pid holding the directory, when known. */
  readonly pid: number | undefined;
  constructor(message: string, pid: number | undefined) {
    super(message);
    this.pid = pid;
  }
}

export interface DirLock {
  /** Removes `LOCK` (if it is still ours) so another daemon may use the directory. */
  release(): Promise<void>;
}

const held = new Set<string>();

/** How often (20 ms apart) to look again while another starter is taking over a stale lock. */
const TAKEOVER_ATTEMPTS = 50;

export async function acquireLock(dir: string): Promise<DirLock> {
  const abs = resolve(dir);
  if (held.has(abs)) {
    throw new StateDirLockedError(
      `state dir ${dir} is in use by pid ${process.pid} (this process)`,
      process.pid,
    );
  }
  held.add(abs);
  const lockPath = join(abs, 'LOCK');
  try {
    await claimLock(dir, abs, lockPath);
  } catch (err) {
    held.delete(abs);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        const current = await readLock(lockPath);
        if (current !== undefined && parsePid(current.text) === process.pid) await unlink(lockPath);
      } finally {
        held.delete(abs);
      }
    },
  };
}

async function claimLock(dir: string, abs: string, lockPath: string): Promise<void> {
  // The held set guarantees one acquisition per directory at a time in this process.
  const tmp = join(abs, `LOCK.${process.pid}.tmp`);
  await writeFile(tmp, `${process.pid}\n`);
  let claim = '';
  try {
    for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
      try {
        await link(tmp, lockPath);
        return;
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      const current = await readLock(lockPath);
      if (current === undefined) continue; // released meanwhile: try the plain path again
      const pid = parsePid(current.text);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        throw new StateDirLockedError(`state dir ${dir} is in use by pid ${pid}`, pid);
      }
      claim = join(abs, `LOCK.takeover-${crc32(current.text).toString(16).padStart(8, '0')}`);
      if (await replaceStale(lockPath, tmp, claim, current)) return;
      await delay(20);
    }
    const claimer = await readLock(claim);
    const pid = claimer === undefined ? undefined : parsePid(claimer.text);
    throw new StateDirLockedError(
      `state dir ${dir} is locked: pid ${pid ?? '?'} is taking over a stale LOCK ` +
        `(if no offerlab daemon is running, a takeover was interrupted: remove ${claim})`,
      pid,
    );
  } finally {
    await unlink(tmp).catch(ignoreMissing); // gone already when it was renamed to LOCK
  }
}

interface LockFile {
  text: string;
  ino: number;
}

/** Replaces the stale `LOCK` with `tmp` unless another starter is doing so or has done so. */
async function replaceStale(lockPath: string, tmp: string, claim: string, stale: LockFile): Promise<boolean> {
  try {
    await link(tmp, claim);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    const now = await readLock(lockPath);
    if (now === undefined || now.ino !== stale.ino || now.text !== stale.text) return false;
    await rename(tmp, lockPath);
    return true;
  } finally {
    await unlink(claim);
  }
}

/** Content and inode of a lock file read through one handle, or undefined if it does not exist. */
async function readLock(path: string): Promise<LockFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { ino } = await handle.stat();
    return { ino, text: await handle.readFile({ encoding: 'utf8' }) };
  } finally {
    await handle.close();
  }
}

function parsePid(text: string): number | undefined {
  // Only positive pids: kill(0 or negative, 0) would probe process groups instead.
  const m = /^\s*([1-9]\d{0,9})\s*$/.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user. Anything but ESRCH counts as alive (fail safe).
    return errorCode(err) !== 'ESRCH';
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function ignoreMissing(err: unknown): void {
  if (errorCode(err) !== 'ENOENT') throw err;
}
