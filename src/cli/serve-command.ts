import { buildApp } from '../api/app.ts';
import { describeAccess, readTokenFile, TokenFileError, type Tokens } from '../api/auth.ts';
import { DaemonMetrics } from '../api/metrics.ts';
import { SIZING_MODES } from '../core/intelligence/sizing.ts';
import { STRATEGIES } from '../core/reshuffle/planner.ts';
import { Daemon, type DaemonOptions } from '../daemon/daemon.ts';
import { FakeMaster } from '../fake-master/fake-master.ts';
import { scenarioCluster } from '../fake-master/from-scenario.ts';
import { parseMasters } from '../mesos-http/masters.ts';
import { livePoolProvisioner } from '../pools/pool-provisioner.ts';
import type { Provisioner } from '../ports/provisioner.ts';
import { groupAgents } from '../scenario/agents.ts';
import { parseDuration } from '../scenario/duration.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { ScenarioPool } from '../scenario/types.ts';
import { JournalCorruptError, StateDirLockedError } from '../store/journal.ts';
import { readCredentials } from './credentials.ts';
import { UsageError } from './errors.ts';
import { DEFAULT_GROUP, integer } from './fake-master-command.ts';
import { parseSpeed } from './run-command.ts';

export interface ServeCommandOptions {
  transport: string;
  master?: string;
  cluster?: string;
  speed?: string;
  port: string;
  host: string;
  stateDir?: string;
  contentType?: string;
  principal?: string;
  secretFile?: string;
  placement?: string;
  tokenFile?: string;
  metering: string;
  sizing?: string;
  reshuffle?: string;
}

/**
 * `offerlab serve`: the scheduler daemon. With `--transport sim` (the default) it starts the
 * simulated cluster in this process behind the real v1 API, so the REST API can be tried without
 * Mesos; with `--transport http` it schedules on the masters given. Runs until SIGINT/SIGTERM.
 */
