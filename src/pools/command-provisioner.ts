import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { NodeRequest, Provisioner, ProvisionResult } from '../ports/provisioner.ts';

/** The command templates of one elastic pool (Dynamic Cluster's `post_vm_provision_command` and kin). */
export interface PoolCommands {
  /** Shell command template that creates the machine (required to provision). */
  readonly provision?: string;
  /** Shell command template that destroys it (required to destroy). */
  readonly destroy?: string;
  /** Kill a command (its whole process group: SIGTERM, then SIGKILL after 5 s) that runs longer than this. */
  readonly timeoutMs: number;
}

/** How a {@link CommandProvisioner} runs its commands. */
export interface CommandProvisionerOptions {
  /** The shell that runs a command as `shell -c <command>` (default `/bin/sh`). */
  readonly shell?: string;
  /** The environment commands start from (default `process.env`); the `OFFERLAB_*` variables are added to it. */
  readonly env?: NodeJS.ProcessEnv;
  /** Gets one line when a command starts and one when it ends. */
  readonly log?: (line: string) => void;
}

type Kind = 'provision' | 'destroy';
type Done = (result: ProvisionResult) => void;

/** SIGTERM → SIGKILL grace for a command's process group. */
const KILL_GRACE_MS = 5_000;
/** How long output is still read after a command exited, in case something it started holds the pipes. */
const DRAIN_MS = 500;
/** How much of the end of stdout and of stderr is kept. */
const TAIL_CHARS = 4096;
/** setTimeout's limit; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `{name}` or `{attr.name}`; `${…}` is left to the shell. */
const PLACEHOLDER = /(?<!\$)\{([A-Za-z_]\w*(?:\.[^{}\s]+)?)\}/g;
const KNOWN = 'hostname, pool, cpus, mem, disk, agent_id, attr.<name>';

/**
 * The live provisioner of elastic pools: runs the pool's configured shell command templates with
 * the node's values substituted (plain values only — a value with quotes, spaces or shell
 * metacharacters is refused, so none can change the command) and also passed as `OFFERLAB_*`
 * environment variables. Exit 0 is success; otherwise the result names the
 * exit code and the last line the command wrote to stderr (or stdout). Each command runs in its
 * own process group, which is killed when it times out or the provisioner stops.
 */
export class CommandProvisioner implements Provisioner {
  readonly #commands: (pool: string) => PoolCommands | undefined;
  readonly #shell: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #log: ((line: string) => void) | undefined;
  readonly #running = new Set<Run>();
  #stopped = false;

  /** @param commands the templates of a pool, or undefined for a pool without any. */
  constructor(commands: (pool: string) => PoolCommands | undefined, opts: CommandProvisionerOptions = {}) {
    this.#commands = commands;
    this.#shell = opts.shell ?? '/bin/sh';
    this.#env = opts.env ?? process.env;
    this.#log = opts.log;
  }

  /** Runs the pool's provision command for `request`. */
  provision(request: NodeRequest, done: Done): void {
    this.#start('provision', request, done);
  }

  /** Runs the pool's destroy command for `request`. */
  destroy(request: NodeRequest, done: Done): void {
    this.#start('destroy', request, done);
  }

  /** Kills every running command's process group and waits for them; no `done` is called after this. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const runs = [...this.#running];
    for (const run of runs) run.terminate();
    await Promise.all(runs.map((run) => run.closed));
  }

  #start(kind: Kind, request: NodeRequest, done: Done): void {
    if (this.#stopped) return;
    const commands = this.#commands(request.pool);
    const template = commands?.[kind];
    const rendered = template === undefined || template.trim() === '' ? undefined : render(template, request);
    if (commands === undefined || rendered === undefined) {
      this.#later(done, fail(`pool ${request.pool} has no ${kind}_command`));
    } else if ('error' in rendered) {
      this.#later(done, fail(`${kind}_command for pool ${request.pool}: ${rendered.error}`));
    } else {
      const run = startCommand(
        {
          label: `${kind}_command for ${request.hostname}`,
          shell: this.#shell,
          command: rendered.command,
          env: { ...this.#env, ...environment(request) },
          timeoutMs: commands.timeoutMs,
          log: this.#log,
        },
        (result) => {
          this.#running.delete(run);
          if (!this.#stopped) done(result);
        },
      );
      this.#running.add(run);
    }
  }

  /** Reports a result that is known at once, still asynchronously. */
  #later(done: Done, result: ProvisionResult): void {
    queueMicrotask(() => {
      if (!this.#stopped) done(result);
    });
  }
}

function fail(message: string): ProvisionResult {
  return { ok: false, message };
}

/**
 * What a substituted value may hold: characters no shell gives a meaning to, in or out of quotes.
 * Anything else (quotes, spaces, `$`, backquotes, `;`…) could change the command, so it is refused;
 * the value is still in the command's environment (`OFFERLAB_*`).
 */
const PLAIN = /^[A-Za-z0-9._:@%+=,/-]*$/;

