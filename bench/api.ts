import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '../src/api/app.ts';
import { Daemon } from '../src/daemon/daemon.ts';
import { startFakeMaster } from './fake-master-process.ts';

export interface ApiFigures {
  statusPerSecond: number;
  barePerSecond: number;
  statusVsBare: number;
  submitPerSecond: number;
  submitP50Ms: number;
  submitP99Ms: number;
  submitErrors: number;
  fsyncs: number;
}

const CONNECTIONS = 10;

/** Room for every task the benchmark submits: 100 agents of 64 cpus and 256 GiB. */
const CLUSTER = `name: bench-api
duration: 1h
cluster:
  agents:
    - { name: node, count: 100, resources: { cpus: 64, mem: 262144, disk: 100000, ports: "31000-32000" } }
`;

async function listen(app: ReturnType<typeof Fastify>): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

/**
 * The daemon's REST API under load, with autocannon in this process: `GET /status/` against a
 * bare fastify route answering a document of the same size, and durable `POST /client/task`
 * (each 202 only after its submission is fdatasync'd; group commit shares one sync between the
 * requests in flight). The daemon schedules on `offerlab fake-master` (100 agents) in its own
 * process, so the simulated cluster's work is not counted.
 */
export async function measureApi(seconds: number): Promise<ApiFigures> {
  const stateDir = mkdtempSync(join(tmpdir(), 'offerlab-bench-api-'));
  const clusterFile = join(stateDir, 'cluster.yaml');
  writeFileSync(clusterFile, CLUSTER);
  const fake = await startFakeMaster(clusterFile);
  const masters = [`http://${fake.master}`];
  let fsyncs = 0;
  const daemon = await Daemon.start({ masters, stateDir, onSync: () => fsyncs++ });
  const app = buildApp(daemon);
  const url = await listen(app);
  while (!daemon.ready) await new Promise((resolve) => setTimeout(resolve, 50));

  const statusBody = await (await fetch(`${url}/status/`)).text();
  const bare = Fastify();
  bare.get('/status/', async (_req, reply) => reply.type('application/json').send(statusBody));
  const bareUrl = await listen(bare);

  try {
    await autocannon({ url: `${bareUrl}/status/`, connections: CONNECTIONS, duration: 1 }); // warm-up
    const b = await autocannon({ url: `${bareUrl}/status/`, connections: CONNECTIONS, duration: seconds });
    await autocannon({ url: `${url}/status/`, connections: CONNECTIONS, duration: 1 });
    const s = await autocannon({ url: `${url}/status/`, connections: CONNECTIONS, duration: seconds });
    fsyncs = 0;
    const p = await autocannon({
      url: `${url}/client/task`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bench', dockerimage: 'busybox', mem: '16', cpus: '0.01' }),
    });
    return {
      statusPerSecond: s.requests.average,
      barePerSecond: b.requests.average,
      statusVsBare: s.requests.average / b.requests.average,
      submitPerSecond: p.requests.average,
      submitP50Ms: p.latency.p50,
      submitP99Ms: p.latency.p99,
      submitErrors: p.non2xx + p.errors + p.timeouts,
      fsyncs,
    };
  } finally {
    await bare.close();
    await app.close();
    await daemon.stop();
    fake.child.kill('SIGTERM');
    rmSync(stateDir, { recursive: true, force: true });
  }
}