export async function serveCommand(opts: ServeCommandOptions): Promise<number> {
  const port = integer(opts.port, '--port', 0, 65535);
  const speed = parseSpeed(opts.speed);
  const format = opts.contentType ?? 'json';
  if (format !== 'json' && format !== 'protobuf')
    throw new UsageError(`--content-type must be json or protobuf, got "${format}"`);
  let fake: FakeMaster | undefined;
  let masters: string[];
  let pools: readonly ScenarioPool[] = [];
  let provisioner: Provisioner | undefined;
  if (opts.transport === 'sim') {
    if (opts.master !== undefined) throw new UsageError('--master needs --transport=http');
    const scenario = opts.cluster === undefined ? undefined : loadScenarioFile(opts.cluster);
    const cluster = scenario
      ? scenarioCluster(scenario)
      : { agents: groupAgents(DEFAULT_GROUP), timing: {}, timeline: [] };
    fake = new FakeMaster({ host: '127.0.0.1', ports: [0], ...cluster, speed, seed: scenario?.seed ?? 1 });
    masters = await fake.start();
    pools = scenario?.cluster.pools ?? [];
    // The pools' machines are simulated agents of the in-process cluster.
    const byName = new Map(pools.map((p) => [p.name, p]));
    provisioner = fake.provisioner((r) => byName.get(r.pool));
  } else if (opts.transport === 'http') {
    if (opts.master === undefined)
      throw new UsageError('--transport=http needs --master host:port[,host:port…]');
    // Against a live cluster the file's agents are the cluster's business; its pools are offerlab's.
    pools = opts.cluster === undefined ? [] : loadScenarioFile(opts.cluster).cluster.pools;
    try {
      masters = parseMasters(opts.master);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    provisioner = livePoolProvisioner(pools, masters, (line) => process.stderr.write(`offerlab: ${line}\n`));
  } else {
    throw new UsageError(`--transport must be sim or http, got "${opts.transport}"`);
  }
  let tokens: Tokens | undefined;
  try {
    tokens = opts.tokenFile === undefined ? undefined : readTokenFile(opts.tokenFile);
  } catch (err) {
    await fake?.stop();
    if (err instanceof TokenFileError) throw new UsageError(err.message);
    throw err;
  }
  const metrics = new DaemonMetrics();
  const credentials = readCredentials({
    ...(opts.principal !== undefined ? { principal: opts.principal } : {}),
    ...(opts.secretFile !== undefined ? { secretFile: opts.secretFile } : {}),
  });

  // Set up before the daemon starts: a fatal error during start-up must end the process too.
  let stopping: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stopping = resolve;
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const log = (line: string) => process.stderr.write(`offerlab: ${line}\n`);
  const daemonOpts: DaemonOptions = {
    masters,
    format,
    speed,
    onSync: metrics.observeFsync,
    ...(credentials ? { credentials } : {}),
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
    ...(fake ? { cluster: { removeAgent: (hostname: string) => fake.agentLoss(hostname) } } : {}),
    ...(provisioner ? { provisioner } : {}),
    config: {
      pools,
      ...(opts.placement !== undefined ? { placement: opts.placement } : {}),
      ...(opts.sizing !== undefined ? { sizing: choice('--sizing', opts.sizing, SIZING_MODES) } : {}),
      ...(opts.reshuffle !== undefined
        ? { reshuffle: choice('--reshuffle', opts.reshuffle, STRATEGIES) }
        : {}),
    },
    meteringMs: meteringInterval(opts.metering),
    ...(process.env.OFFERLAB_DEBUG ? { log } : {}),
    onFatal: (message) => {
      log(`the scheduler stopped: ${message}`);
      process.exitCode = 1;
      stopping();
    },
  };
  let daemon: Daemon;
  try {
    daemon = await Daemon.start(daemonOpts);
  } catch (err) {
    await fake?.stop();
    if (err instanceof JournalCorruptError || err instanceof StateDirLockedError)
      throw new UsageError(err.message);
    throw err;
  }
  const app = buildApp(daemon, { metrics, ...(tokens ? { tokens } : {}) });
  try {
    await app.listen({ port, host: opts.host });
  } catch (err) {
    await daemon.stop();
    await fake?.stop();
    throw new UsageError(
      `cannot listen on ${opts.host}:${opts.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const address = app.server.address();
  const url =
    typeof address === 'object' && address
      ? `http://${opts.host}:${address.port}`
      : `http://${opts.host}:${port}`;
  const restored = daemon.state.tasks.size;
  process.stdout.write(
    [
      `offerlab serve: listening on ${url}`,
      `  transport ${opts.transport === 'sim' ? `sim (simulated cluster in this process, ${masters[0]}${speed === 1 ? '' : `, ${speed}×`})` : `http → ${masters.join(', ')}`}`,
      `  state     ${opts.stateDir === undefined ? 'in memory only (no --state-dir): everything is lost on exit' : `${opts.stateDir}${restored > 0 ? ` (restored ${restored} tasks${daemon.state.framework.id ? `, framework ${daemon.state.framework.id}` : ''})` : ''}`}`,
      `  access    ${describeAccess(tokens, opts.host)}`,
      `  try       curl ${url}/admin/ping · curl ${url}/status/ · curl ${url}/client/task`,
      '',
    ].join('\n'),
  );
  if (daemon.recoveredDropped > 0)
    log(`dropped ${daemon.recoveredDropped} torn record(s) at the end of the journal (never acknowledged)`);
  await stopped;
  await app.close();
  await daemon.stop();
  await fake?.stop();
  return process.exitCode === 1 ? 1 : 0;
}

function choice(flag: string, value: string, known: readonly string[]): string {
  if (!known.includes(value))
    throw new UsageError(`${flag} must be one of ${known.join(', ')}, got "${value}"`);
  return value;
}

/** `--metering 15s` (a duration), or `off`. */
function meteringInterval(text: string): number {
  if (text === 'off' || text === '0') return 0;
  let ms: number | undefined;
  try {
    ms = parseDuration(text);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || !(ms > 0))
    throw new UsageError(`--metering must be a duration like 15s or off, got "${text}"`);
  return ms;
}