function values(request: NodeRequest): ReadonlyMap<string, string> {
  const { template } = request;
  return new Map([
    ['hostname', request.hostname],
    ['pool', request.pool],
    ['cpus', String(template.cpus)],
    ['mem', String(template.mem)],
    ['disk', String(template.disk)],
    ['agent_id', request.agentId ?? ''],
  ]);
}

function environment(request: NodeRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of values(request)) env[`OFFERLAB_${name.toUpperCase()}`] = value;
  return env;
}

/**
 * Substitutes the placeholders of `template` (plain values only, so they are safe anywhere in a
 * command, quoted or not), or says which placeholder is unknown or which value is not plain.
 */
function render(template: string, request: NodeRequest): { command: string } | { error: string } {
  const known = values(request);
  const attributes = request.template.attributes;
  let error: string | undefined;
  const command = template.replace(PLACEHOLDER, (whole, name: string) => {
    const attribute = name.startsWith('attr.') ? name.slice('attr.'.length) : undefined;
    const value =
      attribute === undefined
        ? known.get(name)
        : Object.hasOwn(attributes, attribute)
          ? attributes[attribute]
          : undefined;
    if (value !== undefined && PLAIN.test(value)) return value;
    if (value !== undefined) {
      const variable = attribute === undefined ? ` (it is in $OFFERLAB_${name.toUpperCase()})` : '';
      error ??= `the value of ${whole}, ${JSON.stringify(value)}, has characters a command cannot take safely (plain values only: letters, digits and . _ : @ % + = , / -)${variable}`;
      return whole;
    }
    const names = Object.keys(attributes).join(', ');
    error ??=
      attribute === undefined
        ? `unknown placeholder ${whole} (known: ${KNOWN})`
        : `unknown placeholder ${whole} (the template's attributes: ${names === '' ? 'none' : names})`;
    return whole;
  });
  return error === undefined ? { command } : { error };
}

/** One command on its way. */
interface Run {
  /** Kills the command's process group: SIGTERM now, SIGKILL after {@link KILL_GRACE_MS}. */
  terminate(): void;
  /** Settles once the command is over (exited and its output closed, or never started). */
  readonly closed: Promise<void>;
}

interface RunSpec {
  /** `provision_command for <hostname>`: starts every message about the command. */
  readonly label: string;
  readonly shell: string;
  readonly command: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly log: ((line: string) => void) | undefined;
}

/** Starts `spec.command` in a process group of its own; `end` gets its outcome once, asynchronously. */
function startCommand(spec: RunSpec, end: Done): Run {
  const started = performance.now();
  const finish = (result: ProvisionResult): void => {
    const secs = ((performance.now() - started) / 1000).toFixed(2);
    spec.log?.(`${result.ok ? `${spec.label} succeeded` : result.message} (${secs} s)`);
    end(result);
  };
  let child: ChildProcess;
  try {
    child = spawn(spec.shell, ['-c', spec.command], {
      detached: true,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    queueMicrotask(() => finish(fail(`${spec.label} could not be started: ${String(err)}`)));
    return { terminate: () => undefined, closed: Promise.resolve() };
  }
  spec.log?.(`${spec.label} started (pid ${child.pid ?? '?'})`);

  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const closeOutput = (): void => {
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  const timers = new Set<NodeJS.Timeout>();
  const after = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    timers.add(timer);
    return timer;
  };
  let terminating = false;
  let timedOut = false;
  let settled = false;
  const terminate = (): void => {
    if (terminating || settled) return;
    terminating = true;
    killGroup(child, 'SIGTERM');
    after(KILL_GRACE_MS, () => {
      killGroup(child, 'SIGKILL');
      closeOutput();
    });
  };
  const timeout = after(spec.timeoutMs, () => {
    timedOut = true;
    terminate();
  });

  const closed = new Promise<void>((resolve) => {
    const settle = (result: ProvisionResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve();
      finish(result);
    };
    child.once('error', (err) => {
      if (child.pid === undefined) settle(fail(`${spec.label} could not be started: ${err.message}`));
    });
    child.once('exit', () => {
      clearTimeout(timeout);
      // Whatever the command left running may hold the pipes; stop reading soon.
      if (!terminating) after(DRAIN_MS, closeOutput);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (timedOut) settle(fail(`${spec.label} timed out after ${seconds(spec.timeoutMs)} s`));
      else settle(exitResult(spec.label, code, signal, lastLine(stderr()) ?? lastLine(stdout())));
    });
  });
  return { terminate, closed };
}

/** Exit 0 is success; anything else names the exit code or signal and the command's last words. */
function exitResult(
  label: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  line: string | undefined,
): ProvisionResult {
  if (code === 0) return { ok: true };
  const why = code !== null ? `exited with ${code}` : `was killed by ${signal ?? 'a signal'}`;
  return fail(`${label} ${why}${line === undefined ? '' : `: ${line}`}`);
}

/** Keeps the last {@link TAIL_CHARS} characters read from `stream`. */
function tail(stream: Readable | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-TAIL_CHARS);
  });
  return () => text;
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function seconds(ms: number): number {
  return Number((ms / 1000).toFixed(3));
}
