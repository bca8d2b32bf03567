import { FakeMaster } from '../fake-master/fake-master.ts';
import { scenarioCluster } from '../fake-master/from-scenario.ts';
import { groupAgents } from '../scenario/agents.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { AgentGroup } from '../scenario/types.ts';
import { readCredentialsFile } from './credentials.ts';
import { UsageError } from './errors.ts';
import { parseSpeed } from './run-command.ts';

export interface FakeMasterCommandOptions {
  port: string;
  host: string;
  masters: string;
  cluster?: string;
  speed?: string;
  seed?: string;
  credentials?: string;
}

/** The cluster a fake master runs without --cluster: three agents of 4 cpus and 8 GiB. */
export const DEFAULT_GROUP: AgentGroup = {
  name: 'agent',
  count: 3,
  resources: { cpus: 4, mem: 8192, disk: 20000, ports: [{ begin: 31000, end: 32000 }] },
  attributes: {},
};

export function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/**
 * `offerlab fake-master`: the simulated cluster behind the real Mesos v1 scheduler API on
 * loopback. With `--cluster FILE` it runs that scenario's cluster: its agents, the agents it adds
 * later and its faults, timed from the first SUBSCRIBE. Runs until interrupted.
 */
export async function fakeMasterCommand(opts: FakeMasterCommandOptions): Promise<number> {
  const count = integer(opts.masters, '--masters', 1, 9);
  const port = integer(opts.port, '--port', 0, 65535);
  const speed = parseSpeed(opts.speed);
  const scenario = opts.cluster === undefined ? undefined : loadScenarioFile(opts.cluster);
  const cluster = scenario
    ? scenarioCluster(scenario)
    : { agents: groupAgents(DEFAULT_GROUP), timing: {}, timeline: [] };
  const seed =
    opts.seed === undefined ? (scenario?.seed ?? 1) : integer(opts.seed, '--seed', -(2 ** 31), 2 ** 31);
  const started = Date.now();
  const log = (line: string) => {
    const s = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`[${s}s] ${line}\n`);
  };
  const fake = new FakeMaster({
    host: opts.host,
    ports: Array.from({ length: count }, (_, i) => (port === 0 ? 0 : port + i)),
    ...cluster,
    speed,
    seed,
    ...(opts.credentials !== undefined ? { credentials: readCredentialsFile(opts.credentials) } : {}),
    log,
  });
  let urls: string[];
  try {
    urls = await fake.start();
  } catch (err) {
    throw new UsageError(
      `cannot listen on ${opts.host}:${opts.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const hostPorts = urls.map((u) => u.replace('http://', '')).join(',');
  const agents = cluster.agents.length;
  const timeline = cluster.timeline;
  process.stdout.write(
    [
      `offerlab fake-master: ${count} master${count === 1 ? '' : 's'}, leader ${urls[0]}`,
      `  masters   ${urls.map((u, i) => (i === 0 ? `${u} (leading)` : u)).join(', ')}`,
      `  cluster   ${agents} agents${scenario ? ` from ${opts.cluster}` : ' (3 × 4 cpus, 8 GiB)'}${timeline.length > 0 ? `; ${timeline.length} timed events from the first SUBSCRIBE` : ''}`,
      `  speed     ${speed}× ${speed === 1 ? '(real time)' : '(simulated time runs faster than the wall clock)'}`,
      `  control   POST ${urls[0]}/offerlab/failover?down=10s · POST ${urls[0]}/offerlab/agent-loss?hostname=NAME`,
      `  try       offerlab run ${opts.cluster ?? 'FILE'} --transport=http --master ${hostPorts}${speed === 1 ? '' : ` --speed ${speed}`}`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await fake.stop();
  return 0;
}
